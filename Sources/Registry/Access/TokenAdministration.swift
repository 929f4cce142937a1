public import Foundation

/// Making, rotating and revoking tokens, each recorded in the audit log with who and why. The
/// command line (`lanyard registry token`) runs these against the registry's database directly:
/// whoever may open that database administers the registry.
public struct TokenAdministration: Sendable {
    public let store: any RegistryStore
    /// Who is acting, as the audit log will name them.
    public let actor: String
    public let now: @Sendable () -> Date

    public init(store: any RegistryStore, actor: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.actor = actor
        self.now = now
    }

    /// A new token for `holder`. The answer's token is the only copy of its secret.
    public func create(
        holder: String, roles: [AccessRole], lifetime: TimeInterval?, reason: String
    ) async throws(RegistryError) -> (token: AccessToken, record: TokenRecord) {
        try Self.check(holder: holder, roles: roles, reason: reason)
        let token = AccessToken.generate()
        let instant = now()
        let record = TokenRecord(
            id: token.id, holder: holder, roles: roles, createdAt: instant, expiresAt: lifetime.map { instant.addingTimeInterval($0) })
        try await store.createToken(
            record, secretHash: token.secretHash,
            audit: entry(
                .tokenCreated, subject: token.id, reason: reason,
                detail: ["holder": holder, "roles": record.rolesText, "expires_at": record.expiresAt.map(Self.instant) ?? "never"]))
        return (token, record)
    }

    /// A replacement for token `id` with the same holder and roles; the old one is still accepted
    /// for `overlap` seconds, so the systems holding it can be moved over without a gap.
    public func rotate(
        id: String, overlap: TimeInterval, lifetime: TimeInterval?, reason: String
    ) async throws(RegistryError) -> (token: AccessToken, record: TokenRecord, rotated: TokenRecord) {
        try Self.check(id: id)
        try Self.check(reason: reason)
        guard overlap >= 0 else { throw RegistryError(.requestInvalid, "the overlap is zero or more seconds", detail: "overlap") }
        guard let old = try await store.token(id: id) else { throw RegistryError(.notFound, "no token \(id)", detail: id) }
        let token = AccessToken.generate()
        let instant = now()
        let record = TokenRecord(
            id: token.id, holder: old.record.holder, roles: old.record.roles, createdAt: instant,
            expiresAt: lifetime.map { instant.addingTimeInterval($0) })
        let overlapEnds = instant.addingTimeInterval(overlap)
        let rotated = try await store.rotateToken(
            id: id, replacement: record, secretHash: token.secretHash, overlapEnds: overlapEnds,
            audit: entry(
                .tokenRotated, subject: id, reason: reason,
                detail: ["replaced_by": token.id, "holder": record.holder, "old_accepted_until": Self.instant(overlapEnds)]))
        return (token, record, rotated)
    }

    public func revoke(id: String, reason: String) async throws(RegistryError) -> TokenRecord {
        try Self.check(id: id)
        try Self.check(reason: reason)
        return try await store.revokeToken(id: id, at: now(), audit: entry(.tokenRevoked, subject: id, reason: reason))
    }

    private func entry(_ action: AuditAction, subject: String, reason: String, detail: [String: String] = [:]) -> AuditEntry {
        AuditEntry(at: now(), actor: actor, action: action, subject: subject, reason: reason, detail: detail)
    }

    static func check(holder: String, roles: [AccessRole], reason: String) throws(RegistryError) {
        guard !holder.trimmingCharacters(in: .whitespaces).isEmpty, holder.count <= 200,
            !holder.contains(where: { $0.isNewline || $0 == "," })
        else {
            throw RegistryError(
                .requestInvalid, "the holder is a person's or system's name of 1 to 200 characters on one line", detail: "holder")
        }
        guard !roles.isEmpty else { throw RegistryError(.requestInvalid, "a token holds at least one role", detail: "role") }
        try check(reason: reason)
    }

    static func check(id: String) throws(RegistryError) {
        guard AccessToken.isID(id) else { throw RegistryError(.requestInvalid, "a token id is 16 lower-case hex digits", detail: id) }
    }

    static func check(reason: String) throws(RegistryError) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= AuditEntry.maximumReasonLength else {
            throw RegistryError(
                .requestInvalid, "say why, in 1 to \(AuditEntry.maximumReasonLength) characters: the audit log keeps it", detail: "reason")
        }
    }

    static func instant(_ date: Date) -> String { date.formatted(.iso8601) }
}
