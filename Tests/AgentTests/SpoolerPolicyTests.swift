import Agent
import LanyardSupport
import Testing

@Suite struct RetryPolicyTests {
    @Test func delaysGrowExponentiallyWithFullJitterAndStopAfterTheLastAttempt() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(30))
        var generator = SplitMix64(seed: 42)
        var first: [Duration] = [], second: [Duration] = []
        for _ in 0..<2000 {
            first.append(policy.delay(afterFailedAttempt: 1, using: &generator) ?? .seconds(-1))
            second.append(policy.delay(afterFailedAttempt: 2, using: &generator) ?? .seconds(-1))
        }
        #expect(first.allSatisfy { $0 >= .zero && $0 <= .seconds(1) })
        #expect(second.allSatisfy { $0 >= .zero && $0 <= .seconds(2) })
        // Full jitter: the waits spread over the whole range, not around one value.
        #expect(first.contains { $0 < .milliseconds(100) } && first.contains { $0 > .milliseconds(900) })
        #expect(second.contains { $0 > .milliseconds(1800) })
        #expect(policy.delay(afterFailedAttempt: 3, using: &generator) == nil, "three sends in all, then manual review")
    }

    @Test func theBoundNeverPassesTheMaximum() {
        let policy = RetryPolicy(maxAttempts: 40, baseDelay: .seconds(1), maxDelay: .seconds(5))
        var generator = SplitMix64(seed: 7)
        for attempt in 1..<40 {
            let delay = policy.delay(afterFailedAttempt: attempt, using: &generator)
            #expect(delay.map { $0 <= .seconds(5) } == true)
        }
    }
}

@Suite struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresProbesAfterTheCoolDownAndClosesOnSuccess() {
        var breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<2 { breaker.recordFailure(now: start) }
        let allowed = breaker.allowsAttempt(now: start)
        #expect(breaker.state == .closed && allowed)
        breaker.recordFailure(now: start)
        #expect(breaker.state == .open)
        let early = breaker.allowsAttempt(now: start + .seconds(9))
        let afterCoolDown = breaker.allowsAttempt(now: start + .seconds(10))
        #expect(!early && afterCoolDown)
        #expect(breaker.state == .halfOpen)
        breaker.recordFailure(now: start + .seconds(10))
        #expect(breaker.state == .open, "a failed probe opens it again at once")
        let beforeSecondCoolDown = breaker.allowsAttempt(now: start + .seconds(19))
        let afterSecondCoolDown = breaker.allowsAttempt(now: start + .seconds(20))
        #expect(!beforeSecondCoolDown && afterSecondCoolDown)
        breaker.recordSuccess()
        #expect(breaker.state == .closed && breaker.consecutiveFailures == 0)
    }

    @Test func aSuccessResetsTheCount() {
        var breaker = CircuitBreaker(failureThreshold: 2, coolDown: .seconds(1))
        let now = ContinuousClock.now
        breaker.recordFailure(now: now)
        breaker.recordSuccess()
        breaker.recordFailure(now: now)
        #expect(breaker.state == .closed)
    }
}
