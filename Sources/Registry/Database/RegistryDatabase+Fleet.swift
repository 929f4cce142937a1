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
                return try FleetAgent(
                    stored: row["report"], agentID: agentID, firstSeen: row["first_seen"], lastSeen: row["last_seen"],
                    reportsReceived: row["reports_received"], printResults: try Self.printResultCounts(agentID: agentID, db: db))
            }
        }
    }
}

extension FleetAgent {
    /// An agent from its stored record. The payload was verified and decoded before it was
    /// stored; a row that no longer decodes is damaged storage, not a request error.
    init(
        stored payload: Data, agentID: String, firstSeen: Date, lastSeen: Date, reportsReceived: Int, printResults: [String: Int]
    ) throws(RegistryError) {
        let report: AgentReport
        do { report = try RegistryJSON.decode(AgentReport.self, from: payload, what: "stored report") } catch {
            throw RegistryError(.storage, "the stored report of \(agentID) cannot be read", detail: "\(error)")
        }
        self.init(
            agentID: agentID, keyID: report.publicKeyEntry?.keyID ?? "", firstSeen: firstSeen, lastSeen: lastSeen,
            reportsReceived: reportsReceived, report: report, printResults: printResults)
    }
}
