import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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

    /// A scrape after one printed badge and one dead letter shows the figures and the state.
    @Test func aScrapeShowsQueueJobsAndRates() async throws {
        try await withAgent { _, client in
            let id = try await submitBadge(client, "M-1")
            #expect(try await finalState(client, job: id) == "printed")
            let rejected = try await post(
                client, "/v1/badges",
                #"{"attendee": {"source":"crm","source_id":"M-2","event_slug":"devcon-2026","first_name":"No","email":"nope","ticket_type":"VIP"}}"#
            )
            #expect(rejected.status == .unprocessableContent)
            let response = try await client.execute(uri: "/metrics", method: .get)
            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"lanyard_jobs{state="printed"} 1.0"#), "\(text)")
            #expect(lines.contains(#"lanyard_queue_depth{printer="sim"} 0.0"#))
            #expect(lines.contains(#"lanyard_printer_ready{printer="sim"} 1.0"#))
            #expect(lines.contains("lanyard_print_success_ratio 1.0"))
            #expect(lines.contains("lanyard_dead_letters_per_minute 0.2"))
            let p95 = lines.first { $0.hasPrefix("lanyard_render_duration_p95_seconds ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect((p95 ?? 0) > 0)
        }
    }
}
