public import Foundation
public import Logging
public import ServiceLifecycle
public import Sync
import Synchronization

/// Notices when another process (`lanyard registry publish`, the timestamp refresher) replaces
/// `timestamp.json`, by examining the file a few times a second (a `stat`, nothing read while
/// it is unchanged), and tells the notify hub. The same loop expires long-polls whose timeout
/// passed, so the whole notify mechanism is one task however many kiosks wait.
public final class RepositoryWatcher: Service, Sendable {
    public let repository: URL
    public let hub: NotifyHub
    public let interval: Duration
    let logger: Logger
    /// The file as last examined; `.none` before the first check.
    private let seen = Mutex<FileIdentity??>(.none)

    public init(repository: URL, hub: NotifyHub, interval: Duration = .milliseconds(200), logger: Logger) {
        self.repository = repository
        self.hub = hub
        self.interval = interval
        self.logger = logger
    }

    /// The versions of the timestamp as it is now, read without verifying signatures: the
    /// server only relays version numbers, kiosks verify what they download.
    public static func readVersions(repository: URL) throws(SyncError) -> RepositoryVersions {
        guard let timestamp = try RepositoryWriter(directory: repository).currentTimestamp() else { return .nothingPublished }
        return RepositoryVersions(
            timestampVersion: timestamp.version, targetsVersion: timestamp.targets.version,
            timestampExpires: timestamp.expires)
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
            while !Task.isCancelled {
                await self.check()
                await self.hub.expire()
                try? await Task.sleep(for: self.interval)
            }
        }
        await hub.close()
    }
}
