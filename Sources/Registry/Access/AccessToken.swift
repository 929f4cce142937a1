public import Foundation
import Sync

/// A registry token as people and systems hold it: `lyt_<id>_<secret>`. The id (16 hex digits)
/// names the token in lists and the audit log; the secret (32 random bytes, base64url) is shown
/// once when the token is made and stored only as its SHA-256. A slow password hash buys nothing
/// for 256 random bits, and a fast one keeps every upload's check cheap.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "lyt_"

    public let id: String
    public let secret: String

    /// A new token with a random id and secret.
    public static func generate() -> AccessToken {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return AccessToken(id: Hex.encode(id), secret: Self.base64URL(Data(secret)))
    }

    init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The token in the text a client sends, or nil when the text is not one (a bootstrap
    /// token, or garbage): the caller then tries the other kinds of credential.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[0].allSatisfy(\.isHexDigit), parts[0] == parts[0].lowercased(),
            parts[1].count == 43, parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        self.init(id: String(parts[0]), secret: String(parts[1]))
    }

    /// What a client sends as its bearer token.
    public var text: String { "\(Self.prefix)\(id)_\(secret)" }

    /// What the registry stores: the secret's SHA-256 in hex.
    public var secretHash: String { SHA256Digest.hex(Data(secret.utf8)) }

    /// Never the secret: tokens end up in logs by way of descriptions.
    public var description: String { "\(Self.prefix)\(id)_…" }

    /// A token id as people type it: 16 lower-case hex digits.
    public static func isID(_ text: String) -> Bool {
        text.count == 16 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A token as the registry keeps it: who holds it, what it may do, and until when.
public struct TokenRecord: Sendable, Equatable, Codable {
    public var id: String
    /// The person or system holding the token, as the audit log names them.
    public var holder: String
    public var roles: [AccessRole]
    public var createdAt: Date
    /// After this instant the token is refused; a rotation sets it to the end of the overlap.
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// The token that replaced this one, when it was rotated.
    public var replacedBy: String?

    public init(
        id: String, holder: String, roles: [AccessRole], createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil,
        replacedBy: String? = nil
    ) {
        self.id = id
        self.holder = holder
        self.roles = Array(Set(roles)).sorted()
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.replacedBy = replacedBy
    }

    /// Whether the token is accepted at `now`.
    public func isValid(at now: Date) -> Bool {
        if let revokedAt, revokedAt <= now { return false }
        if let expiresAt, expiresAt <= now { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case id, holder, roles, createdAt = "created_at", expiresAt = "expires_at", revokedAt = "revoked_at"
        case replacedBy = "replaced_by"
    }

    /// Roles as stored in one column: comma separated, in their order.
    public var rolesText: String { roles.map(\.rawValue).joined(separator: ",") }

    static func roles(from text: String) throws(RegistryError) -> [AccessRole] {
        var roles: [AccessRole] = []
        for name in text.split(separator: ",") {
            guard let role = AccessRole(rawValue: String(name)) else {
                throw RegistryError(.storage, "a stored token names an unknown role", detail: String(name))
            }
            roles.append(role)
        }
        return roles
    }
}
