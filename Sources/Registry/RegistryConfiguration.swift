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
    /// Keys of the targets roles (top-level `targets`, or roles it delegates) the server signs
    /// publications into (`POST /v1/publications`); none leaves publishing to the command line.
    /// Held online, they let whoever controls the server sign those roles.
    public var publishKeys: [TUFSigningKey] = []
    /// Keys of the snapshot role for those publications; the timestamp key signs the snapshot
    /// too when root lists it there (as `lanyard registry init` makes it without `--snapshot-key`).
    public var snapshotKeys: [TUFSigningKey] = []
    /// Lifetime of the targets and snapshot metadata a publication through the server signs.
    public var publicationLifetime: TimeInterval = 90 * 86_400
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

    /// Whether the server publishes (`POST /v1/publications`).
    public var publishes: Bool { !publishKeys.isEmpty }

    /// The key ring a publication through the server signs with: the roles' keys, the snapshot's
    /// and the timestamp's.
    var publicationSigners: [TUFSigningKey] { publishKeys + snapshotKeys + (timestampKey.map { [$0] } ?? []) }

    /// How long what a publication through the server signs stays valid.
    var publicationExpiry: TUFExpiryPolicy {
        TUFExpiryPolicy(targets: publicationLifetime, snapshot: publicationLifetime, timestamp: timestampLifetime)
    }

    func validate() throws(RegistryError) {
        guard timestampLifetime >= 60 else {
            throw RegistryError(.configurationInvalid, "the timestamp lifetime is at least 60 seconds", detail: "timestamp-lifetime")
        }
        guard publicationLifetime >= 3_600 else {
            throw RegistryError(
                .configurationInvalid, "published targets and snapshot metadata live at least an hour", detail: "targets-expires-days")
        }
        if !publishKeys.isEmpty, timestampKey == nil {
            throw RegistryError(
                .configurationInvalid, "publishing through the server signs a new timestamp: give --timestamp-key with --publish-key",
                detail: "timestamp-key")
        }
        for (name, token) in [("agent-token", agentToken), ("admin-token", adminToken)] {
            if let token, token.utf8.count < 16 || token.contains(where: \.isWhitespace) {
                throw RegistryError(.configurationInvalid, "a token is at least 16 characters without spaces", detail: name)
            }
        }
    }
}
