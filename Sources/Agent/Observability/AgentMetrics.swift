public import Foundation
public import Metrics
import Printers
public import Store
import Synchronization

/// The agent's metrics. Counters and the render-duration histogram go to swift-metrics as they
/// happen; the figures an operator wants at a glance (render p95, print success ratio,
/// dead letters per minute, queue depth, printer state) are gauges recomputed on each scrape of
/// `/metrics`, because a kiosk often has no Prometheus server to derive them from counters.
/// Rates cover the last five minutes.
public final class AgentMetrics: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case printed
        case manualReview = "manual_review"
        case deadLettered = "dead_lettered"
    }

    /// Why a client or a request was refused at the boundary (docs/agent.md, "Integrators and peers").
    public enum Refusal: String, Sendable, CaseIterable {
        /// A client certificate neither chained to `tls.client_ca` nor pinned.
        case clientCertificate = "client_certificate"
        /// No token, or one the agent does not know, where one is needed.
        case unauthorized
        case tokenOutOfWindow = "token_out_of_window"
        case scopeMissing = "scope_missing"
        /// A webhook delivery from outside its source's address list.
        case addressNotAllowed = "address_not_allowed"
    }

    static let window: TimeInterval = 300
    /// Bounds the memory of the window on a busy kiosk: enough samples for a steady p95.
    static let maxSamples = 4096

    private struct Sample<Value> {
        var at: Date
        var value: Value
    }

    private struct Window {
        var renders: [Sample<Double>] = []
        var outcomes: [Sample<Outcome>] = []
        var deadLetters: [Sample<String>] = []

        /// Appends to one of the series, dropping its oldest samples beyond `maxSamples`.
        static func append<Value>(_ sample: Sample<Value>, to series: inout [Sample<Value>]) {
            series.append(sample)
            if series.count > AgentMetrics.maxSamples { series.removeFirst(series.count - AgentMetrics.maxSamples) }
        }

        mutating func prune(now: Date) {
            let oldest = now.addingTimeInterval(-AgentMetrics.window)
            renders.removeAll { $0.at < oldest }
            outcomes.removeAll { $0.at < oldest }
            deadLetters.removeAll { $0.at < oldest }
        }
    }

    private let recent = Mutex(Window())
    /// Where the metrics go: the process's metrics system by default; a test gives each agent
    /// its own registry so that agents running side by side do not mix their figures.
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// One read at the kiosk's scanner (`ScanQualityLoop`): the printer and template version it
    /// counts against (`unattributed`, `unknown` when it has none) and what it was.
    public func recordScan(printer: String?, templateVersion: String?, result: ScanKind) {
        Counter(
            label: "lanyard_scans_total",
            dimensions: [
                ("printer", printer ?? "unattributed"), ("template_version", templateVersion ?? "unknown"), ("result", result.rawValue),
            ],
            factory: factory
        ).increment()
    }

    /// A decision of the scan-quality loop: what it changed on a printer (`none`: nothing was left).
    public func recordScanQualityAdjustment(printer: String, change: ScanAdjustmentChange) {
        Counter(
            label: "lanyard_scan_quality_adjustments_total", dimensions: [("printer", printer), ("change", change.rawValue)],
            factory: factory
        ).increment()
    }

    /// A badge that no template tier could render.
    public func recordRenderFailure() {
        Counter(label: "lanyard_render_failures_total", factory: factory).increment()
    }

    /// A badge rendered and encoded, with the template tier that made it.
    public func recordRender(seconds: Double, tier: String, now: Date = Date()) {
        Timer(label: "lanyard_render_duration_seconds", factory: factory).recordSeconds(seconds)
        Counter(label: "lanyard_template_tier_total", dimensions: [("tier", tier)], factory: factory).increment()
        recent.withLock { Window.append(Sample(at: now, value: seconds), to: &$0.renders) }
    }

    /// A job reached a terminal state the printer is responsible for.
    public func recordOutcome(_ outcome: Outcome, now: Date = Date()) {
        Counter(label: "lanyard_jobs_total", dimensions: [("outcome", outcome.rawValue)], factory: factory).increment()
        recent.withLock { Window.append(Sample(at: now, value: outcome), to: &$0.outcomes) }
    }

    /// A request or job became a dead letter at `stage`.
    public func recordDeadLetter(stage: PipelineStage, now: Date = Date()) {
        Counter(label: "lanyard_dead_letters_total", dimensions: [("stage", stage.rawValue)], factory: factory).increment()
        recent.withLock { Window.append(Sample(at: now, value: stage.rawValue), to: &$0.deadLetters) }
    }

    /// Queued badges a printer that could not print handed to another printer of the box.
    public func recordHandover(from source: String, to target: String, jobs: Int) {
        Counter(label: "lanyard_handover_jobs_total", dimensions: [("from", source), ("to", target)], factory: factory)
            .increment(by: Int64(jobs))
    }

    /// A badge's move along its chain: to a destination off the box after its deadline.
    public func recordDeadlineMove(to target: String) {
        Counter(label: "lanyard_deadline_moves_total", dimensions: [("to", target)], factory: factory).increment()
    }

    /// A badge past its deadline with no place left to go: flagged to the operator.
    public func recordOverdue() {
        Counter(label: "lanyard_overdue_jobs_total", factory: factory).increment()
    }

    /// One offer to a peer, from send to its durable answer.
    public func recordPeerOffer(seconds: Double, outcome: String) {
        Timer(label: "lanyard_peer_offer_duration_seconds", dimensions: [("outcome", outcome)], factory: factory).recordSeconds(seconds)
    }

    /// A stage of one badge ran past its limit (`limits:`): intake, render or encode.
    public func recordExecutionTimeout(stage: PipelineStage) {
        Counter(label: "lanyard_execution_timeouts_total", dimensions: [("stage", stage.rawValue)], factory: factory).increment()
    }

    /// A render child started (the first badge, or the first after it idled out, timed out or died).
    public func recordRenderChildStart() {
        Counter(label: "lanyard_render_child_starts_total", factory: factory).increment()
    }

    /// A render child that died or answered garbage in the middle of a badge.
    public func recordRenderChildFailure() {
        Counter(label: "lanyard_render_child_failures_total", factory: factory).increment()
    }

    /// A client or a request refused at the boundary.
    public func recordRefusal(_ reason: Refusal) {
        Counter(label: "lanyard_agent_refusals_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    /// What the last five minutes looked like.
    public struct Summary: Sendable, Equatable {
        /// Nil without a render in the window.
        public var renderP95Seconds: Double?
        /// Printed over all outcomes; nil without an outcome in the window.
        public var printSuccessRatio: Double?
        public var deadLettersPerMinute: Double
        /// Jobs that ended (printed, manual review, dead-lettered) in the window: what the ratio is of.
        public var jobsEnded: Int = 0
    }

    public func summary(now: Date = Date()) -> Summary {
        recent.withLock { window in
            window.prune(now: now)
            var p95: Double?
            if !window.renders.isEmpty {
                let sorted = window.renders.map(\.value).sorted()
                p95 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
            }
            let printed = window.outcomes.filter { $0.value == .printed }.count
            return Summary(
                renderP95Seconds: p95,
                printSuccessRatio: window.outcomes.isEmpty ? nil : Double(printed) / Double(window.outcomes.count),
                deadLettersPerMinute: Double(window.deadLetters.count) / (Self.window / 60), jobsEnded: window.outcomes.count)
        }
    }

    /// Sets the scrape-time gauges: the window's figures, queue depth and jobs per state from the
    /// store, and each printer's state from its worker.
    func refreshGauges(core: AgentCore) {
        let figures = summary()
        Gauge(label: "lanyard_render_duration_p95_seconds", factory: factory).record(figures.renderP95Seconds ?? 0)
        Gauge(label: "lanyard_print_success_ratio", factory: factory).record(figures.printSuccessRatio ?? 1)
        Gauge(label: "lanyard_dead_letters_per_minute", factory: factory).record(figures.deadLettersPerMinute)
        Gauge(label: "lanyard_jobs_ended_recent", factory: factory).record(figures.jobsEnded)
        if let counts = try? core.store.stateCounts() {
            for state in JobState.allCases {
                Gauge(label: "lanyard_jobs", dimensions: [("state", state.apiName)], factory: factory).record(counts[state] ?? 0)
            }
        }
        if let sync = core.sync {
            let status = sync.status
            for state in ["fresh", "stale", "expired", "unknown"] {
                Gauge(label: "lanyard_registry_freshness", dimensions: [("state", state)], factory: factory)
                    .record(AgentAPI.freshnessName(status.freshness) == state ? 1 : 0)
            }
            Gauge(label: "lanyard_registry_seconds_since_fresh_refresh", factory: factory)
                .record(status.lastFreshRefresh.map { Date().timeIntervalSince($0) } ?? -1)
            Gauge(label: "lanyard_registry_targets_version", factory: factory).record(status.targetsVersion ?? 0)
            Gauge(label: "lanyard_registry_consecutive_failures", factory: factory).record(status.consecutiveFailures)
            Gauge(label: "lanyard_template_rollbacks", factory: factory).record(sync.rollbacks.count)
        }
        for (id, worker) in core.workers {
            let snapshot = worker.state
            Gauge(label: "lanyard_queue_depth", dimensions: [("printer", id)], factory: factory).record(
                (try? core.store.queueDepth(printerID: id)) ?? 0)
            Gauge(label: "lanyard_printer_ready", dimensions: [("printer", id)], factory: factory).record(snapshot.status.isReady ? 1 : 0)
            Gauge(label: "lanyard_printer_breaker_open", dimensions: [("printer", id)], factory: factory)
                .record(snapshot.activity == .breakerOpen ? 1 : 0)
            for activity in WorkerSnapshot.Activity.allCases {
                Gauge(label: "lanyard_printer_activity", dimensions: [("printer", id), ("activity", activity.rawValue)], factory: factory)
                    .record(snapshot.activity == activity ? 1 : 0)
            }
        }
    }
}
