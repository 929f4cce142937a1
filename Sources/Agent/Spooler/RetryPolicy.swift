/// When to try a job again after a transport fault: exponential backoff with full jitter (a
/// random wait between zero and the exponential bound), so kiosks that lost the same network
/// printer at once do not all come back at the same instant. After `maxAttempts` sends the job
/// goes to manual review. Printer states that stop printing (paper out, head open, paused) are
/// not faults: they pause the queue and count no attempt.
public struct RetryPolicy: Sendable, Equatable {
    /// Sends in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1`, given that `attempt` sends (1-based) have failed;
    /// nil when no attempt is left.
    public func delay(afterFailedAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let exponent = min(max(attempt - 1, 0), 30)
        let bound = min(maxDelay, baseDelay * (1 << exponent))
        let nanoseconds = Self.nanoseconds(bound)
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }

    public func delay(afterFailedAttempt attempt: Int) -> Duration? {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailedAttempt: attempt, using: &generator)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
