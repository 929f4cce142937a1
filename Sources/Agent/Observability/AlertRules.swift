/// The five signals an operator is alerted on, each against its own rolling baseline
/// (docs/alerts.md). The operator page evaluates these conditions in the agent (`AlertEvaluator`);
/// `packaging/prometheus/lanyard-alerts.rules.yml` states them for Prometheus, and a test reads
/// that file and checks every number in it against the table here, so the two cannot drift.
public enum AlertSignal: String, Sendable, CaseIterable, Codable {
    /// Badges waiting in the print queues, every printer of the kiosk together.
    case queueDepth = "queue_depth"
    /// The 95th percentile of render times over the last five minutes (`AgentMetrics.window`).
    case renderP95 = "render_p95"
    /// Dead letters per minute over the last five minutes.
    case deadLetters = "dead_letters"
    /// Printed over every ended job in the last five minutes, once enough jobs ended.
    case printSuccessRatio = "print_success_ratio"
    /// Seconds since the last fresh refresh of the registry's metadata.
    case registryStaleness = "registry_staleness"
}

/// One signal's two alerts: against the baseline (a warning), and past a severe floor with or
/// without a baseline (critical).
public struct AlertRule: Sendable, Equatable {
    public enum Direction: String, Sendable, Codable {
        /// More is worse (a queue, a render time, an age).
        case above
        /// Less is worse (the success ratio).
        case below
    }

    public var signal: AlertSignal
    /// The name of the signal's recorded series in the Prometheus rules.
    public var record: String
    public var direction: Direction
    /// The baseline alert needs the value at least this bad, however far it is from the mean: a
    /// quiet kiosk's sigma is tiny, and two badges more than usual must not page anyone.
    public var floor: Double
    /// The value that is bad whatever the kiosk's usual: the only condition on a kiosk with no
    /// baseline yet, and what keeps alerting once a long fault has become its own baseline.
    public var severeFloor: Double
    /// Evaluations the baseline condition must hold before it fires (Prometheus `for`, in minutes
    /// at the rules' one evaluation a minute): one spike does not page.
    public var forIntervals: Int
    public var severeForIntervals: Int
    public var baselineAlert: String
    public var severeAlert: String

    /// Whether `value` is at least as bad as `bound`.
    public func reaches(_ value: Double, _ bound: Double) -> Bool {
        direction == .above ? value >= bound : value <= bound
    }

    /// Whether `value` is more than `AlertRules.sigma` standard deviations worse than the mean.
    public func beyond(_ value: Double, mean: Double, sigma: Double) -> Bool {
        direction == .above ? value > mean + AlertRules.sigma * sigma : value < mean - AlertRules.sigma * sigma
    }
}

/// The numbers of every alert, defined once (docs/alerts.md says why each is what it is).
public enum AlertRules {
    /// How many standard deviations from the baseline's mean a value must be to alert.
    public static let sigma: Double = 2
    /// The baseline covers the last 180 evaluations: three hours at one a minute.
    public static let baselineIntervals = 180
    /// A baseline counts once it has 60 samples (an hour at one a minute); before that only the
    /// severe floors apply.
    public static let minimumBaselineSamples = 60
    /// The success ratio is a signal only once this many jobs ended in the five minutes it covers.
    public static let minimumEndedJobs = 5
    /// How often the Prometheus rules evaluate and the agent samples, unless `alerts.interval_seconds`
    /// says otherwise.
    public static let defaultIntervalSeconds: Double = 60

    public static let all: [AlertRule] = [
        AlertRule(
            signal: .queueDepth, record: "lanyard:queue_depth", direction: .above, floor: 10, severeFloor: 25, forIntervals: 5,
            severeForIntervals: 5, baselineAlert: "LanyardQueueDepthAboveBaseline", severeAlert: "LanyardQueueDepthSevere"),
        AlertRule(
            signal: .renderP95, record: "lanyard:render_p95_seconds", direction: .above, floor: 2, severeFloor: 5, forIntervals: 10,
            severeForIntervals: 5, baselineAlert: "LanyardRenderP95AboveBaseline", severeAlert: "LanyardRenderP95Severe"),
        AlertRule(
            signal: .deadLetters, record: "lanyard:dead_letters_per_minute", direction: .above, floor: 0.6, severeFloor: 2,
            forIntervals: 10, severeForIntervals: 10, baselineAlert: "LanyardDeadLettersAboveBaseline",
            severeAlert: "LanyardDeadLettersSevere"),
        AlertRule(
            signal: .printSuccessRatio, record: "lanyard:print_success_ratio", direction: .below, floor: 0.9, severeFloor: 0.5,
            forIntervals: 10, severeForIntervals: 5, baselineAlert: "LanyardPrintSuccessBelowBaseline",
            severeAlert: "LanyardPrintSuccessSevere"),
        AlertRule(
            signal: .registryStaleness, record: "lanyard:registry_staleness_seconds", direction: .above, floor: 1800,
            severeFloor: 21600, forIntervals: 10, severeForIntervals: 10, baselineAlert: "LanyardRegistryStaleAboveBaseline",
            severeAlert: "LanyardRegistryStaleSevere"),
    ]
}
