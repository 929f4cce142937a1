public import Foundation

/// What a kiosk says it runs (the wire contract of `POST /v1/agents/{id}/report`, both sides), signed with its own Ed25519 key: the targets version it trusts and
/// how fresh that is, its templates, its printers, its queue and the rollbacks it made. The
/// registry believes the key the first report of an agent carries (trust on first use) and from
/// then on only reports signed by that key.
public struct AgentReport: Sendable, Equatable, Codable {
    public static let payloadType = "application/vnd.lanyard.agent-report+json"

    public enum Freshness: String, Sendable, Codable, CaseIterable {
        case fresh, stale, expired
    }

    public struct Template: Sendable, Equatable, Codable {
        public enum State: String, Sendable, Codable, CaseIterable {
            case active, staged
            case rolledBack = "rolled_back"
        }

        public var name: String
        public var label: String
        /// `TargetRelease.digest` of the release the kiosk runs.
        public var digest: String
        public var state: State

        public init(name: String, label: String, digest: String, state: State) {
            self.name = name
            self.label = label
            self.digest = digest
            self.state = state
        }
    }

    public struct Printer: Sendable, Equatable, Codable {
        public var id: String
        public var activity: String
        public var ready: Bool
        public var conditions: [String]

        public init(id: String, activity: String, ready: Bool, conditions: [String]) {
            self.id = id
            self.activity = activity
            self.ready = ready
            self.conditions = conditions
        }
    }

    public struct Rollback: Sendable, Equatable, Codable {
        public var name: String
        public var from: String
        public var to: String
        public var reason: String
        public var at: Date

        public init(name: String, from: String, to: String, reason: String, at: Date) {
            self.name = name
            self.from = from
            self.to = to
            self.reason = reason
            self.at = at
        }
    }

    public var agentID: String
    public var sentAt: Date
    /// The agent's Ed25519 public key, 64 hex digits.
    public var publicKey: String
    /// Nil before the kiosk has trusted any targets metadata.
    public var targetsVersion: Int?
    public var freshness: Freshness
    public var templates: [Template]
    public var printers: [Printer]
    public var queueDepth: Int
    public var rollbacks: [Rollback]

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", sentAt = "sent_at", publicKey = "public_key", targetsVersion = "targets_version", freshness
        case templates, printers, queueDepth = "queue_depth", rollbacks
    }

    public init(
        agentID: String, sentAt: Date, publicKey: String, targetsVersion: Int?, freshness: Freshness, templates: [Template],
        printers: [Printer], queueDepth: Int, rollbacks: [Rollback]
    ) {
        self.agentID = agentID
        self.sentAt = sentAt
        self.publicKey = publicKey
        self.targetsVersion = targetsVersion
        self.freshness = freshness
        self.templates = templates
        self.printers = printers
        self.queueDepth = queueDepth
        self.rollbacks = rollbacks
    }
}

extension AgentReport {
    /// The report as the agent sends it: its wire JSON (dates with milliseconds, so two reports
    /// in the same second still order) in an envelope signed by `key`, whose public half this
    /// report must name.
    public func signed(with key: SigningKey) throws(SyncError) -> SignedEnvelope {
        guard key.publicEntry.publicKey == publicKey.lowercased() else {
            throw SyncError(.keyInvalid, "the report names another public key than the one signing it", subject: "$.public_key")
        }
        var envelope = SignedEnvelope(payloadType: Self.payloadType, payload: WireJSON.encode(self))
        try envelope.sign(with: [key])
        return envelope
    }
}
