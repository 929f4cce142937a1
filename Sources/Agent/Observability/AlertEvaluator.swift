public import Foundation

/// The alert conditions of `AlertRules`, evaluated the way Prometheus evaluates the shipped rules,
/// for a kiosk with no Prometheus: each `record` is one evaluation (once a minute in the agent).
/// A signal's value is kept in a ring of the baseline's length, the baseline is the mean and
/// population standard deviation of what the ring holds within the window, current value
/// included (`avg_over_time` and `stddev_over_time` over `[3h]`), and a condition fires once it
/// held for its `for` evaluations in a row. Nothing grows: five rings of 181 samples.
///
/// A value type with no clock: whoever records says when, so tests step through hours of
/// evaluations without waiting.
public struct AlertEvaluator: Sendable {
    /// One evaluation's values; a signal missing here has no value now (no render in the
    /// window, too few ended jobs, no registry or never fresh) and both its conditions reset.
    public typealias Values = [AlertSignal: Double]

    public struct Baseline: Sendable, Equatable {
        public var mean: Double
        public var sigma: Double
        public var samples: Int
    }

    public enum Severity: String, Sendable, Codable {
        case warning, critical
    }

    public enum Phase: String, Sendable, Codable {
        /// The condition holds, not yet for its `for`.
        case pending
        case firing
    }

    /// A condition that holds now.
    public struct Condition: Sendable, Equatable {
        public var alert: String
        public var signal: AlertSignal
        public var severity: Severity
        public var phase: Phase
        public var direction: AlertRule.Direction
        public var value: Double
        /// The floor of this condition: the rule's floor, or its severe floor.
        public var floor: Double
        /// The baseline at this evaluation; nil before it has enough samples.
        public var baseline: Baseline?
        /// The first evaluation of this run of evaluations where the condition held.
        public var since: Date
        /// The evaluation at which it started to fire.
        public var firingSince: Date?
    }

    /// A signal as of the last evaluation.
    public struct SignalState: Sendable, Equatable {
        public var signal: AlertSignal
        public var value: Double?
        public var baseline: Baseline?
    }

    /// Where one alert stands: since which evaluation (count and time) its condition holds.
    private struct Hold: Sendable {
        var evaluation: Int
        var at: Date
        var firingSince: Date?
    }

    private struct Track: Sendable {
        var ring: SampleRing
        var value: Double?
        var baseline: Baseline?
        var baselineHold: Hold?
        var severeHold: Hold?
    }

    public let rules: [AlertRule]
    /// Seconds between evaluations; the baseline window is `AlertRules.baselineIntervals` of them.
    public let interval: TimeInterval
    private var tracks: [AlertSignal: Track]
    private var evaluations = 0
    public private(set) var evaluatedAt: Date?

    public init(rules: [AlertRule] = AlertRules.all, interval: TimeInterval = AlertRules.defaultIntervalSeconds) {
        self.rules = rules
        self.interval = interval
        var tracks: [AlertSignal: Track] = [:]
        for rule in rules {
            // The window includes both its ends, as a Prometheus 2 range does: 181 samples.
            tracks[rule.signal] = Track(ring: SampleRing(capacity: AlertRules.baselineIntervals + 1))
        }
        self.tracks = tracks
    }

    /// Seconds the baseline looks back.
    public var window: TimeInterval { Double(AlertRules.baselineIntervals) * interval }

    /// One evaluation at `now` with the signals' current values.
    public mutating func record(_ values: Values, at now: Date) {
        evaluations += 1
        evaluatedAt = now
        for rule in rules {
            guard var track = tracks[rule.signal] else { continue }
            let value = values[rule.signal]
            var baselineHolds = false
            var severeHolds = false
            track.value = value
            if let value {
                track.ring.append(SignalSample(at: now, value: value))
                track.baseline = track.ring.baseline(since: now.addingTimeInterval(-window))
                if let baseline = track.baseline, baseline.samples >= AlertRules.minimumBaselineSamples {
                    baselineHolds =
                        rule.reaches(value, rule.floor) && rule.beyond(value, mean: baseline.mean, sigma: baseline.sigma)
                }
                severeHolds = rule.reaches(value, rule.severeFloor)
            } else {
                track.baseline = track.ring.baseline(since: now.addingTimeInterval(-window))
            }
            track.baselineHold = advance(track.baselineHold, holds: baselineHolds, for: rule.forIntervals, at: now)
            track.severeHold = advance(track.severeHold, holds: severeHolds, for: rule.severeForIntervals, at: now)
            tracks[rule.signal] = track
        }
    }

    private func advance(_ hold: Hold?, holds: Bool, for intervals: Int, at now: Date) -> Hold? {
        guard holds else { return nil }
        var hold = hold ?? Hold(evaluation: evaluations, at: now)
        // Counted in evaluations, not seconds: a sleep that wakes a little late must not delay
        // an alert by a whole interval.
        if hold.firingSince == nil, evaluations - hold.evaluation >= intervals { hold.firingSince = now }
        return hold
    }

    /// The conditions that hold now, firing first, then by signal.
    public var conditions: [Condition] {
        var found: [Condition] = []
        for rule in rules {
            guard let track = tracks[rule.signal], let value = track.value else { continue }
            let usable = track.baseline.flatMap { $0.samples >= AlertRules.minimumBaselineSamples ? $0 : nil }
            let held: [(Hold?, String, Severity, Double)] = [
                (track.baselineHold, rule.baselineAlert, .warning, rule.floor),
                (track.severeHold, rule.severeAlert, .critical, rule.severeFloor),
            ]
            for case let (hold?, alert, severity, floor) in held {
                found.append(
                    Condition(
                        alert: alert, signal: rule.signal, severity: severity, phase: hold.firingSince == nil ? .pending : .firing,
                        direction: rule.direction, value: value, floor: floor, baseline: usable, since: hold.at,
                        firingSince: hold.firingSince))
            }
        }
        return found.filter { $0.phase == .firing } + found.filter { $0.phase != .firing }
    }

    /// Every signal's value and baseline as of the last evaluation.
    public var signals: [SignalState] {
        rules.compactMap { rule in
            tracks[rule.signal].map { SignalState(signal: rule.signal, value: $0.value, baseline: $0.baseline) }
        }
    }
}

struct SignalSample: Sendable {
    var at: Date
    var value: Double
}

/// A fixed number of the latest samples, oldest overwritten first: the memory of a signal never
/// grows, however long the agent runs.
struct SampleRing: Sendable {
    private var storage: [SignalSample] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    var count: Int { storage.count }

    mutating func append(_ sample: SignalSample) {
        if storage.count < capacity {
            storage.append(sample)
        } else {
            storage[next] = sample
            next = (next + 1) % capacity
        }
    }

    /// Mean and population standard deviation of the samples taken at `start` or later.
    func baseline(since start: Date) -> AlertEvaluator.Baseline? {
        var count = 0
        var sum = 0.0
        for sample in storage where sample.at >= start {
            count += 1
            sum += sample.value
        }
        guard count > 0 else { return nil }
        let mean = sum / Double(count)
        var squares = 0.0
        for sample in storage where sample.at >= start {
            squares += (sample.value - mean) * (sample.value - mean)
        }
        return AlertEvaluator.Baseline(mean: mean, sigma: (squares / Double(count)).squareRoot(), samples: count)
    }
}
