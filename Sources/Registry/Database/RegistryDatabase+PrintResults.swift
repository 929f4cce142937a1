public import Foundation
internal import GRDB
public import Sync

extension RegistryDatabase {
    /// Stores a batch of print results from one agent in one transaction; a nonce already
    /// stored is a duplicate and changes nothing.
    public func recordPrintResults(
        _ items: [PrintResultUpload], agentID: String, receivedAt: Date = Date()
    ) throws(RegistryError) -> UploadBatchResult {
        try write { db in
            var accepted = 0
            for item in items {
                try db.execute(
                    sql: """
                        INSERT INTO print_result (nonce, agent_id, job_id, attendee_id, state, template, template_version, tier,
                                                  finished_at_us, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nonce) DO NOTHING
                        """,
                    arguments: [
                        item.nonce, agentID, item.jobID, item.attendeeID, item.state.rawValue, item.template,
                        item.templateVersion, item.tier, RegistryJSON.microseconds(item.finishedAt), receivedAt,
                    ])
                accepted += db.changesCount
            }
            return UploadBatchResult(accepted: accepted, duplicates: items.count - accepted)
        }
    }

    /// Print results stored for an agent, by final state (`printed`, `dead_letter`, ...).
    public func printResultCounts(agentID: String) throws(RegistryError) -> [String: Int] {
        try read { db in try Self.printResultCounts(agentID: agentID, db: db) }
    }

    static func printResultCounts(agentID: String, db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT state, COUNT(*) AS n FROM print_result WHERE agent_id = ? GROUP BY state",
            arguments: [agentID])
        {
            counts[row["state"]] = row["n"]
        }
        return counts
    }
}
