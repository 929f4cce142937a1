import Crypto
import CryptoExtras
public import LanyardSupport

extension SignedEnvelope {
    /// The key ids of `role` whose key made a valid signature over the signed bytes: each distinct
    /// key at most once, however many signatures carry its id and however many ids list the same
    /// public key. A key id without a key in `keys`, or with a key this client cannot use, never
    /// counts.
    public func validSigners(keys: NameMap<PublicKey>, role: RoleKeys) -> [String] {
        let message = signedBytes
        var signers: [String] = []
        var counted: [[UInt8]] = []
        for keyid in role.keyids {
            guard let key = keys[keyid], let identity = key.verifier.publicKeyIdentity, !counted.contains(identity) else { continue }
            let signed = signatures.contains { signature in
                guard signature.keyid.utf8.elementsEqual(keyid.utf8), let bytes = hexBytes(signature.sig) else { return false }
                return key.isValidSignature(bytes, for: message)
            }
            if signed {
                signers.append(keyid)
                counted.append(identity)
            }
        }
        return signers
    }

    /// Refuses with `tuf.signature_threshold` unless at least `role.threshold` distinct keys of the
    /// role signed; returns the key ids that did.
    @discardableResult
    public func verify(keys: NameMap<PublicKey>, role: RoleKeys, roleName: String) throws(TUFError) -> [String] {
        let signers = validSigners(keys: keys, role: role)
        guard signers.count >= role.threshold else {
            throw TUFError(
                .signatureThreshold,
                "\(signers.count) of the \(role.threshold) signatures needed"
                    + (signers.isEmpty ? "" : " (signed by \(signers.joined(separator: ", ")))"),
                context: roleName)
        }
        return signers
    }
}

extension PublicKey.Verifier {
    /// The public key material, to tell one key listed under two ids (or with different unknown
    /// fields) from two keys.
    var publicKeyIdentity: [UInt8]? {
        switch self {
        case .ed25519(let key): [0] + Array(key.rawRepresentation)
        case .ecdsaP256(let key): [1] + Array(key.x963Representation)
        case .rsaPSSSHA256(let key): [2] + Array(key.derRepresentation)
        case .unusable: nil
        }
    }
}

func sha256(_ bytes: [UInt8]) -> SHA256.Digest { SHA256.hash(data: bytes) }

func verifyLength(_ data: some Collection<UInt8>, expected: Int64, name: String) throws(TUFError) {
    guard Int64(data.count) == expected else {
        throw TUFError(.lengthMismatch, "\(data.count) bytes, the signed length is \(expected)", context: name)
    }
}

/// Every listed hash must match; an algorithm outside sha256, sha384 and sha512 cannot be checked
/// and so refuses the file. Digests are compared as lowercase hex strings, as python-tuf compares
/// them.
func verifyHashes(_ data: some Collection<UInt8>, expected: NameMap<String>, name: String) throws(TUFError) {
    let bytes = Array(data)
    for entry in expected.entries {
        let observed: String
        switch entry.name {
        case "sha256": observed = hexString(SHA256.hash(data: bytes))
        case "sha384": observed = hexString(SHA384.hash(data: bytes))
        case "sha512": observed = hexString(SHA512.hash(data: bytes))
        default: throw TUFError(.hashMismatch, "the hash algorithm \(entry.name) cannot be checked", context: name)
        }
        guard observed.utf8.elementsEqual(entry.value.utf8) else {
            throw TUFError(.hashMismatch, "\(entry.name) \(observed), the signed one is \(entry.value)", context: name)
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly (two-digit fields, `T` and `Z`), a real calendar date and a
/// time up to 23:59:59, as seconds since 1970-01-01T00:00:00Z. Python's `strptime` also takes
/// one-digit fields; no writer produces them.
func parseExpiry(_ text: String) -> Int64? {
    let utf8 = Array(text.utf8)
    guard utf8.count == 20, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
        utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"), utf8[19] == UInt8(ascii: "Z")
    else { return nil }
    func number(_ range: Range<Int>) -> Int64? {
        var value: Int64 = 0
        for byte in utf8[range] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
        let minute = number(14..<16), let second = number(17..<19), year >= 1, (1...12).contains(month), hour < 24, minute < 60, second < 60
    else { return nil }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard day >= 1, day <= monthDays[Int(month - 1)] else { return nil }
    // Days from 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse).
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return days * 86_400 + hour * 3_600 + minute * 60 + second
}

/// Lowercase hex SHA-256, as TUF writes digests and key ids.
func sha256Hex(_ bytes: [UInt8]) -> String { hexString(SHA256.hash(data: bytes)) }
