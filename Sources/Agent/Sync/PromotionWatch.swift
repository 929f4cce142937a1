import Foundation
import Synchronization

/// Watches the renders of releases just promoted: if their failures exceed the configured share
/// of their renders within the window after the promotion, it asks (once) for a rollback. A
/// failure is a tier attempt that did not give a printable badge, whether or not a lower tier
/// then printed it, so a broken release is caught even though attendees still get badges.
final class PromotionWatch: Sendable {
    private struct State {
        var digests: Set<String> = []
        var since = Date.distantPast
        var attempts = 0
        var failures = 0
        var tripped = false
    }

    let failureRatio: Double
    let window: TimeInterval
    private let state = Mutex(State())
    private let onTrip: @Sendable (_ digests: Set<String>, _ failures: Int, _ attempts: Int) -> Void

    init(failureRatio: Double, window: TimeInterval, onTrip: @escaping @Sendable (Set<String>, Int, Int) -> Void) {
        self.failureRatio = failureRatio
        self.window = window
        self.onTrip = onTrip
    }

    /// Starts watching the releases of a new promotion (replacing any earlier watch).
    func watch(_ digests: Set<String>, since: Date) {
        state.withLock { $0 = State(digests: digests, since: since) }
    }

    func stop() {
        state.withLock { $0 = State() }
    }

    func record(_ source: TemplateSource, rendered: Bool, now: Date = Date()) {
        guard let digest = source.digest else { return }
        let trip: (Set<String>, Int, Int)? = state.withLock { state in
            guard !state.tripped, state.digests.contains(digest), now.timeIntervalSince(state.since) <= window else { return nil }
            state.attempts += 1
            if !rendered { state.failures += 1 }
            guard Double(state.failures) > failureRatio * Double(state.attempts) else { return nil }
            state.tripped = true
            return (state.digests, state.failures, state.attempts)
        }
        if let trip { onTrip(trip.0, trip.1, trip.2) }
    }
}
