import Agent
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The operator page's alerts as the agent evaluates them: a condition fires past 2 sigma and its
/// floor for its `for`, not under the floor, not within 2 sigma, and clears when the value does.
/// Evaluations are given their times, a minute apart: hours of a kiosk's day without waiting.
@Suite struct AlertEvaluatorTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Feeds `values` for one signal, one evaluation a minute from minute `from`; returns the
    /// minute after the last.
    @discardableResult
    func feed(_ evaluator: inout AlertEvaluator, _ signal: AlertSignal, _ values: [Double?], from minute: Int) -> Int {
        for (offset, value) in values.enumerated() {
            evaluator.record(value.map { [signal: $0] } ?? [:], at: at(minute + offset))
        }
        return minute + values.count
    }

    func at(_ minute: Int) -> Date { start.addingTimeInterval(Double(minute) * 60) }

    /// A kiosk's usual queue: 0 to 4 waiting, over and over (mean 2, sigma about 1.4).
    func usualQueue(_ minutes: Int) -> [Double?] { (0..<minutes).map { Double([1, 3, 2, 0, 4, 2, 1, 3, 2, 2][$0 % 10]) } }

    func alerts(_ evaluator: AlertEvaluator) -> [String] {
        evaluator.conditions.map { "\($0.alert) \($0.phase.rawValue)" }
    }

    @Test func aQueuePastTwoSigmaAndItsFloorFiresAfterItsFor() throws {
        var evaluator = AlertEvaluator()
        var minute = feed(&evaluator, .queueDepth, usualQueue(120), from: 0)
        #expect(evaluator.conditions.isEmpty)
        // A printer out of paper: 14 waiting, far past 2 + 2 sigma and past the floor of 10.
        minute = feed(&evaluator, .queueDepth, [14], from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthAboveBaseline pending"])
        let pending = try #require(evaluator.conditions.first)
        #expect(pending.since == at(120) && pending.value == 14 && pending.floor == 10 && pending.severity == .warning)
        let baseline = try #require(pending.baseline)
        #expect(baseline.samples == 121 && baseline.mean > 2 && baseline.mean < 2.2)
        // `for: 5m`: pending at the evaluations 1 to 4 minutes on, firing at the one 5 minutes on.
        minute = feed(&evaluator, .queueDepth, [14, 14, 14, 14], from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthAboveBaseline pending"])
        minute = feed(&evaluator, .queueDepth, [14], from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthAboveBaseline firing"])
        #expect(evaluator.conditions.first?.firingSince == at(125) && evaluator.conditions.first?.since == at(120))
        // Paper back: the queue drains and the alert clears at once.
        feed(&evaluator, .queueDepth, [3], from: minute)
        #expect(evaluator.conditions.isEmpty)
    }

    @Test func oneSpikeShorterThanItsForDoesNotFire() {
        var evaluator = AlertEvaluator()
        var minute = feed(&evaluator, .queueDepth, usualQueue(120), from: 0)
        minute = feed(&evaluator, .queueDepth, [14, 14, 14, 14, 2], from: minute)
        #expect(evaluator.conditions.isEmpty)
        // The next run starts its own count.
        feed(&evaluator, .queueDepth, [14, 14, 14, 14, 14], from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthAboveBaseline pending"])
    }

    @Test func aQuietKioskPastTwoSigmaButUnderTheFloorDoesNotFire() {
        var evaluator = AlertEvaluator()
        let minute = feed(&evaluator, .queueDepth, (0..<120).map { Double($0 % 7 == 0 ? 1 : 0) }, from: 0)
        // 6 waiting is many sigma above a mean of 0.14, and under the floor of 10.
        feed(&evaluator, .queueDepth, Array(repeating: 6, count: 30), from: minute)
        #expect(evaluator.conditions.isEmpty)
    }

    @Test func aBusyKioskPastTheFloorButWithinTwoSigmaDoesNotFire() {
        var evaluator = AlertEvaluator()
        let busy: [Double?] = (0..<150).map { Double(6 + ($0 * 7) % 11) }  // 6 to 16 waiting: mean 11, sigma 3.2
        feed(&evaluator, .queueDepth, busy, from: 0)
        #expect(evaluator.conditions.isEmpty)
        feed(&evaluator, .queueDepth, Array(repeating: 16, count: 20), from: 150)
        #expect(evaluator.conditions.isEmpty, "16 is past the floor of 10 and within 11 + 2 sigma")
    }

    @Test func aFreshKioskHasOnlyTheSevereFloor() {
        var evaluator = AlertEvaluator()
        // Thirty minutes old: no baseline (it needs 60 samples), so 20 waiting alerts nobody.
        var minute = feed(&evaluator, .queueDepth, Array(repeating: 20, count: 30), from: 0)
        #expect(evaluator.conditions.isEmpty)
        // 30 waiting is past the severe floor of 25: pending, then firing five minutes on.
        minute = feed(&evaluator, .queueDepth, [30], from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthSevere pending"])
        #expect(evaluator.conditions.first?.baseline == nil && evaluator.conditions.first?.severity == .critical)
        feed(&evaluator, .queueDepth, Array(repeating: 30, count: 5), from: minute)
        #expect(alerts(evaluator) == ["LanyardQueueDepthSevere firing"])
    }

    @Test func theSuccessRatioAlertsWhenItDrops() {
        var evaluator = AlertEvaluator()
        let usual: [Double?] = (0..<120).map { [0.97, 1.0, 0.98, 0.99, 1.0][$0 % 5] }
        var minute = feed(&evaluator, .printSuccessRatio, usual, from: 0)
        // Better than usual is not an alert, however far from the mean.
        minute = feed(&evaluator, .printSuccessRatio, Array(repeating: 1.0, count: 15), from: minute)
        #expect(evaluator.conditions.isEmpty)
        // 70 % printed: under the floor of 90 % and more than 2 sigma under the mean; `for: 10m`.
        minute = feed(&evaluator, .printSuccessRatio, Array(repeating: 0.7, count: 10), from: minute)
        #expect(alerts(evaluator) == ["LanyardPrintSuccessBelowBaseline pending"])
        feed(&evaluator, .printSuccessRatio, [0.7], from: minute)
        #expect(alerts(evaluator) == ["LanyardPrintSuccessBelowBaseline firing"])
        #expect(evaluator.conditions.first?.direction == .below)
    }

    @Test func aSignalWithNoValueClearsItsConditions() {
        var evaluator = AlertEvaluator()
        var minute = feed(&evaluator, .renderP95, Array(repeating: 6, count: 5), from: 0)
        #expect(alerts(evaluator) == ["LanyardRenderP95Severe pending"])
        // No render in the window: no p95, and the run of evaluations is broken.
        minute = feed(&evaluator, .renderP95, [nil], from: minute)
        #expect(evaluator.conditions.isEmpty)
        feed(&evaluator, .renderP95, Array(repeating: 6, count: 5), from: minute)
        #expect(alerts(evaluator) == ["LanyardRenderP95Severe pending"], "counted again from the break")
    }

    /// The baseline is what Prometheus's avg_over_time and stddev_over_time give over `[3h]`:
    /// the last 181 samples (both ends of the window), population sigma; and no more is kept.
    @Test func theBaselineIsTheLastThreeHoursAndTheRingStaysBounded() throws {
        var evaluator = AlertEvaluator()
        // 0, 1, 2, ... for ten hours: the window at the end holds 419 to 599.
        feed(&evaluator, .registryStaleness, (0..<600).map { Double($0) }, from: 0)
        let state = try #require(evaluator.signals.first { $0.signal == .registryStaleness })
        let baseline = try #require(state.baseline)
        #expect(baseline.samples == 181)
        #expect(baseline.mean == 509)
        // Population sigma of 181 consecutive integers: sqrt((181^2 - 1) / 12).
        #expect(abs(baseline.sigma - ((181.0 * 181.0 - 1) / 12).squareRoot()) < 1e-9)
        #expect(evaluator.signals.first { $0.signal == .queueDepth }?.baseline == nil, "a signal never sampled has none")
    }

    /// A shorter interval (a demonstration's `alerts.interval_seconds`) shortens the window with
    /// it: the same 181 samples, seconds apart.
    @Test func theWindowIsCountedInIntervals() throws {
        var evaluator = AlertEvaluator(interval: 1)
        for second in 0..<400 {
            evaluator.record([.queueDepth: Double(second % 3)], at: start.addingTimeInterval(Double(second)))
        }
        #expect(evaluator.window == 180)
        #expect(try #require(evaluator.signals.first?.baseline).samples == 181)
    }

    @Test func theOverviewCarriesTheConditionsAndEverySignal() throws {
        var evaluator = AlertEvaluator()
        var minute = feed(&evaluator, .queueDepth, usualQueue(60), from: 0)
        minute = feed(&evaluator, .queueDepth, Array(repeating: 12, count: 6), from: minute)
        let view = OperatorAlertsView(evaluator)
        #expect(view.evaluatedAt == "2027-01-15T09:05:00.000Z")
        #expect(view.signals.map(\.signal) == AlertSignal.allCases)
        let condition = try #require(view.conditions.first)
        #expect(condition.alert == "LanyardQueueDepthAboveBaseline" && condition.state == .firing && condition.forSeconds == 300)
        #expect(condition.since == "2027-01-15T09:00:00.000Z" && condition.firingSince == "2027-01-15T09:05:00.000Z")
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(view)) as? [String: Any]
        let first = try #require((encoded?["conditions"] as? [[String: Any]])?.first)
        #expect(first["state"] as? String == "firing" && first["signal"] as? String == "queue_depth" && first["value"] as? Double == 12)
        #expect((first["baseline"] as? [String: Any])?["samples"] as? Int == 66)
    }
}

/// The agent's own signals, sampled from a running agent, and the overview that carries its
/// evaluation. (The harness runs no `AlertService`: the evaluations here are the test's.)
@Suite struct OperatorAlertsAPITests {
    @Test func theOverviewShowsTheAgentsOwnEvaluation() async throws {
        try await withAgent(try OperatorAPITests.options()) { harness, client in
            let printed = try await submitBadge(client, "AL-1")
            #expect(try await finalState(client, job: printed) == "printed")
            let sampled = await AlertMonitor.sample(harness.core, now: Date())
            #expect(sampled[.queueDepth] == 0 && sampled[.deadLetters] == 0)
            #expect((sampled[.renderP95] ?? 0) > 0, "a badge rendered in the last five minutes")
            #expect(sampled[.printSuccessRatio] == nil, "one ended job is too few for a ratio")
            #expect(sampled[.registryStaleness] == nil, "no registry: no age")

            let ana = try await OperatorAPITests().signIn(client, "Ana", StaffSignInTests.operatorPIN)
            var alerts = try #require(
                json(try await client.execute(uri: "/v1/operator/overview", method: .get, headers: ana))["alerts"] as? [String: Any])
            #expect(alerts["evaluated_at"] == nil && (alerts["conditions"] as? [Any])?.isEmpty == true)
            #expect(alerts["interval_seconds"] as? Double == 60 && alerts["baseline_seconds"] as? Double == 10800)
            #expect(alerts["sigma"] as? Double == 2 && alerts["baseline_minimum_samples"] as? Int == 60)

            // An hour of an empty queue, then twelve waiting for five minutes.
            let start = Date().addingTimeInterval(-7200)
            for minute in 0..<66 {
                let values = minute < 60 ? sampled : sampled.merging([.queueDepth: 12]) { $1 }
                harness.core.alerts.record(values, at: start.addingTimeInterval(Double(minute) * 60))
            }
            alerts = try #require(
                json(try await client.execute(uri: "/v1/operator/overview", method: .get, headers: ana))["alerts"] as? [String: Any])
            #expect(alerts["evaluated_at"] is String)
            let conditions = try #require(alerts["conditions"] as? [[String: Any]])
            #expect(conditions.map { $0["alert"] as? String } == ["LanyardQueueDepthAboveBaseline"])
            #expect(conditions.first?["state"] as? String == "firing" && conditions.first?["value"] as? Double == 12)
            let signals = try #require(alerts["signals"] as? [[String: Any]])
            #expect(signals.map { $0["signal"] as? String } == AlertSignal.allCases.map(\.rawValue))
        }
    }
}
