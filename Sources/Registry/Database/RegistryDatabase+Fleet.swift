import Foundation
internal import GRDB
import Sync

extension RegistryDatabase {
    /// Every agent that has reported, by id.
    public func fleet() throws(RegistryError) -> [FleetAgent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT agent_id, public_key, first_seen, last_seen, reports_received, report FROM agent ORDER BY agent_id
                    """
            ).map { row in
                let agentID: String = row["agent_id"]
                // The payload was verified and decoded before it was stored; a row that no
                // longer decodes is damaged storage, not a request error.
                let report: AgentReport
                do { report = try RegistryJSON.decode(AgentReport.self, from: row["report"], what: "stored report") } catch {
                    throw RegistryError(.storage, "the stored report of \(agentID) cannot be read", detail: "\(error)")
                }
                return FleetAgent(
                    agentID: agentID, keyID: report.publicKeyEntry?.keyID ?? "", firstSeen: row["first_seen"],
                    lastSeen: row["last_seen"], reportsReceived: row["reports_received"], report: report,
                    printResults: try Self.printResultCounts(agentID: agentID, db: db))
            }
        }
    }
}
