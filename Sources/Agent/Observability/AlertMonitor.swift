public import Foundation
import LanyardSupport
import ServiceLifecycle
import Store
import Synchronization

/// The operator page's alerts (docs/alerts.md): the agent's own `AlertEvaluator`, fed once per
/// `alerts.interval_seconds` with the five signals read from the agent's state, the same figures
/// `/metrics` gives Prometheus. One wake-up per interval, nothing else.
public final class AlertMonitor: Sendable {
    private let evaluator: Mutex<AlertEvaluator>
    public let interval: TimeInterval

    public init(interval: TimeInterval = AlertRules.defaultIntervalSeconds) {
        self.interval = interval
        evaluator = Mutex(AlertEvaluator(interval: interval))
    }

    /// One evaluation.
    public func record(_ values: AlertEvaluator.Values, at now: Date) {
        evaluator.withLock { $0.record(values, at: now) }
    }

    /// The evaluator as of its last evaluation.
    public var current: AlertEvaluator { evaluator.withLock { $0 } }

    /// The signals as the Prometheus rules record them (`lanyard:*` in the rules file): the queue
    /// over every printer; render p95, dead letters a minute and the success ratio over the
    /// metrics' five minutes (the ratio only once `AlertRules.minimumEndedJobs` ended); the age of
    /// the last fresh registry refresh. A store that cannot be read leaves the queue out of this
    /// evaluation rather than calling it empty.
    public static func sample(_ core: AgentCore, now: Date) async -> AlertEvaluator.Values {
        var values: AlertEvaluator.Values = [:]
        let printers = Array(core.workers.keys)
        let store = core.store
        if let depth = try? await Blocking.run({ try printers.reduce(0) { $0 + (try store.queueDepth(printerID: $1)) } }) {
            values[.queueDepth] = Double(depth)
        }
        let figures = core.metrics.summary(now: now)
        values[.renderP95] = figures.renderP95Seconds
        values[.deadLetters] = figures.deadLettersPerMinute
        if figures.jobsEnded >= AlertRules.minimumEndedJobs { values[.printSuccessRatio] = figures.printSuccessRatio }
        if let fresh = core.sync?.status.lastFreshRefresh { values[.registryStaleness] = max(0, now.timeIntervalSince(fresh)) }
        return values
    }
}

/// Samples the agent's signals into its `AlertMonitor` at start and then once per interval, on a
/// schedule that does not drift, until the agent stops.
struct AlertService: Service {
    let core: AgentCore

    func run() async throws {
        let monitor = core.alerts
        let clock = ContinuousClock()
        let step = Duration.nanoseconds(Int64((monitor.interval * 1e9).rounded()))
        await cancelWhenGracefulShutdown {
            var next = clock.now
            while !Task.isCancelled {
                let now = Date()
                monitor.record(await AlertMonitor.sample(core, now: now), at: now)
                next = next.advanced(by: step)
                do { try await Task.sleep(until: next, clock: clock) } catch { return }
            }
        }
    }
}
