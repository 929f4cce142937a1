public import Foundation
public import Sync

/// One agent as the fleet view shows it: when it was last heard from and what its latest
/// accepted report said.
public struct FleetAgent: Sendable, Equatable, Encodable {
    public var agentID: String
    /// The id (SHA-256) of the key the agent's reports are signed with.
    public var keyID: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var reportsReceived: Int
    public var report: AgentReport
    /// Print results uploaded by the agent, by final state.
    public var printResults: [String: Int]

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", keyID = "key_id", firstSeen = "first_seen", lastSeen = "last_seen"
        case reportsReceived = "reports_received", sentAt = "sent_at", targetsVersion = "targets_version", freshness, templates, printers
        case queueDepth = "queue_depth", rollbacks, printResults = "print_results"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(firstSeen, forKey: .firstSeen)
        try container.encode(lastSeen, forKey: .lastSeen)
        try container.encode(reportsReceived, forKey: .reportsReceived)
        try container.encode(report.sentAt, forKey: .sentAt)
        try container.encode(report.targetsVersion, forKey: .targetsVersion)
        try container.encode(report.freshness, forKey: .freshness)
        try container.encode(report.templates, forKey: .templates)
        try container.encode(report.printers, forKey: .printers)
        try container.encode(report.queueDepth, forKey: .queueDepth)
        try container.encode(report.rollbacks, forKey: .rollbacks)
        try container.encode(printResults, forKey: .printResults)
    }
}

/// The repository as the registry currently serves it, beside the fleet.
public struct RepositoryVersions: Sendable, Equatable, Codable {
    /// 0 while nothing is published.
    public var timestampVersion: Int
    public var targetsVersion: Int
    public var timestampExpires: Date?

    public static let nothingPublished = RepositoryVersions(timestampVersion: 0, targetsVersion: 0, timestampExpires: nil)

    enum CodingKeys: String, CodingKey {
        case timestampVersion = "timestamp_version", targetsVersion = "targets_version", timestampExpires = "timestamp_expires"
    }

    public init(timestampVersion: Int, targetsVersion: Int, timestampExpires: Date?) {
        self.timestampVersion = timestampVersion
        self.targetsVersion = targetsVersion
        self.timestampExpires = timestampExpires
    }
}
