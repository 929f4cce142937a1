public import Foundation
internal import PostgresNIO
import Sync

/// Tokens and the audit log on PostgreSQL (`PostgresSchema`, version 2). The audit log's ids
/// come from a sequence, so two replicas appending at once may commit out of id order; the log
/// is read newest first for people, not followed by cursor, so that is harmless.
extension PostgresRegistryStore {
    private static let tokenColumns = "id, holder, roles, secret_sha256, created_at_us, expires_at_us, revoked_at_us, replaced_by"

    public func createToken(_ record: TokenRecord, secretHash: String, audit: AuditEntry) async throws(RegistryError) {
        try await transaction { connection in
            try await insert(record, secretHash: secretHash, on: connection)
            try await append(audit, on: connection)
        }
    }

    public func token(id: String) async throws(RegistryError) -> StoredToken? {
        try await read { connection in
            try await rows(
                "SELECT \(unescaped: Self.tokenColumns) FROM access_token WHERE id = \(id)", on: connection
            ).first.map(Self.storedToken)
        }
    }

    public func tokens() async throws(RegistryError) -> [TokenRecord] {
        try await read { connection in
            try await rows("SELECT \(unescaped: Self.tokenColumns) FROM access_token ORDER BY created_at_us, id", on: connection).map {
                try Self.storedToken($0).record
            }
        }
    }

    public func rotateToken(
        id: String, replacement: TokenRecord, secretHash: String, overlapEnds: Date, audit: AuditEntry
    ) async throws(RegistryError)
        -> TokenRecord
    {
        try await transaction { connection in
            guard
                let row = try await rows(
                    "SELECT \(unescaped: Self.tokenColumns) FROM access_token WHERE id = \(id) FOR UPDATE", on: connection
                ).first
            else { throw RegistryError(.notFound, "no token \(id)", detail: id) }
            let rotated = try StoreRules.rotated(try Self.storedToken(row).record, by: replacement, overlapEnds: overlapEnds)
            try await insert(replacement, secretHash: secretHash, on: connection)
            try await connection.query(
                """
                UPDATE access_token SET expires_at_us = \(rotated.expiresAt.map(RegistryJSON.microseconds)),
                    replaced_by = \(replacement.id)
                WHERE id = \(id)
                """, logger: logger)
            try await append(audit, on: connection)
            return rotated
        }
    }

    public func revokeToken(id: String, at now: Date, audit: AuditEntry) async throws(RegistryError) -> TokenRecord {
        try await transaction { connection in
            guard
                let row = try await rows(
                    "SELECT \(unescaped: Self.tokenColumns) FROM access_token WHERE id = \(id) FOR UPDATE", on: connection
                ).first
            else { throw RegistryError(.notFound, "no token \(id)", detail: id) }
            let revoked = try StoreRules.revoked(try Self.storedToken(row).record, at: now)
            try await connection.query(
                "UPDATE access_token SET revoked_at_us = \(RegistryJSON.microseconds(now)) WHERE id = \(id)", logger: logger)
            try await append(audit, on: connection)
            return revoked
        }
    }

    public func tokenRolesInUse(at now: Date) async throws(RegistryError) -> Set<AccessRole> {
        let instant = RegistryJSON.microseconds(now)
        let texts = try await read { connection in
            try await rows(
                """
                SELECT DISTINCT roles FROM access_token
                WHERE (revoked_at_us IS NULL OR revoked_at_us > \(instant)) AND (expires_at_us IS NULL OR expires_at_us > \(instant))
                """, on: connection
            ).map { try $0.decode(String.self) }
        }
        var roles: Set<AccessRole> = []
        for text in texts { roles.formUnion(try TokenRecord.roles(from: text)) }
        return roles
    }

    public func recordAudit(_ entry: AuditEntry) async throws(RegistryError) -> Int64 {
        try await transaction { connection in try await append(entry, on: connection) }
    }

    public func auditLog(before: Int64?, limit: Int) async throws(RegistryError) -> [AuditEntry] {
        try await read { connection in
            var entries: [AuditEntry] = []
            for row in try await rows(
                """
                SELECT id, at_us, actor, token_id, action, subject, reason, detail, correlation_id FROM audit_log
                WHERE id < \(before ?? Int64.max) ORDER BY id DESC LIMIT \(limit)
                """, on: connection)
            {
                entries.append(try Self.auditEntry(row))
            }
            return entries
        }
    }

    private static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let columns = row.makeRandomAccess()
        var entry = AuditEntry(
            at: RegistryJSON.date(microseconds: try columns[1].decode(Int64.self)), actor: try columns[2].decode(String.self),
            tokenID: try columns[3].decode(String?.self), action: try StoreRules.auditAction(try columns[4].decode(String.self)),
            subject: try columns[5].decode(String.self), reason: try columns[6].decode(String?.self),
            detail: try StoreRules.auditDetail(try columns[7].decode(String.self)), correlationID: try columns[8].decode(String?.self))
        entry.id = try columns[0].decode(Int64.self)
        return entry
    }

    /// Appends an entry in the caller's transaction: the change and its record commit together.
    @discardableResult
    func append(_ entry: AuditEntry, on connection: PostgresConnection) async throws -> Int64 {
        try await rows(
            """
            INSERT INTO audit_log (at_us, actor, token_id, action, subject, reason, detail, correlation_id)
            VALUES (\(RegistryJSON.microseconds(entry.at)), \(entry.actor), \(entry.tokenID), \(entry.action.rawValue), \(entry.subject),
                    \(entry.reason), \(StoreRules.auditDetailText(entry.detail)), \(entry.correlationID))
            RETURNING id
            """, on: connection
        ).first?.decode(Int64.self) ?? 0
    }

    private func insert(_ record: TokenRecord, secretHash: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO access_token (\(unescaped: Self.tokenColumns))
            VALUES (\(record.id), \(record.holder), \(record.rolesText), \(secretHash), \(RegistryJSON.microseconds(record.createdAt)),
                    \(record.expiresAt.map(RegistryJSON.microseconds)), \(record.revokedAt.map(RegistryJSON.microseconds)),
                    \(record.replacedBy))
            """, logger: logger)
    }

    private static func storedToken(_ row: PostgresRow) throws -> StoredToken {
        let (id, holder, roles, hash, created, expires, revoked, replacedBy) = try row.decode(
            (String, String, String, String, Int64, Int64?, Int64?, String?).self)
        return StoredToken(
            record: TokenRecord(
                id: id, holder: holder, roles: try TokenRecord.roles(from: roles), createdAt: RegistryJSON.date(microseconds: created),
                expiresAt: expires.map { RegistryJSON.date(microseconds: $0) },
                revokedAt: revoked.map { RegistryJSON.date(microseconds: $0) },
                replacedBy: replacedBy),
            secretHash: hash)
    }
}
