public import Foundation
import LanyardSupport
public import Logging
public import ServiceLifecycle
public import Sync
import Synchronization

/// Keeps the repository's timestamp from expiring: with the timestamp role's key, re-signs it
/// (the same targets, the next version, a new expiry) whenever less than half of `lifetime`
/// remains; without the key, warns once per timestamp version that it needs re-signing, and
/// again when it has expired, so an operator learns before kiosks go stale.
public final class TimestampRefresher: Service, Sendable {
    public enum Outcome: Sendable, Equatable {
        case nothingPublished
        case fresh(remaining: TimeInterval)
        case refreshed(TimestampMetadata)
        /// Read-only server: the timestamp needs re-signing by someone holding the key.
        case needsRefresh(remaining: TimeInterval)
        /// Another process holds the publish lock; the next check will try again.
        case busy
    }

    public let repository: URL
    public let key: SigningKey?
    public let lifetime: TimeInterval
    public let interval: Duration
    let logger: Logger
    private let warned = Mutex<Set<String>>([])

    public init(repository: URL, key: SigningKey?, lifetime: TimeInterval, interval: Duration = .seconds(60), logger: Logger) {
        self.repository = repository
        self.key = key
        self.lifetime = lifetime
        self.interval = interval
        self.logger = logger
    }

    /// One check, at `now`.
    @discardableResult
    public func checkOnce(now: Date = Date()) throws -> Outcome {
        let writer = RepositoryWriter(directory: repository)
        guard let timestamp = try writer.currentTimestamp() else { return .nothingPublished }
        let remaining = timestamp.expires.timeIntervalSince(now)
        guard remaining < lifetime / 2 else { return .fresh(remaining: remaining) }
        guard let key else {
            report(timestamp, remaining: remaining)
            return .needsRefresh(remaining: remaining)
        }
        let outcome = try RepositoryLock(repository: repository).withLock(wait: false) { () throws -> Outcome in
            // Read again under the lock: a publication may have just written a fresh one.
            guard let latest = try writer.currentTimestamp() else { return .nothingPublished }
            let left = latest.expires.timeIntervalSince(now)
            guard left < lifetime / 2 else { return .fresh(remaining: left) }
            return .refreshed(try writer.refreshTimestamp(keys: [key], lifetime: lifetime, now: now))
        }
        if case .refreshed(let refreshed)? = outcome {
            logger.notice(
                "timestamp re-signed",
                metadata: [
                    "timestamp_version": "\(refreshed.version)", "targets_version": "\(refreshed.targets.version)",
                    "expires": "\(Timestamps.iso8601(refreshed.expires))",
                ])
        }
        return outcome ?? .busy
    }

    private func report(_ timestamp: TimestampMetadata, remaining: TimeInterval) {
        let expired = remaining <= 0
        let key = "\(timestamp.version)-\(expired)"
        guard warned.withLock({ $0.insert(key).inserted }) else { return }
        let metadata: Logger.Metadata = [
            "timestamp_version": "\(timestamp.version)", "expires": "\(Timestamps.iso8601(timestamp.expires))",
            "remaining_seconds": "\(Int(remaining))",
        ]
        if expired {
            logger.error(
                "the timestamp has expired; kiosks will go stale. Re-sign it or start the server with --timestamp-key",
                metadata: metadata)
        } else {
            logger.warning("the timestamp expires soon and this server has no timestamp key to re-sign it", metadata: metadata)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try self.checkOnce() } catch {
                    self.logger.error("cannot refresh the timestamp", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
