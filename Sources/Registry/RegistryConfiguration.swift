public import Foundation
import Sync
public import TUF

/// Everything `lanyard registry serve` is told, with the server's defaults.
public struct RegistryConfiguration: Sendable {
    /// Where the server keeps its state.
    public enum State: Sendable, Equatable {
        /// `registry.sqlite` in this directory: one server process.
        case sqlite(directory: URL)
        /// A PostgreSQL database shared by any number of server replicas.
        case postgres(PostgresLocation)
    }

    /// The repository directory (`root/`, `targets/`, `blobs/`, `timestamp.json`).
    public var repository: URL
    public var state: State
    /// The timestamp role's key: with it the server re-signs the timestamp before it expires.
    public var timestampKey: TUFSigningKey?
    /// Lifetime of a re-signed timestamp; it is re-signed once less than half remains.
    public var timestampLifetime: TimeInterval = 86_400
    /// Bearer token required for uploads when set.
    public var agentToken: String?
    /// Bearer token (or Basic password) required for the fleet view when set, and for
    /// forgetting an agent's key (impossible without it).
    public var adminToken: String?
    /// How often `timestamp.json` is examined for a change (and long-polls are expired).
    public var watchInterval: Duration = .milliseconds(200)
    /// How often the timestamp's expiry is checked.
    public var refreshInterval: Duration = .seconds(60)
    /// Long-polls waiting at once before new ones are answered immediately.
    public var maximumWaiters = 10_000
    /// How far an agent's `sent_at` may be ahead of the registry's clock.
    public var maximumClockSkew: TimeInterval = 300
    /// On PostgreSQL, how often a duplicate report may refresh an agent's `last_seen`.
    public var lastSeenInterval: TimeInterval = 30

    public init(repository: URL, state: State) {
        self.repository = repository
        self.state = state
    }

    public init(repository: URL, stateDirectory: URL) {
        self.init(repository: repository, state: .sqlite(directory: stateDirectory))
    }

    func validate() throws(RegistryError) {
        guard timestampLifetime >= 60 else {
            throw RegistryError(.configurationInvalid, "the timestamp lifetime is at least 60 seconds", detail: "timestamp-lifetime")
        }
        for (name, token) in [("agent-token", agentToken), ("admin-token", adminToken)] {
            if let token, token.utf8.count < 16 || token.contains(where: \.isWhitespace) {
                throw RegistryError(.configurationInvalid, "a token is at least 16 characters without spaces", detail: name)
            }
        }
    }
}
