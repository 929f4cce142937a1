public import Foundation

/// The TUF root (`metadata/1.root.json`) a last root of the first format names, by length and hash.
public struct SuccessorRoot: Sendable, Equatable, Codable {
    public var sha256: String
    public var length: Int

    public init(sha256: String, length: Int) {
        self.sha256 = sha256
        self.length = length
    }
}

/// The root of trust of the registry's first format: every key of the repository and which role each may sign for. A kiosk is
/// provisioned with one root and follows the chain of later versions, each of which must be
/// signed by a threshold of the previous root's root keys and a threshold of its own.
public struct RootMetadata: Sendable, Equatable, Codable {
    public static let specification = "lanyard-registry/1"

    public var type: String
    public var spec: String
    public var version: Int
    public var expires: Date
    public var keys: [String: PublicKeyEntry]
    public var roles: [String: RoleKeys]
    /// Set only in the last root of this format: the TUF root that succeeds it
    /// (docs/registry-protocol.md, "Moving from the first format").
    public var successor: SuccessorRoot?

    enum CodingKeys: String, CodingKey {
        case type, spec, version, expires, keys, roles, successor = "tuf_root"
    }

    public init(version: Int, expires: Date, keys: [String: PublicKeyEntry], roles: [Role: RoleKeys]) {
        self.type = Role.root.rawValue
        self.spec = Self.specification
        self.version = version
        self.expires = expires
        self.keys = keys
        self.roles = Dictionary(uniqueKeysWithValues: roles.map { ($0.key.rawValue, $0.value) })
    }

    public func keys(for role: Role) -> RoleKeys? { roles[role.rawValue] }

    /// The public keys of a role, by id; ids the root lists for the role but does not define
    /// are left out (and so can never count towards its threshold).
    public func publicKeys(for role: Role) -> [String: PublicKeyEntry] {
        guard let ids = keys(for: role)?.keyIDs else { return [:] }
        return keys.filter { ids.contains($0.key) }
    }

    /// Structural rules every root must meet before anything it signs is believed.
    public func validate() throws(SyncError) {
        guard type == Role.root.rawValue else { throw SyncError(.metadataInvalid, "type is '\(type)', expected 'root'", subject: "root") }
        guard spec == Self.specification else {
            throw SyncError(.metadataInvalid, "unsupported specification '\(spec)'", subject: "root")
        }
        guard version >= 1 else { throw SyncError(.metadataInvalid, "version must be 1 or more", subject: "root") }
        for (id, entry) in keys {
            guard entry.verifyingKey != nil else { throw SyncError(.metadataInvalid, "key \(id) is not an Ed25519 key", subject: "root") }
            guard entry.keyID == id else { throw SyncError(.metadataInvalid, "key \(id) is listed under the wrong id", subject: "root") }
        }
        for role in Role.allCases {
            guard let roleKeys = keys(for: role) else {
                throw SyncError(.metadataInvalid, "no keys for the \(role.rawValue) role", subject: "root")
            }
            let defined = Set(roleKeys.keyIDs).filter { keys[$0] != nil }
            guard roleKeys.threshold >= 1, roleKeys.threshold <= defined.count else {
                throw SyncError(
                    .metadataInvalid,
                    "the \(role.rawValue) role needs a threshold between 1 and its \(defined.count) defined keys, not \(roleKeys.threshold)",
                    subject: "root")
            }
        }
    }
}
