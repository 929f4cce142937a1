import Foundation
import Sync

/// A token's record with the hash its secret must match.
public struct StoredToken: Sendable, Equatable {
    public var record: TokenRecord
    public var secretHash: String
}

/// What both stores decide alike about tokens and the audit log.
extension StoreRules {
    /// The record of a token being rotated: accepted until the overlap ends (or its own expiry,
    /// if sooner), then replaced. A token revoked, expired or rotated already is not rotated: the
    /// newest token of a holder is the one to rotate.
    static func rotated(_ record: TokenRecord, by replacement: TokenRecord, overlapEnds: Date) throws(RegistryError) -> TokenRecord {
        guard record.replacedBy == nil else {
            throw RegistryError(
                .requestInvalid, "token \(record.id) was rotated already; rotate its replacement \(record.replacedBy ?? "")",
                detail: record.id)
        }
        guard record.isValid(at: replacement.createdAt) else {
            throw RegistryError(.requestInvalid, "token \(record.id) is revoked or expired; create a new one", detail: record.id)
        }
        var rotated = record
        rotated.expiresAt = min(record.expiresAt ?? overlapEnds, overlapEnds)
        rotated.replacedBy = replacement.id
        return rotated
    }

    static func revoked(_ record: TokenRecord, at now: Date) throws(RegistryError) -> TokenRecord {
        guard record.revokedAt == nil else {
            throw RegistryError(.requestInvalid, "token \(record.id) is revoked already", detail: record.id)
        }
        var revoked = record
        revoked.revokedAt = now
        return revoked
    }

    static func auditAction(_ text: String) throws(RegistryError) -> AuditAction {
        guard let action = AuditAction(rawValue: text) else {
            throw RegistryError(.storage, "a stored audit entry names an unknown action", detail: text)
        }
        return action
    }

    static func auditDetailText(_ detail: [String: String]) -> String {
        String(decoding: WireJSON.encode(detail), as: UTF8.self)
    }

    static func auditDetail(_ text: String) throws(RegistryError) -> [String: String] {
        try RegistryJSON.decode([String: String].self, from: Data(text.utf8), what: "stored audit detail")
    }
}
