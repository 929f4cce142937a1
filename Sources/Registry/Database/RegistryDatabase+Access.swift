public import Foundation
internal import GRDB
import Sync

/// Tokens and the audit log in SQLite (`RegistrySchema`, v5).
extension RegistryDatabase {
    public func createToken(_ record: TokenRecord, secretHash: String, audit: AuditEntry) throws(RegistryError) {
        try write { db in
            try Self.insert(record, secretHash: secretHash, db: db)
            try Self.append(audit, db: db)
        }
    }

    public func token(id: String) throws(RegistryError) -> StoredToken? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_token WHERE id = ?", arguments: [id]).map(Self.storedToken)
        }
    }

    public func tokens() throws(RegistryError) -> [TokenRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_token ORDER BY created_at_us, id").map { try Self.storedToken($0).record }
        }
    }

    public func rotateToken(
        id: String, replacement: TokenRecord, secretHash: String, overlapEnds: Date, audit: AuditEntry
    ) throws(RegistryError) -> TokenRecord {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM access_token WHERE id = ?", arguments: [id]) else {
                throw RegistryError(.notFound, "no token \(id)", detail: id)
            }
            let rotated = try StoreRules.rotated(try Self.storedToken(row).record, by: replacement, overlapEnds: overlapEnds)
            try Self.insert(replacement, secretHash: secretHash, db: db)
            try db.execute(
                sql: "UPDATE access_token SET expires_at_us = ?, replaced_by = ? WHERE id = ?",
                arguments: [rotated.expiresAt.map(RegistryJSON.microseconds), replacement.id, id])
            try Self.append(audit, db: db)
            return rotated
        }
    }

    public func revokeToken(id: String, at now: Date, audit: AuditEntry) throws(RegistryError) -> TokenRecord {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM access_token WHERE id = ?", arguments: [id]) else {
                throw RegistryError(.notFound, "no token \(id)", detail: id)
            }
            let revoked = try StoreRules.revoked(try Self.storedToken(row).record, at: now)
            try db.execute(
                sql: "UPDATE access_token SET revoked_at_us = ? WHERE id = ?", arguments: [RegistryJSON.microseconds(now), id])
            try Self.append(audit, db: db)
            return revoked
        }
    }

    public func tokenRolesInUse(at now: Date) throws(RegistryError) -> Set<AccessRole> {
        try read { db in
            let instant = RegistryJSON.microseconds(now)
            let texts = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT roles FROM access_token
                    WHERE (revoked_at_us IS NULL OR revoked_at_us > ?) AND (expires_at_us IS NULL OR expires_at_us > ?)
                    """, arguments: [instant, instant])
            var roles: Set<AccessRole> = []
            for text in texts { roles.formUnion(try TokenRecord.roles(from: text)) }
            return roles
        }
    }

    public func recordAudit(_ entry: AuditEntry) throws(RegistryError) -> Int64 {
        try write { db in try Self.append(entry, db: db) }
    }

    public func auditLog(before: Int64?, limit: Int) throws(RegistryError) -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?", arguments: [before ?? Int64.max, limit]
            ).map { row in
                var entry = AuditEntry(
                    at: RegistryJSON.date(microseconds: row["at_us"]), actor: row["actor"], tokenID: row["token_id"],
                    action: try StoreRules.auditAction(row["action"]), subject: row["subject"], reason: row["reason"],
                    detail: try StoreRules.auditDetail(row["detail"]), correlationID: row["correlation_id"])
                entry.id = row["id"]
                return entry
            }
        }
    }

    /// Appends an entry in the caller's transaction: the change and its record commit together.
    @discardableResult
    static func append(_ entry: AuditEntry, db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO audit_log (at_us, actor, token_id, action, subject, reason, detail, correlation_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                RegistryJSON.microseconds(entry.at), entry.actor, entry.tokenID, entry.action.rawValue, entry.subject, entry.reason,
                StoreRules.auditDetailText(entry.detail), entry.correlationID,
            ])
        return db.lastInsertedRowID
    }

    private static func insert(_ record: TokenRecord, secretHash: String, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO access_token (id, holder, roles, secret_sha256, created_at_us, expires_at_us, revoked_at_us, replaced_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.id, record.holder, record.rolesText, secretHash, RegistryJSON.microseconds(record.createdAt),
                record.expiresAt.map(RegistryJSON.microseconds), record.revokedAt.map(RegistryJSON.microseconds), record.replacedBy,
            ])
    }

    private static func storedToken(_ row: Row) throws -> StoredToken {
        let expires: Int64? = row["expires_at_us"], revoked: Int64? = row["revoked_at_us"]
        return StoredToken(
            record: TokenRecord(
                id: row["id"], holder: row["holder"], roles: try TokenRecord.roles(from: row["roles"]),
                createdAt: RegistryJSON.date(microseconds: row["created_at_us"]),
                expiresAt: expires.map { RegistryJSON.date(microseconds: $0) },
                revokedAt: revoked.map { RegistryJSON.date(microseconds: $0) }, replacedBy: row["replaced_by"]),
            secretHash: row["secret_sha256"])
    }
}
