import Crypto
import CryptoExtras
public import Foundation
public import LanyardSupport

/// A private key that signs TUF metadata, with its public key as root or a delegating role lists
/// it. The three schemes are those securesystemslib signs and verifies with, made the way its
/// `CryptoSigner` makes them, so python-tuf (and every client that follows securesystemslib)
/// accepts the signatures:
/// - `ed25519`: the 64-byte signature; the public key as 64 hex digits.
/// - `ecdsa-sha2-nistp256` (keytype `ecdsa`): ECDSA over SHA-256, the signature DER-encoded (what
///   `cryptography` writes), the public key a PEM SubjectPublicKeyInfo.
/// - `rsassa-pss-sha256` (keytype `rsa`): PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (the
///   digest's length, securesystemslib's `PSS.DIGEST_LENGTH`; it verifies with `PSS.AUTO`, which
///   reads any salt length, and the Swift verifier requires exactly this one); the public key a PEM
///   SubjectPublicKeyInfo.
///
/// PEM text ends with one newline, as `cryptography` writes it, so a key listed here and the same
/// key listed by securesystemslib have the same key id.
public struct TUFSigningKey: Sendable {
    public enum Scheme: String, Sendable, CaseIterable {
        case ed25519 = "ed25519"
        case ecdsaP256 = "ecdsa-sha2-nistp256"
        case rsaPSSSHA256 = "rsassa-pss-sha256"

        /// The keytype TUF lists with the scheme.
        public var keytype: String {
            switch self {
            case .ed25519: "ed25519"
            case .ecdsaP256: "ecdsa"
            case .rsaPSSSHA256: "rsa"
            }
        }
    }

    enum Secret: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case ecdsaP256(P256.Signing.PrivateKey)
        case rsaPSSSHA256(_RSA.Signing.PrivateKey)
    }

    public let scheme: Scheme
    /// `{"keytype", "scheme", "keyval": {"public"}}`: nothing else, so the specification's key id
    /// (the SHA-256 of this object's canonical JSON) and securesystemslib's default key id agree.
    public let publicKey: PublicKey
    let secret: Secret

    /// The specification's key id of `publicKey`.
    public var keyid: String { publicKey.computedID }

    init(_ secret: Secret) throws(TUFError) {
        self.secret = secret
        let scheme: Scheme
        let value: String
        switch secret {
        case .ed25519(let key):
            scheme = .ed25519
            value = hexString(key.publicKey.rawRepresentation)
        case .ecdsaP256(let key):
            scheme = .ecdsaP256
            value = Self.pemLine(key.publicKey.pemRepresentation)
        case .rsaPSSSHA256(let key):
            scheme = .rsaPSSSHA256
            value = Self.pemLine(key.publicKey.pemRepresentation)
        }
        self.scheme = scheme
        publicKey = try PublicKey(
            .object(
                try JSONObject([
                    ("keytype", .string(scheme.keytype)), ("scheme", .string(scheme.rawValue)),
                    ("keyval", .object(try JSONObject([("public", .string(value))]))),
                ])), field: "key")
    }

    /// A new random key. RSA keys have `rsaBits` bits (2048, 3072 or 4096).
    public static func generate(_ scheme: Scheme, rsaBits: Int = 3072) throws(TUFError) -> TUFSigningKey {
        switch scheme {
        case .ed25519: return try TUFSigningKey(.ed25519(Curve25519.Signing.PrivateKey()))
        case .ecdsaP256: return try TUFSigningKey(.ecdsaP256(P256.Signing.PrivateKey()))
        case .rsaPSSSHA256:
            let size: _RSA.Signing.KeySize
            switch rsaBits {
            case 2048: size = .bits2048
            case 3072: size = .bits3072
            case 4096: size = .bits4096
            default: throw TUFError(.keyInvalid, "an RSA key has 2048, 3072 or 4096 bits, not \(rsaBits)")
            }
            do { return try TUFSigningKey(.rsaPSSSHA256(try _RSA.Signing.PrivateKey(keySize: size))) } catch let error as TUFError {
                throw error
            } catch {
                throw TUFError(.keyInvalid, "cannot generate an RSA key", underlying: error)
            }
        }
    }

    /// The signature of `message` under the key's scheme, listed under `keyid` (the id a role
    /// lists the key under; by default the specification's).
    public func sign(_ message: [UInt8], keyid: String? = nil) throws(TUFError) -> Signature {
        let bytes: [UInt8]
        do {
            switch secret {
            case .ed25519(let key): bytes = Array(try key.signature(for: message))
            case .ecdsaP256(let key): bytes = Array(try key.signature(for: message).derRepresentation)
            case .rsaPSSSHA256(let key): bytes = Array(try key.signature(for: message, padding: .PSS).rawRepresentation)
            }
        } catch {
            throw TUFError(.keyInvalid, "signing failed", context: self.keyid, underlying: error)
        }
        return Signature(keyid: keyid ?? self.keyid, sig: hexString(bytes), unrecognized: .empty)
    }

    /// Whole lines: swift-crypto's PEM ends without the final newline `cryptography` writes.
    static func pemLine(_ pem: String) -> String { pem.hasSuffix("\n") ? pem : pem + "\n" }
}

// MARK: - Key files

extension TUFSigningKey {
    /// The key file: one JSON object, `{"keyid", "keytype", "scheme", "keyval": {"public"},
    /// "private"}`. The public part is the key object exactly as metadata lists it, so the file
    /// says which key it is; `private` is the 32-byte Ed25519 seed in hex, or a PKCS #8 PEM for
    /// ECDSA and RSA (what `cryptography` loads with `load_pem_private_key`).
    public var fileContents: [UInt8] {
        let privateText: String
        switch secret {
        case .ed25519(let key): privateText = hexString(key.rawRepresentation)
        case .ecdsaP256(let key): privateText = Self.pemLine(key.pemRepresentation)
        case .rsaPSSSHA256(let key): privateText = Self.pemLine(key.pkcs8PEMRepresentation)
        }
        // The public object has exactly keytype, scheme and keyval: no name appears twice.
        let members = SignedEnvelope.merged([("keyid", .string(keyid)), ("private", .string(privateText))], publicKey.object)
        return TUFJSON.object(JSONObject(sortedUniqueMembers: members)).jsonText(indentation: 2)
    }

    /// Reads a key file: this type's format, or the Ed25519 key file of Lanyard's own signed
    /// repository (`{"type": "ed25519", "keyid", "private", "public"}`, its key id the SHA-256 of
    /// the raw public key), so an operator's existing key signs TUF metadata as is. Either way the
    /// public key and key id must be those of the private key.
    public init(fileContents bytes: [UInt8], name: String = "key file") throws(TUFError) {
        let json: TUFJSON
        do { json = try TUFJSON(parsing: bytes) } catch {
            throw TUFError(.keyInvalid, "not a JSON key file", context: name, underlying: error)
        }
        guard let object = json.objectValue else { throw TUFError(.keyInvalid, "not a JSON object", context: name) }
        if object["keytype"] == nil, object["type"]?.stringValue == "ed25519" {
            try self.init(lanyardEd25519: object, name: name)
            return
        }
        guard let schemeName = object["scheme"]?.stringValue, let scheme = Scheme(rawValue: schemeName),
            object["keytype"]?.stringValue == scheme.keytype
        else { throw TUFError(.keyInvalid, "not a key file of a supported keytype and scheme", context: name) }
        guard let privateText = object["private"]?.stringValue, let listedPublic = object["keyval"]?.objectValue?["public"]?.stringValue
        else { throw TUFError(.keyInvalid, "a key file needs private and keyval.public strings", context: name) }
        let secret: Secret
        do {
            switch scheme {
            case .ed25519:
                guard let raw = hexBytes(privateText), raw.count == 32 else {
                    throw TUFError(.keyInvalid, "an Ed25519 private key is 64 hex digits", context: name)
                }
                secret = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
            case .ecdsaP256: secret = .ecdsaP256(try P256.Signing.PrivateKey(pemRepresentation: privateText))
            case .rsaPSSSHA256: secret = .rsaPSSSHA256(try _RSA.Signing.PrivateKey(pemRepresentation: privateText))
            }
        } catch let error as TUFError {
            throw error
        } catch {
            throw TUFError(.keyInvalid, "the private key does not parse as a \(scheme.rawValue) key", context: name, underlying: error)
        }
        try self.init(secret)
        let listed = PublicKey.verifier(keytype: scheme.keytype, scheme: scheme.rawValue, public: listedPublic)
        guard let identity = listed.publicKeyIdentity, identity == publicKey.verifier.publicKeyIdentity else {
            throw TUFError(.keyInvalid, "the public key listed is not the private key's", context: name)
        }
        if let listedID = object["keyid"]?.stringValue, !listedID.utf8.elementsEqual(keyid.utf8) {
            throw TUFError(.keyInvalid, "the key id listed is not the key's", context: name)
        }
    }

    private init(lanyardEd25519 object: JSONObject, name: String) throws(TUFError) {
        guard let privateText = object["private"]?.stringValue, let raw = hexBytes(privateText), raw.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw TUFError(.keyInvalid, "not an Ed25519 private key", context: name) }
        let rawPublic = Array(key.publicKey.rawRepresentation)
        guard object["public"]?.stringValue.flatMap(hexBytes) == rawPublic,
            object["keyid"]?.stringValue == sha256Hex(rawPublic)
        else { throw TUFError(.keyInvalid, "the public key or key id listed is not the private key's", context: name) }
        try self.init(.ed25519(key))
    }

    /// Reads the key file at `url` (either format `init(fileContents:)` reads).
    public static func read(from url: URL) throws(TUFError) -> TUFSigningKey {
        let path = url.path(percentEncoded: false)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TUFError(.io, "cannot read the key file", context: path)
        }
        return try TUFSigningKey(fileContents: Array(data), name: path)
    }

    /// Writes the key file readable by its owner only (0600), creating its directory (0700) when
    /// missing. Refuses an existing file, which may be the only copy of another key.
    public func write(to url: URL) throws(TUFError) {
        let path = url.path(percentEncoded: false)
        let directory = url.deletingLastPathComponent().path(percentEncoded: false)
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw TUFError(.io, "cannot create the key file's directory", context: directory, underlying: error)
            }
        }
        try FileWriting.createNew(path, contents: fileContents, mode: 0o600)
    }
}
