import Crypto
public import Foundation
public import TUF

/// One signature in an envelope.
public struct EnvelopeSignature: Sendable, Equatable, Codable {
    public var keyID: String
    /// The Ed25519 signature, lowercase hex.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case keyID = "keyid", signature = "sig"
    }

    public init(keyID: String, signature: String) {
        self.keyID = keyID
        self.signature = signature
    }
}

/// Signed metadata as it is stored and served: the payload's exact bytes (base64), its type,
/// and signatures over both. Signing bytes rather than a re-serialised object means no two JSON
/// libraries can disagree about what was signed; binding the type into the signed message means
/// a signature on targets metadata can never be replayed as a root. The signed message is
/// `"LANYARDv1" SP len(type) SP type SP len(payload) SP payload` (lengths in ASCII decimal),
/// the pre-authentication encoding of DSSE.
public struct SignedEnvelope: Sendable, Equatable, Codable {
    public var payloadType: String
    public var payload: Data
    public var signatures: [EnvelopeSignature]

    public init(payloadType: String, payload: Data, signatures: [EnvelopeSignature] = []) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    public static func payloadType(for role: Role) -> String { "application/vnd.lanyard.\(role.rawValue)+json" }

    /// The bytes a signature covers.
    public static func signedMessage(payloadType: String, payload: Data) -> Data {
        var message = Data("LANYARDv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8)
        message.append(payload)
        return message
    }

    public var signedMessage: Data { Self.signedMessage(payloadType: payloadType, payload: payload) }

    /// Adds one signature per key; a key that already signed is not added twice.
    public mutating func sign(with keys: [SigningKey]) throws(SyncError) {
        let message = signedMessage
        for key in keys where !signatures.contains(where: { $0.keyID == key.keyID }) {
            signatures.append(EnvelopeSignature(keyID: key.keyID, signature: Hex.encode(try key.sign(message))))
        }
    }

    /// The ids of the keys in `keys` whose signature over this envelope verifies; a key id
    /// listed twice counts once.
    public func validSigners(among keys: [String: PublicKeyEntry]) -> Set<String> {
        let message = signedMessage
        var valid = Set<String>()
        for entry in signatures where !valid.contains(entry.keyID) {
            guard let key = keys[entry.keyID]?.verifyingKey, let signature = Hex.decode(entry.signature),
                key.isValidSignature(signature, for: message)
            else { continue }
            valid.insert(entry.keyID)
        }
        return valid
    }

    /// Adds one signature per TUF key (any key type the TUF module signs with).
    public mutating func sign(with keys: [TUFSigningKey]) throws(SyncError) {
        let message = Array(signedMessage)
        for key in keys where !signatures.contains(where: { $0.keyID == key.keyid }) {
            do {
                let signature = try key.sign(message)
                signatures.append(EnvelopeSignature(keyID: signature.keyid, signature: signature.sig))
            } catch {
                throw SyncError(.keyInvalid, "the key cannot sign", subject: key.keyid, underlying: error)
            }
        }
    }

    /// Requires a threshold of the keys `root` lists for one of its top-level roles: documents
    /// beside the TUF metadata (attendee change pages) signed by the role's keys, whatever their
    /// type. A key id that signs twice counts once.
    public func requireThreshold(of role: String, in root: Root, what: String) throws(SyncError) {
        guard let roleKeys = root.role(role) else {
            throw SyncError(.metadataInvalid, "the root has no \(role) role", subject: what)
        }
        let message = Array(signedMessage)
        var valid = Set<String>()
        for entry in signatures where roleKeys.keyids.contains(entry.keyID) && !valid.contains(entry.keyID) {
            guard let key = root.keys[entry.keyID], let signature = Hex.decode(entry.signature),
                key.isValidSignature(Array(signature), for: message)
            else { continue }
            valid.insert(entry.keyID)
        }
        guard valid.count >= roleKeys.threshold else {
            throw SyncError(
                .signatureThreshold, "\(what) has \(valid.count) valid signature(s) from \(role) keys, \(roleKeys.threshold) needed",
                subject: what)
        }
    }

    public func encoded() throws(SyncError) -> Data { try CanonicalJSON.encode(self) + Data("\n".utf8) }

    public static func decode(_ data: Data, subject: String) throws(SyncError) -> SignedEnvelope {
        try CanonicalJSON.decode(SignedEnvelope.self, from: data, subject: subject)
    }
}
