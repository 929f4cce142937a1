import Crypto
import CryptoExtras
public import LanyardSupport

/// A public key as root or a delegating targets role lists it. A key of a type or scheme this
/// client cannot check, or whose public value does not parse, is kept (a root may list keys for
/// other clients, and the key is part of the signed bytes) but never verifies a signature, so it
/// can never count toward a threshold.
public struct PublicKey: Sendable {
    public let keytype: String
    public let scheme: String
    /// The whole key object, unknown fields included, as the metadata has it.
    public let object: JSONObject
    /// Hex SHA-256 of the canonical JSON of the whole key object: the specification's key id.
    /// securesystemslib's `compute_default_keyid` hashes only keytype, scheme and keyval, so the two
    /// differ for a key with extra fields; clients (python-tuf's included) take the key id from the
    /// map the key is listed under and never recompute it.
    public let computedID: String
    let verifier: Verifier

    enum Verifier: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case ecdsaP256(P256.Signing.PublicKey)
        case rsaPSSSHA256(_RSA.Signing.PublicKey)
        case unusable(String)
    }

    public init(_ json: TUFJSON, field: String) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "a key is not an object", context: field) }
        guard let keytype = object["keytype"]?.stringValue, let scheme = object["scheme"]?.stringValue else {
            throw TUFError(.metadataInvalid, "a key without string keytype and scheme", context: field)
        }
        guard let keyval = object["keyval"]?.objectValue else {
            throw TUFError(.metadataInvalid, "a key without a keyval object", context: field)
        }
        self.keytype = keytype
        self.scheme = scheme
        self.object = object
        computedID = hexString(SHA256.hash(data: TUFJSON.object(object).canonicalBytes))
        verifier = Self.verifier(keytype: keytype, scheme: scheme, public: keyval["public"]?.stringValue)
    }

    /// Whether this client can verify signatures by this key at all.
    public var isUsable: Bool {
        if case .unusable = verifier { return false }
        return true
    }

    /// Why the key cannot verify anything, when it cannot.
    public var unusableReason: String? {
        if case .unusable(let reason) = verifier { return reason }
        return nil
    }

    /// Whether `signature` is this key's signature of `message` under the key's scheme.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch verifier {
        case .ed25519(let key):
            return key.isValidSignature(signature, for: message)
        case .ecdsaP256(let key):
            // securesystemslib writes the DER encoding (cryptography's default), not raw r||s.
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rsaPSSSHA256(let key):
            // PSS with SHA-256 and MGF1-SHA256, salt as long as the digest: what securesystemslib's
            // CryptoSigner signs with (PSS.DIGEST_LENGTH). It verifies with PSS.AUTO, which also
            // takes other salt lengths; BoringSSL's PSS check here needs the digest length.
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .PSS)
        case .unusable:
            return false
        }
    }

    static func verifier(keytype: String, scheme: String, public value: String?) -> Verifier {
        guard let value else { return .unusable("keyval has no public string") }
        switch (keytype, scheme) {
        case ("ed25519", "ed25519"):
            guard value.utf8.count == 64, let raw = hexBytes(value), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { return .unusable("an ed25519 public key must be 64 hex digits") }
            return .ed25519(key)
        // "ecdsa-sha2-nistp256" as a keytype is what older securesystemslib wrote; it still reads it.
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
            guard let key = try? P256.Signing.PublicKey(pemRepresentation: value) else {
                return .unusable("not a PEM SubjectPublicKeyInfo of a P-256 key")
            }
            return .ecdsaP256(key)
        case ("rsa", "rsassa-pss-sha256"):
            // swift-crypto refuses RSA keys under 2048 bits; such a key verifies nothing here.
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: value) else {
                return .unusable("not a PEM public RSA key of 2048 bits or more")
            }
            return .rsaPSSSHA256(key)
        default:
            return .unusable("keytype \(keytype) with scheme \(scheme) is not supported")
        }
    }
}

/// Lowercase hex, as TUF writes key ids, hashes and signatures.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var output: [UInt8] = []
    for byte in bytes {
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: output, as: UTF8.self)
}

/// The bytes of an even-length hex string of either case, as Python's `bytes.fromhex` reads one
/// (which also skips whitespace between bytes; no writer puts any there).
func hexBytes(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count / 2)
    var index = 0
    while index < utf8.count {
        guard let high = hexDigitValue(utf8[index]), let low = hexDigitValue(utf8[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}
