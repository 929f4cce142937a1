public import Foundation
import LanyardSupport
public import Logging
public import ServiceLifecycle
import Sync
import Synchronization
public import TUF

/// Keeps the repository's timestamp from expiring: with the timestamp role's key, re-signs it
/// (the same snapshot, the next version, a new expiry) whenever less than half of `lifetime`
/// remains; without the key, warns once per timestamp version that it needs re-signing, and
/// again when it has expired, so an operator learns before kiosks go stale.
public final class TimestampRefresher: Service, Sendable {
    public enum Outcome: Sendable, Equatable {
        case nothingPublished
        case fresh(remaining: TimeInterval)
        /// The version and expiry of the timestamp signed.
        case refreshed(version: Int64, expires: Date)
        /// Read-only server: the timestamp needs re-signing by someone holding the key.
        case needsRefresh(remaining: TimeInterval)
        /// Another process holds the publish lock; the next check will try again.
        case busy
    }

    public let repository: URL
    public let key: TUFSigningKey?
    public let lifetime: TimeInterval
    public let interval: Duration
    let logger: Logger
    private let warned = Mutex<Set<String>>([])

    public init(repository: URL, key: TUFSigningKey?, lifetime: TimeInterval, interval: Duration = .seconds(60), logger: Logger) {
        self.repository = repository
        self.key = key
        self.lifetime = lifetime
        self.interval = interval
        self.logger = logger
    }

    /// One check, at `now`.
    @discardableResult
    public func checkOnce(now: Date = Date()) throws -> Outcome {
        let writer = RegistryPublisher.writer(repository)
        guard let timestamp = try writer.state().timestamp else { return .nothingPublished }
        let remaining = Self.expiry(timestamp).timeIntervalSince(now)
        guard remaining < lifetime / 2 else { return .fresh(remaining: remaining) }
        guard let key else {
            report(timestamp, remaining: remaining)
            return .needsRefresh(remaining: remaining)
        }
        // The writer reads the timestamp again under the publication lock, so a fresh one a
        // publisher just wrote is only ever replaced by a later version.
        let result = Result { () throws(TUFError) -> PublishedVersions in
            try writer.resignTimestamp(signers: [key], expiry: TUFExpiryPolicy(timestamp: lifetime), now: now, wait: false)
        }
        if case .failure(let error) = result, error.code == .repositoryBusy { return .busy }
        let versions = try result.get()
        let expires = now.addingTimeInterval(lifetime)
        logger.notice(
            "timestamp re-signed",
            metadata: [
                "timestamp_version": "\(versions.timestamp)", "snapshot_version": "\(versions.snapshot)",
                "expires": "\(Timestamps.iso8601(expires))",
            ])
        return .refreshed(version: versions.timestamp, expires: expires)
    }

    static func expiry(_ timestamp: Timestamp) -> Date { Date(timeIntervalSince1970: TimeInterval(timestamp.common.expiresAt)) }

    private func report(_ timestamp: Timestamp, remaining: TimeInterval) {
        let expired = remaining <= 0
        let key = "\(timestamp.common.version)-\(expired)"
        guard warned.withLock({ $0.insert(key).inserted }) else { return }
        let metadata: Logger.Metadata = [
            "timestamp_version": "\(timestamp.common.version)", "expires": "\(Timestamps.iso8601(Self.expiry(timestamp)))",
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
