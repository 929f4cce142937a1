public import Foundation
public import Logging
public import ServiceLifecycle
public import Sync
import Synchronization
import TUF

/// Notices when another process (`lanyard registry publish`, the timestamp refresher) replaces
/// `timestamp.json`, by examining the file a few times a second (a `stat`, nothing read while
/// it is unchanged), and tells the notify hub. The same loop expires long-polls whose timeout
/// passed (at least once a second, whatever the interval), so the whole notify mechanism is one
/// task however many kiosks wait. Replicas sharing a database announce what they read
/// (`announce`) and `wake()` each other's watchers to look at once.
public final class RepositoryWatcher: Service, Sendable {
    public let repository: URL
    public let hub: NotifyHub
    public let interval: Duration
    let logger: Logger
    /// Told of every new version read, to pass it on to the other replicas.
    let announce: (@Sendable (RepositoryVersions) async -> Void)?
    /// The file as last examined; `.none` before the first check.
    private let seen = Mutex<FileIdentity??>(.none)
    /// Why the loop runs next: its own timer, or `wake()`. At most one of each is kept.
    private let ticks: AsyncStream<Tick>
    private let ticker: AsyncStream<Tick>.Continuation

    enum Tick {
        case timer, woken
    }

    /// How often waits are expired when the file is examined less often.
    static let expiryInterval: Duration = .seconds(1)

    public init(
        repository: URL, hub: NotifyHub, interval: Duration = .milliseconds(200), logger: Logger,
        announce: (@Sendable (RepositoryVersions) async -> Void)? = nil
    ) {
        self.repository = repository
        self.hub = hub
        self.interval = interval
        self.logger = logger
        self.announce = announce
        (ticks, ticker) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .bufferingNewest(2))
    }

    /// Examine the file now rather than at the next interval (another replica read a new version).
    public func wake() {
        ticker.yield(.woken)
    }

    /// The versions of the timestamp as it is now, read without verifying signatures: the
    /// server only relays version numbers, kiosks verify what they download.
    public static func readVersions(repository: URL) throws(SyncError) -> RepositoryVersions {
        let path = repository.appending(path: RepositoryLayout.timestamp).path
        guard let data = FileManager.default.contents(atPath: path) else { return .nothingPublished }
        let timestamp: Timestamp
        do { timestamp = try Timestamp(try TUF.SignedEnvelope(parsing: data)) } catch {
            throw SyncError(tuf: error)
        }
        return RepositoryVersions(
            timestampVersion: Int(timestamp.common.version), targetsVersion: Int(timestamp.snapshotMeta.version),
            timestampExpires: Date(timeIntervalSince1970: TimeInterval(timestamp.common.expiresAt)))
    }

    /// Reads the timestamp if the file changed since the last check and hands the versions to
    /// the hub. Called by `run()` only, so checks never overlap.
    @discardableResult
    public func check() async -> RepositoryVersions? {
        let path = repository.appending(path: RepositoryLayout.timestamp).path
        let identity = FileIdentity(path: path)
        let changed = seen.withLock { last in
            defer { last = .some(identity) }
            return last != .some(identity)
        }
        guard changed else { return nil }
        do {
            let versions = try Self.readVersions(repository: repository)
            await hub.update(versions)
            await announce?(versions)
            logger.debug(
                "repository timestamp read",
                metadata: [
                    "timestamp_version": "\(versions.timestampVersion)", "targets_version": "\(versions.targetsVersion)",
                ])
            return versions
        } catch {
            // Kept as seen: the next replacement of the file is read again, a broken file is
            // not re-read (and logged) five times a second.
            logger.warning("cannot read the repository's timestamp", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            let pause = min(self.interval, Self.expiryInterval)
            let ticksPerCheck = max(1, Int((self.interval / pause).rounded(.up)))
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: pause)
                        self.ticker.yield(.timer)
                    }
                }
                await self.check()
                var timerTicks = 0
                // Ends when the task is cancelled (at shutdown), which also ends the timer.
                for await tick in self.ticks {
                    if tick == .timer { timerTicks += 1 }
                    if tick == .woken || timerTicks >= ticksPerCheck {
                        await self.check()
                        timerTicks = 0
                    }
                    await self.hub.expire()
                }
                group.cancelAll()
            }
        }
        await hub.close()
    }
}
