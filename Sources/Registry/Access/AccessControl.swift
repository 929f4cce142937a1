public import Foundation
public import LanyardSupport

/// Who made a request, as far as the registry can tell.
public struct Principal: Sendable, Equatable {
    /// The token's holder, or the bootstrap credential's name.
    public var name: String
    /// The token used; nil for a bootstrap credential.
    public var tokenID: String?
    public var roles: Set<AccessRole>

    /// The configured agent token (`--agent-token-file`): a kiosk.
    static let bootstrapAgent = Principal(name: "bootstrap agent token", tokenID: nil, roles: [.kiosk])
    /// The configured admin token (`--admin-token-file`): every role of people.
    static let bootstrapAdmin = Principal(name: "bootstrap admin token", tokenID: nil, roles: [.publisher, .operator, .viewer])

    /// An audit entry of this principal's action.
    public func audit(
        _ action: AuditAction, subject: String, reason: String?, detail: [String: String] = [:], correlationID: String? = nil,
        at now: Date = Date()
    ) -> AuditEntry {
        AuditEntry(
            at: now, actor: name, tokenID: tokenID, action: action, subject: subject, reason: reason, detail: detail,
            correlationID: correlationID)
    }
}

/// Decides what a request's credential may do. Tokens are looked up by id and their secret's
/// hash compared in constant time; what the store said is kept for `cacheLifetime`, so an upload
/// costs no database read and a revocation reaches every replica within that time.
///
/// A kind of request is open to anyone only while nothing could authorise it: no bootstrap
/// token for it and no token with a role that grants it (as a registry set up before tokens
/// existed behaves). Changes to shared state (attendee pushes, agents forgotten, publications)
/// are never open.
public actor AccessControl {
    let store: any RegistryStore
    let agentToken: String?
    let adminToken: String?
    let cacheLifetime: TimeInterval
    let now: @Sendable () -> Date
    private var tokens: [String: (stored: StoredToken?, readAt: Date)] = [:]
    private var rolesInUse: (roles: Set<AccessRole>, readAt: Date)?

    public init(
        store: any RegistryStore, agentToken: String?, adminToken: String?, cacheLifetime: TimeInterval = 5,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.agentToken = agentToken
        self.adminToken = adminToken
        self.cacheLifetime = cacheLifetime
        self.now = now
    }

    /// The principal allowed `permission` with `credential`, or nil for an anonymous request
    /// that is allowed because the permission is open. Throws `unauthorized` (401) without a
    /// credential that holds, `forbidden` (403) for one whose roles do not grant it.
    public func authorize(_ credential: String?, for permission: AccessPermission) async throws(RegistryError) -> Principal? {
        // Open to anyone: a credential that names no one is no worse than none.
        if try await isOpen(permission) {
            guard let credential else { return nil }
            return try? await principal(for: credential)
        }
        guard let credential else { throw RegistryError(.unauthorized, "a token is required", detail: "Authorization") }
        let principal = try await principal(for: credential)
        guard !principal.roles.isDisjoint(with: permission.roles) else {
            throw RegistryError(
                .forbidden,
                "\(principal.name) holds \(Self.list(principal.roles)), and this needs \(Self.list(permission.roles))",
                detail: principal.tokenID ?? principal.name)
        }
        return principal
    }

    /// The principal a credential names; `unauthorized` when it names none that is valid now.
    public func principal(for credential: String) async throws(RegistryError) -> Principal {
        if let agentToken, ConstantTime.equal(Array(credential.utf8), Array(agentToken.utf8)) { return .bootstrapAgent }
        if let adminToken, ConstantTime.equal(Array(credential.utf8), Array(adminToken.utf8)) { return .bootstrapAdmin }
        guard let token = AccessToken(parsing: credential), let stored = try await stored(id: token.id),
            ConstantTime.equal(Array(token.secretHash.utf8), Array(stored.secretHash.utf8))
        else { throw RegistryError(.unauthorized, "the token is not one this registry issued", detail: "Authorization") }
        guard stored.record.isValid(at: now()) else {
            throw RegistryError(
                .unauthorized, "token \(token.id) of \(stored.record.holder) is \(stored.record.revokedAt == nil ? "expired" : "revoked")",
                detail: "Authorization")
        }
        return Principal(name: stored.record.holder, tokenID: stored.record.id, roles: Set(stored.record.roles))
    }

    /// Forgets what was read, so the next request reads the store again.
    public func invalidate() {
        tokens = [:]
        rolesInUse = nil
    }

    private func isOpen(_ permission: AccessPermission) async throws(RegistryError) -> Bool {
        guard !permission.changesSharedState else { return false }
        let bootstrap = permission.roles.contains(.kiosk) ? agentToken : adminToken
        guard bootstrap == nil else { return false }
        return try await currentRolesInUse().isDisjoint(with: permission.roles)
    }

    private func currentRolesInUse() async throws(RegistryError) -> Set<AccessRole> {
        let instant = now()
        if let rolesInUse, instant.timeIntervalSince(rolesInUse.readAt) < cacheLifetime { return rolesInUse.roles }
        let roles = try await store.tokenRolesInUse(at: instant)
        rolesInUse = (roles, instant)
        return roles
    }

    private func stored(id: String) async throws(RegistryError) -> StoredToken? {
        let instant = now()
        if let cached = tokens[id], instant.timeIntervalSince(cached.readAt) < cacheLifetime { return cached.stored }
        let stored = try await store.token(id: id)
        // Unknown ids are cached too, so a stream of made-up tokens costs one read per id.
        if tokens.count > 10_000 { tokens = [:] }
        tokens[id] = (stored, instant)
        return stored
    }

    private static func list(_ roles: Set<AccessRole>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: " or ")
    }
}
