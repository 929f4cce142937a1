public import Foundation
internal import GRDB
public import LanyardSupport
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
            guard
                let known = try Row.fetchOne(
                    db, sql: "SELECT public_key, sent_at_us, report FROM agent WHERE agent_id = ?",
                    arguments: [report.agentID])
            else {
                try db.execute(
                    sql: """
                        INSERT INTO agent (agent_id, public_key, first_seen, last_seen, sent_at_us, report, reports_received)
                        VALUES (?, ?, ?, ?, ?, ?, 1)
                        """, arguments: [report.agentID, key, receivedAt, receivedAt, sentAt, payload])
                return .firstReport
            }
            let knownKey: String = known["public_key"]
            guard knownKey == key else {
                throw RegistryError(
                    .agentKeyMismatch,
                    "agent \(report.agentID) reported before with another key; an operator must forget the agent before it can use a new one",
                    detail: "known key \(knownKey.prefix(16))…, this report \(key.prefix(16))…")
            }
            let lastSentAt: Int64 = known["sent_at_us"]
            if sentAt == lastSentAt, (known["report"] as Data) == payload {
                try db.execute(sql: "UPDATE agent SET last_seen = ? WHERE agent_id = ?", arguments: [receivedAt, report.agentID])
                return .duplicate
            }
            guard sentAt > lastSentAt else {
                throw RegistryError(
                    .reportReplayed, "the report is not newer than the last one accepted from \(report.agentID)",
                    detail: "sent_at \(Timestamps.iso8601(report.sentAt)), last accepted "
                        + Timestamps.iso8601(RegistryJSON.date(microseconds: lastSentAt)))
            }
            try db.execute(
                sql: """
                    UPDATE agent SET last_seen = ?, sent_at_us = ?, report = ?, reports_received = reports_received + 1 WHERE agent_id = ?
                    """, arguments: [receivedAt, sentAt, payload, report.agentID])
            return .accepted
        }
    }

    /// Forgets an agent's key and report, so its next report is trusted on first use again
    /// (a kiosk reinstalled with a new key). Its uploads stay. False when it was not known.
    @discardableResult
    public func forgetAgent(_ agentID: String) throws(RegistryError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM agent WHERE agent_id = ?", arguments: [agentID])
            return db.changesCount > 0
        }
    }
}
