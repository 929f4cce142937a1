/// Stops sending to a printer that keeps failing at the transport level, so a dead printer costs
/// one probe per cool-down instead of a timeout per job. Closed: jobs flow. After
/// `failureThreshold` consecutive failures it opens: nothing is sent until `coolDown` has passed.
/// Then it is half-open: one job goes through as a probe; success closes it, failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case closed, open, halfOpen = "half_open"
    }

    public let failureThreshold: Int
    public let coolDown: Duration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    /// When an open breaker lets a probe through.
    public private(set) var retryAt: ContinuousClock.Instant?

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }

    /// Whether a job may be sent now; an open breaker whose cool-down has passed turns half-open.
    public mutating func allowsAttempt(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed, .halfOpen:
            return true
        case .open:
            guard let retryAt, now >= retryAt else { return false }
            state = .halfOpen
            return true
        }
    }

    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        retryAt = nil
    }

    public mutating func recordFailure(now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= failureThreshold {
            state = .open
            retryAt = now + coolDown
        }
    }
}
