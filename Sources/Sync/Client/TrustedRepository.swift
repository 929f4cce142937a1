public import Foundation
public import LanyardSupport
public import TUF

/// How old metadata may be and still be used. The registry signs timestamps for a short time;
/// a kiosk cut off from it keeps using what it has for the grace period after its last fresh
/// refresh. The TUF client underneath is strict and knows nothing of this: the grace period is
/// the agent's policy about what it already verified, never a reason to believe new metadata.
public struct FreshnessPolicy: Sendable, Equatable {
    public var gracePeriod: TimeInterval

    public static let defaultGracePeriod: TimeInterval = 72 * 3600

    public init(gracePeriod: TimeInterval = Self.defaultGracePeriod) {
        self.gracePeriod = gracePeriod
    }
}

/// Whether what the kiosk trusts is within its expiry, past it but within grace, or neither.
public enum Freshness: Sendable, Equatable {
    case fresh
    case stale(expiredAt: Date)
    case expired(expiredAt: Date)
}

/// What one refresh found.
public struct RefreshReport: Sendable, Equatable {
    /// Root versions followed, in order (empty when the root did not change).
    public var rootsFollowed: [Int64]
    /// True when the snapshot changed: some targets role may list other releases.
    public var targetsChanged: Bool
    public var snapshotVersion: Int64?
    public var freshness: Freshness?
}

/// The kiosk's side of the registry's TUF repository (docs/registry-protocol.md): the TUF
/// client's workflow, strict, over the kiosk's repository source, its trusted metadata kept in
/// `directory` under the client's names, and the Lanyard targets every role lists for the paths
/// it is trusted for. A refresh is all or nothing for the catalog: a refused update leaves the
/// releases the kiosk plans with exactly as they were, and the kiosk keeps printing with them.
public struct TrustedRepository: Sendable {
    public let directory: URL
    public let policy: FreshnessPolicy
    let source: any RepositorySource
    /// The root the kiosk trusts now: it verifies attendee change pages against its timestamp keys.
    public private(set) var root: Root
    /// The Lanyard targets of the last refresh that succeeded in this run; nil before it, even
    /// when verified metadata was kept from an earlier run (its catalog is built by a refresh).
    public private(set) var targets: [String: Target]?
    public private(set) var timestampVersion: Int64?
    public private(set) var snapshotVersion: Int64?
    /// When the top-level metadata the kiosk holds expires first.
    public private(set) var expiresAt: Date?
    /// When a refresh last succeeded: the start of the grace period.
    public private(set) var lastFreshRefresh: Date?

    static let stateFile = "lanyard-state.json"

    /// Opens the trusted metadata in `directory`, starting from `provisionedRoot` when there is
    /// none yet or when the provisioned root is newer (a kiosk provisioned again). What was stored
    /// is read back as the TUF client verified it, without expiry, for versions and expiry dates.
    public init(
        directory: URL, provisionedRoot: Data, source: any RepositorySource, policy: FreshnessPolicy = .init()
    ) throws(SyncError) {
        self.directory = directory
        self.policy = policy
        self.source = source
        let metadata = MetadataDirectory(directory)
        let provisioned = try Self.verifiedRoot(provisionedRoot)
        if let stored = metadata.read(role: "root"), let storedRoot = try? Self.verifiedRoot(stored),
            storedRoot.common.version >= provisioned.common.version
        {
            root = storedRoot
        } else {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try metadata.initialize(trustedRoot: provisionedRoot)
            } catch let error as TUFError {
                throw SyncError(tuf: error)
            } catch {
                throw SyncError(.io, "cannot keep the trusted metadata", subject: directory.path, underlying: error)
            }
            root = provisioned
        }
        lastFreshRefresh = Self.readLastFreshRefresh(directory)
        var updater = makeUpdater(now: Date())
        if (try? updater.loadLastVerified()) != nil, let state = updater.state {
            adopt(state)
        }
    }

    /// The root kept in `directory` by an earlier run, if any.
    public static func storedRoot(in directory: URL) -> Data? { MetadataDirectory(directory).read(role: "root") }

    /// Root version the kiosk trusts.
    public var rootVersion: Int64 { root.common.version }

    /// Runs the specification's client workflow against the repository with `now` as its one
    /// reference time, then looks every Lanyard target up through the delegations. Throws the
    /// refusal, with the catalog unchanged.
    @discardableResult
    public mutating func refresh(now: Date) async throws(SyncError) -> RefreshReport {
        let previousRoot = rootVersion
        let previousSnapshot = snapshotVersion
        var updater = makeUpdater(now: now)
        let found: [TargetInfo]
        do {
            try await updater.refresh()
            found = try await updater.allTargets()
        } catch {
            // A newer root the refresh verified and stored stays trusted, as the client keeps it.
            if let stored = MetadataDirectory(directory).read(role: "root"), let root = try? Self.verifiedRoot(stored),
                root.common.version > self.root.common.version
            {
                self.root = root
            }
            throw SyncError(tuf: error)
        }
        let catalog = try TargetCatalog.targets(from: found.map { ($0.path, $0.file) })
        guard let state = updater.state else { throw SyncError(.metadataInvalid, "the refresh left no trusted state", subject: "root") }
        adopt(state)
        targets = catalog
        lastFreshRefresh = now
        Self.writeLastFreshRefresh(now, directory)
        return RefreshReport(
            rootsFollowed: rootVersion > previousRoot ? Array(previousRoot + 1...rootVersion) : [],
            targetsChanged: snapshotVersion != previousSnapshot, snapshotVersion: snapshotVersion, freshness: freshness(now: now))
    }

    /// Fresh until the first of root, timestamp, snapshot and targets expires; stale for the grace
    /// period after the last successful refresh; expired after that. Nil before any refresh.
    public func freshness(now: Date) -> Freshness? {
        guard let expiresAt else { return nil }
        if now < expiresAt { return .fresh }
        if let lastFreshRefresh, now < lastFreshRefresh.addingTimeInterval(policy.gracePeriod) {
            return .stale(expiredAt: expiresAt)
        }
        return .expired(expiredAt: expiresAt)
    }

    /// The path under the repository of the file a target is fetched from: its consistent
    /// snapshot name when the root asks for them.
    public func location(of name: String, file: TargetFile) -> String {
        root.consistentSnapshot ? RepositoryLayout.target(name, sha256: file.sha256) : "\(RepositoryLayout.targetsDirectory)/\(name)"
    }

    private mutating func adopt(_ state: TrustedState) {
        root = state.root
        timestampVersion = state.timestamp?.common.version
        snapshotVersion = state.snapshot?.common.version
        let dates = [state.root.common, state.timestamp?.common, state.snapshot?.common, state.targets?.common].compactMap { $0?.expiresAt }
        expiresAt = state.timestamp == nil ? nil : dates.min().map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    private func makeUpdater(now: Date) -> Updater {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return Updater(
            directory: directory, metadataURL: RepositoryLayout.metadataDirectory + "/", fetcher: SourceFetcher(source: source),
            clock: { seconds })
    }

    static func verifiedRoot(_ data: Data) throws(SyncError) -> Root {
        do { return try TrustedState(root: data, policy: .lastVerified).root } catch {
            throw SyncError(tuf: error)
        }
    }

    struct State: Codable {
        var lastFreshRefresh: Date

        enum CodingKeys: String, CodingKey {
            case lastFreshRefresh = "last_fresh_refresh"
        }
    }

    static func readLastFreshRefresh(_ directory: URL) -> Date? {
        guard let data = FileManager.default.contents(atPath: directory.appending(path: stateFile).path) else { return nil }
        return try? CanonicalJSON.decode(State.self, from: data, subject: stateFile).lastFreshRefresh
    }

    /// Best effort: losing it only shortens the next grace period to nothing until a refresh.
    static func writeLastFreshRefresh(_ date: Date, _ directory: URL) {
        guard let data = try? CanonicalJSON.encode(State(lastFreshRefresh: date)) else { return }
        try? data.write(to: directory.appending(path: stateFile), options: .atomic)
    }
}

/// The TUF client's fetcher over a kiosk's repository source (the registry server, a web server,
/// a directory): paths relative to the repository, 404 as nil, the length limit enforced as
/// the bytes arrive.
struct SourceFetcher: TUFFetcher {
    let source: any RepositorySource

    func fetch(_ url: String, maximumLength: Int) async throws(TUFError) -> Data? {
        do { return try await source.fetchWhole(url, limit: maximumLength) } catch {
            throw TUFError(
                error.code == .lengthExceeded ? .lengthExceeded : .fetchFailed, error.message, context: url, underlying: error)
        }
    }
}
