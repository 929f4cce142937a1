public import Foundation
internal import GRDB
public import Sync

/// What became of a verified report.
public enum ReportOutcome: String, Sendable, Equatable {
    /// The agent's first report: its key is now the one its later reports must be signed with.
    case firstReport = "first_report"
    case accepted
    /// The same report again (same `sent_at`, same bytes): nothing changed.
    case duplicate
}

extension RegistryDatabase {
    /// Records a report already verified by `AgentReport.verify` (signed by the key it names),
    /// in one transaction with the checks that need the agent's record: the key must be the
    /// one first seen for this agent, and the report must not be older than the last one
    /// accepted (a replay).
    public func recordReport(_ report: AgentReport, payload: Data, receivedAt: Date = Date()) throws(RegistryError) -> ReportOutcome {
        let key = report.publicKey.lowercased()
        let sentAt = RegistryJSON.microseconds(report.sentAt)
        return try write { db in
            let known = try Row.fetchOne(
                db, sql: "SELECT public_key, sent_at_us, report FROM agent WHERE agent_id = ?", arguments: [report.agentID]
            ).map { row in
                StoreRules.KnownAgent(publicKey: row["public_key"], sentAtMicroseconds: row["sent_at_us"], payload: row["report"])
            }
            switch try StoreRules.decide(report, payload: payload, known: known) {
            case .firstReport:
                try db.execute(
                    sql: """
                        INSERT INTO agent (agent_id, public_key, first_seen, last_seen, sent_at_us, report, reports_received)
                        VALUES (?, ?, ?, ?, ?, ?, 1)
                        """, arguments: [report.agentID, key, receivedAt, receivedAt, sentAt, payload])
                return .firstReport
            case .duplicate:
                try db.execute(sql: "UPDATE agent SET last_seen = ? WHERE agent_id = ?", arguments: [receivedAt, report.agentID])
                return .duplicate
            case .accept:
                try db.execute(
                    sql: """
                        UPDATE agent SET last_seen = ?, sent_at_us = ?, report = ?, reports_received = reports_received + 1 WHERE agent_id = ?
                        """, arguments: [receivedAt, sentAt, payload, report.agentID])
                return .accepted
            }
        }
    }

    /// Forgets an agent's key and report, so its next report is trusted on first use again
    /// (a kiosk reinstalled with a new key). Its uploads stay. False when it was not known.
    @discardableResult
    public func forgetAgent(_ agentID: String, audit: AuditEntry? = nil) throws(RegistryError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM agent WHERE agent_id = ?", arguments: [agentID])
            guard db.changesCount > 0 else { return false }
            if let audit { try Self.append(audit, db: db) }
            return true
        }
    }
}
