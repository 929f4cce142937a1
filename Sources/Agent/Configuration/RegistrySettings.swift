public import Sync
import YAMLReading

/// How the agent syncs with the central registry (docs/registry-protocol.md). With no `url` the
/// agent does not sync and runs on its local templates.
public struct RegistrySettings: Sendable, Equatable, Decodable {
    /// Base URL of the repository (the registry server's `/repository/`, or any web server
    /// holding a copy of the repository directory).
    public var url: String?
    /// Base URL of the registry server, for change notifications and uploads; nil: poll only.
    public var server: String?
    /// The root metadata this kiosk was provisioned with (its trust anchor).
    public var root: String?
    /// Bearer token for the registry server's upload endpoints.
    public var token: String?
    /// A file holding that token, read at each request: a rotated token is taken up without a
    /// restart.
    public var tokenFile: String?
    /// Seconds between polls when no notification arrives.
    public var pollSeconds: Double = 60
    /// Seconds between uploads of the outbox (check-ins, print results) and the report.
    public var uploadSeconds: Double = 10
    /// Hours after the last fresh refresh during which expired metadata still serves.
    public var graceHours: Double = 72
    /// Target name -> release label or digest this kiosk's event is pinned to.
    public var pins: [String: String] = [:]
    /// Render failures of a newly promoted release, as a share of its renders, above which the
    /// agent rolls back to the last stable set on its own ...
    public var rollbackFailureRatio: Double = 0.005
    /// ... within this many seconds after the promotion.
    public var rollbackWindowSeconds: Double = 300

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, server, root, token, tokenFile = "token_file", pollSeconds = "poll_seconds", uploadSeconds = "upload_seconds",
            graceHours = "grace_hours", pins
        case rollbackFailureRatio = "rollback_failure_ratio", rollbackWindowSeconds = "rollback_window_seconds"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        server = try c.decodeIfPresent(String.self, forKey: .server)
        root = try c.decodeIfPresent(String.self, forKey: .root)
        token = try c.decodeIfPresent(String.self, forKey: .token)
        tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
        pollSeconds = try c.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 60
        uploadSeconds = try c.decodeIfPresent(Double.self, forKey: .uploadSeconds) ?? 10
        graceHours = try c.decodeIfPresent(Double.self, forKey: .graceHours) ?? 72
        pins = try c.decodeIfPresent([String: String].self, forKey: .pins) ?? [:]
        rollbackFailureRatio = try c.decodeIfPresent(Double.self, forKey: .rollbackFailureRatio) ?? 0.005
        rollbackWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .rollbackWindowSeconds) ?? 300
    }

    /// What the agent sends as its token.
    public var credential: RegistryCredential {
        if let tokenFile { return .file(tokenFile) }
        return token.map(RegistryCredential.token) ?? RegistryCredential.none
    }

    func validate() throws(AgentError) {
        guard token == nil || tokenFile == nil else {
            throw AgentError(.configurationInvalid, "give the registry token or its file, not both", detail: "registry.token_file")
        }
        guard url == nil || root != nil else {
            throw AgentError(.configurationInvalid, "syncing with a registry needs the provisioned root metadata", detail: "registry.root")
        }
        guard pollSeconds > 0, uploadSeconds > 0, graceHours >= 0, rollbackWindowSeconds > 0, (0..<1).contains(rollbackFailureRatio) else {
            throw AgentError(
                .configurationInvalid, "poll, grace and rollback settings must be positive (ratio below 1)", detail: "registry")
        }
    }
}
