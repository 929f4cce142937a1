import Synchronization

/// A token bucket per source: `perMinute` deliveries a minute on average, bursts up to the
/// same number. Shared by request handlers, hence the mutex.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let perMinute: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(perMinute: Int) { self.perMinute = max(1, perMinute) }

    /// Takes a token for `source`; nil when allowed, else how long until the next token.
    public func acquire(_ source: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            let capacity = Double(perMinute)
            var bucket = buckets[source] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * capacity / 60)
            bucket.updated = now
            defer { buckets[source] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            let wait = (1 - bucket.tokens) * 60 / capacity
            return .milliseconds(Int((wait * 1000).rounded(.up)))
        }
    }
}
