public import Crypto
public import Foundation

/// An Ed25519 public key as the metadata lists it. Its id is the SHA-256 of the raw 32-byte key,
/// so two roots cannot disagree about which key an id names.
public struct PublicKeyEntry: Sendable, Equatable, Codable {
    public static let ed25519 = "ed25519"

    /// Always `ed25519` in this version of the protocol.
    public var type: String
    /// The raw public key, lowercase hex.
    public var publicKey: String

    enum CodingKeys: String, CodingKey {
        case type, publicKey = "public"
    }

    public init(_ key: Curve25519.Signing.PublicKey) {
        self.type = Self.ed25519
        self.publicKey = Hex.encode(key.rawRepresentation)
    }

    public var keyID: String { Hex.encode(SHA256.hash(data: Hex.decode(publicKey) ?? Data())) }

    /// The key, or nil when the entry is not an Ed25519 key of the right size.
    public var verifyingKey: Curve25519.Signing.PublicKey? {
        guard type == Self.ed25519, let raw = Hex.decode(publicKey), raw.count == 32 else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}

/// A private Ed25519 key held by an operator or by the registry server (the timestamp role's key
/// is online; root and targets keys should stay offline).
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(_ privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.privateKey = privateKey
    }

    public var publicEntry: PublicKeyEntry { PublicKeyEntry(privateKey.publicKey) }
    public var keyID: String { publicEntry.keyID }

    public func sign(_ message: Data) throws(SyncError) -> Data {
        do { return try privateKey.signature(for: message) } catch {
            throw SyncError(.keyInvalid, "signing failed", subject: keyID, underlying: error)
        }
    }

    /// The key file: one JSON object, so a file of the wrong kind is recognised rather than
    /// misread.
    struct File: Codable {
        var type: String
        var keyID: String
        var privateKey: String
        var publicKey: String

        enum CodingKeys: String, CodingKey {
            case type, keyID = "keyid", privateKey = "private", publicKey = "public"
        }
    }

    public func fileContents() -> Data {
        let file = File(
            type: PublicKeyEntry.ed25519, keyID: keyID, privateKey: Hex.encode(privateKey.rawRepresentation),
            publicKey: publicEntry.publicKey)
        return (try? CanonicalJSON.encode(file)).map { $0 + Data("\n".utf8) } ?? Data()
    }

    /// Writes the key readable by its owner only; refuses to overwrite an existing key, which
    /// would orphan whatever that key signed.
    public func write(to url: URL) throws(SyncError) {
        let path = url.path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SyncError(.io, "a key file already exists; refusing to overwrite it", subject: path)
        }
        // `keygen keys/root.key` in a fresh checkout: the directory is made, for its owner only.
        let directory = url.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: directory.path) {
            do {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SyncError(
                    .io, "cannot create the directory for the key file", subject: directory.path, cause: error.localizedDescription)
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: fileContents(), attributes: [.posixPermissions: 0o600]) else {
            throw SyncError(.io, "cannot write the key file", subject: path, cause: String(cString: strerror(errno)))
        }
    }

    public static func read(from url: URL) throws(SyncError) -> SigningKey {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SyncError(.fileMissing, "there is no key file here (make keys with 'lanyard registry keygen')", subject: url.path)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SyncError(.keyInvalid, "cannot read the key file", subject: url.path, cause: error.localizedDescription)
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw SyncError(.keyInvalid, "not a Lanyard signing key", subject: url.path, underlying: error)
        }
        guard file.type == PublicKeyEntry.ed25519, let raw = Hex.decode(file.privateKey), raw.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw SyncError(.keyInvalid, "not an Ed25519 private key", subject: url.path)
        }
        let signingKey = SigningKey(key)
        guard signingKey.keyID == file.keyID else {
            throw SyncError(.keyInvalid, "the key id in the file does not match its key", subject: url.path)
        }
        return signingKey
    }
}
