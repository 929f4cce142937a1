public import Foundation
public import LanyardSupport
internal import PostgresNIO
public import Sync

/// Print results, reports and the fleet when several replicas take them at once.
extension PostgresRegistryStore {
    public func recordPrintResults(
        _ items: [PrintResultUpload], agentID: String, receivedAt: Date
    ) async throws(RegistryError)
        -> UploadBatchResult
    {
        try await transaction { connection in
            let accepted = try await insertNew(items, nonce: \.nonce, on: connection) { item in
                """
                INSERT INTO print_result (nonce, agent_id, job_id, attendee_id, state, template, template_version, tier,
                                          finished_at_us, received_at)
                VALUES (\(item.nonce), \(agentID), \(item.jobID), \(item.attendeeID), \(item.state.rawValue), \(item.template),
                        \(item.templateVersion), \(item.tier), \(RegistryJSON.microseconds(item.finishedAt)), \(receivedAt))
                ON CONFLICT (nonce) DO NOTHING RETURNING nonce
                """
            }.count
            return UploadBatchResult(accepted: accepted, duplicates: items.count - accepted)
        }
    }

    public func printResultCounts(agentID: String) async throws(RegistryError) -> [String: Int] {
        try await read { connection in
            var counts: [String: Int] = [:]
            for row in try await rows(
                "SELECT state, COUNT(*) FROM print_result WHERE agent_id = \(agentID) GROUP BY state", on: connection)
            {
                let (state, count) = try row.decode((String, Int).self)
                counts[state] = count
            }
            return counts
        }
    }

    /// The agent's row is locked while the report is judged, so two replicas given reports of
    /// one agent at once judge them one after the other. Two first reports at once: the second
    /// insert finds the row and the report is judged again against it.
    public func recordReport(_ report: AgentReport, payload: Data, receivedAt: Date) async throws(RegistryError) -> ReportOutcome {
        let key = report.publicKey.lowercased()
        let sentAt = RegistryJSON.microseconds(report.sentAt)
        let agentID = report.agentID
        return try await transaction { connection in
            while true {
                let row = try await rows(
                    "SELECT public_key, sent_at_us, report, last_seen FROM agent WHERE agent_id = \(agentID) FOR UPDATE", on: connection
                ).first
                let stored = try row?.decode((String, Int64, Data, Date).self)
                let known = stored.map { StoreRules.KnownAgent(publicKey: $0.0, sentAtMicroseconds: $0.1, payload: $0.2) }
                switch try StoreRules.decide(report, payload: payload, known: known) {
                case .firstReport:
                    let inserted = try await rows(
                        """
                        INSERT INTO agent (agent_id, public_key, first_seen, last_seen, sent_at_us, report, reports_received)
                        VALUES (\(agentID), \(key), \(receivedAt), \(receivedAt), \(sentAt), \(payload), 1)
                        ON CONFLICT (agent_id) DO NOTHING RETURNING agent_id
                        """, on: connection)
                    if !inserted.isEmpty { return ReportOutcome.firstReport }
                case .duplicate:
                    if let lastSeen = stored?.3, receivedAt.timeIntervalSince(lastSeen) >= lastSeenInterval {
                        try await connection.query(
                            "UPDATE agent SET last_seen = \(receivedAt) WHERE agent_id = \(agentID)", logger: logger)
                    }
                    return .duplicate
                case .accept:
                    try await connection.query(
                        """
                        UPDATE agent SET last_seen = \(receivedAt), sent_at_us = \(sentAt), report = \(payload),
                            reports_received = reports_received + 1
                        WHERE agent_id = \(agentID)
                        """, logger: logger)
                    return .accepted
                }
            }
        }
    }

    public func forgetAgent(_ agentID: String, audit: AuditEntry?) async throws(RegistryError) -> Bool {
        try await transaction { connection in
            guard !(try await rows("DELETE FROM agent WHERE agent_id = \(agentID) RETURNING agent_id", on: connection)).isEmpty else {
                return false
            }
            if let audit { try await append(audit, on: connection) }
            return true
        }
    }

    public func fleet() async throws(RegistryError) -> [FleetAgent] {
        let (agents, counts) = try await read { connection in
            var counts: [String: [String: Int]] = [:]
            for row in try await rows("SELECT agent_id, state, COUNT(*) FROM print_result GROUP BY agent_id, state", on: connection) {
                let (agentID, state, count) = try row.decode((String, String, Int).self)
                counts[agentID, default: [:]][state] = count
            }
            let agents = try await rows(
                "SELECT agent_id, first_seen, last_seen, reports_received, report FROM agent ORDER BY agent_id", on: connection
            ).map { row in
                let (agentID, firstSeen, lastSeen, received, report) = try row.decode((String, Date, Date, Int, Data).self)
                return StoredAgent(agentID: agentID, firstSeen: firstSeen, lastSeen: lastSeen, received: received, report: report)
            }
            return (agents, counts)
        }
        return try agents.map { agent throws(RegistryError) in
            try FleetAgent(
                stored: agent.report, agentID: agent.agentID, firstSeen: agent.firstSeen, lastSeen: agent.lastSeen,
                reportsReceived: agent.received, printResults: counts[agent.agentID] ?? [:])
        }
    }
}

/// An agent's row as read, before its report is decoded.
private struct StoredAgent: Sendable {
    var agentID: String
    var firstSeen: Date
    var lastSeen: Date
    var received: Int
    var report: Data
}
