import Agent
import Foundation
import Store
import Testing

/// The figures computed for `/metrics` over the last five minutes.
@Suite struct AgentMetricsTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func renderP95IsTheNinetyFifthPercentileOfTheWindow() {
        let metrics = AgentMetrics()
        #expect(metrics.summary(now: start).renderP95Seconds == nil)
        for milliseconds in 1...100 {
            metrics.recordRender(seconds: Double(milliseconds) / 1000, tier: "fallback", now: start)
        }
        #expect(metrics.summary(now: start).renderP95Seconds == 0.095)
        // Five minutes on, those renders have left the window.
        metrics.recordRender(seconds: 0.004, tier: "event", now: start.addingTimeInterval(301))
        #expect(metrics.summary(now: start.addingTimeInterval(301)).renderP95Seconds == 0.004)
    }

    @Test func successRatioAndDeadLetterRateCoverTheWindow() {
        let metrics = AgentMetrics()
        #expect(metrics.summary(now: start).printSuccessRatio == nil)
        for _ in 0..<9 { metrics.recordOutcome(.printed, now: start) }
        metrics.recordOutcome(.manualReview, now: start)
        for _ in 0..<10 { metrics.recordDeadLetter(stage: .intake, now: start) }
        let figures = metrics.summary(now: start.addingTimeInterval(60))
        #expect(figures.printSuccessRatio == 0.9)
        #expect(figures.deadLettersPerMinute == 2, "10 dead letters over a five-minute window")
        #expect(metrics.summary(now: start.addingTimeInterval(400)).deadLettersPerMinute == 0)
    }
}
