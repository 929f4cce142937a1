import Foundation
import LanyardSupport

// The alerts in the operator overview (docs/openapi.yaml, "OperatorAlerts"; docs/alerts.md).

/// `alerts` of `GET /v1/operator/overview`: the conditions that hold now and every signal's
/// figures, as of the agent's last evaluation.
public struct OperatorAlertsView: Codable, Sendable, Equatable {
    /// Nil until the first evaluation.
    public var evaluatedAt: String?
    public var intervalSeconds: Double
    /// How far back the baseline looks.
    public var baselineSeconds: Double
    /// Samples a baseline needs before it counts.
    public var baselineMinimumSamples: Int
    public var sigma: Double
    /// Firing first, then pending; empty when all is normal.
    public var conditions: [AlertConditionView]
    public var signals: [AlertSignalView]

    enum CodingKeys: String, CodingKey {
        case evaluatedAt = "evaluated_at", intervalSeconds = "interval_seconds", baselineSeconds = "baseline_seconds"
        case baselineMinimumSamples = "baseline_minimum_samples", sigma, conditions, signals
    }

    public init(_ evaluator: AlertEvaluator) {
        evaluatedAt = evaluator.evaluatedAt.map(Timestamps.iso8601)
        intervalSeconds = evaluator.interval
        baselineSeconds = evaluator.window
        baselineMinimumSamples = AlertRules.minimumBaselineSamples
        sigma = AlertRules.sigma
        let interval = evaluator.interval
        conditions = evaluator.conditions.map { condition in
            let rule = evaluator.rules.first { $0.signal == condition.signal }
            let intervals = condition.severity == .critical ? rule?.severeForIntervals : rule?.forIntervals
            return AlertConditionView(condition, forSeconds: Double(intervals ?? 0) * interval)
        }
        signals = evaluator.signals.map(AlertSignalView.init)
    }
}

/// One condition that holds: which alert, how bad, against what, since when.
public struct AlertConditionView: Codable, Sendable, Equatable {
    /// The alert's name, as in the Prometheus rules.
    public var alert: String
    public var signal: AlertSignal
    public var severity: AlertEvaluator.Severity
    public var state: AlertEvaluator.Phase
    public var direction: AlertRule.Direction
    public var value: Double
    public var floor: Double
    public var baseline: AlertBaselineView?
    /// How long the condition must hold before it fires.
    public var forSeconds: Double
    public var since: String
    public var firingSince: String?

    enum CodingKeys: String, CodingKey {
        case alert, signal, severity, state, direction, value, floor, baseline, forSeconds = "for_seconds", since
        case firingSince = "firing_since"
    }

    init(_ condition: AlertEvaluator.Condition, forSeconds: Double) {
        alert = condition.alert
        signal = condition.signal
        severity = condition.severity
        state = condition.phase
        direction = condition.direction
        value = condition.value
        floor = condition.floor
        baseline = condition.baseline.map(AlertBaselineView.init)
        self.forSeconds = forSeconds
        since = Timestamps.iso8601(condition.since)
        firingSince = condition.firingSince.map(Timestamps.iso8601)
    }
}

/// A baseline: mean and population standard deviation of the samples in its window.
public struct AlertBaselineView: Codable, Sendable, Equatable {
    public var mean: Double
    public var sigma: Double
    public var samples: Int

    init(_ baseline: AlertEvaluator.Baseline) {
        mean = baseline.mean
        sigma = baseline.sigma
        samples = baseline.samples
    }
}

/// A signal at the last evaluation; `value` is nil when it has none now (no render in the
/// window, too few ended jobs, no registry).
public struct AlertSignalView: Codable, Sendable, Equatable {
    public var signal: AlertSignal
    public var value: Double?
    public var baseline: AlertBaselineView?

    init(_ state: AlertEvaluator.SignalState) {
        signal = state.signal
        value = state.value
        baseline = state.baseline.map(AlertBaselineView.init)
    }
}
