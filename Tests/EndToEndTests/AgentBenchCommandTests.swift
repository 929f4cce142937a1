import Foundation
import Testing

/// `lanyard-bench --agent` with tiny counts, in whatever build the tests run: every measurement
/// is reported, every request printed the badge it asked for, every agent stopped cleanly.
/// What the numbers are is not asserted, only that they are numbers and consistent.
@Suite(.serialized) struct AgentBenchCommandTests {
    /// The cells of the table row whose first cell is `label` (cells are separated by two or
    /// more spaces; a cell never holds two spaces in a row).
    func row(_ label: String, in output: String) -> [String]? {
        for line in output.split(separator: "\n") {
            let cells = line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if cells.first == label { return cells }
        }
        return nil
    }

    func numbers(_ cells: [String]) throws -> [Double] {
        try cells.map { try #require(Double($0), "\($0) is not a number") }
    }

    @Test func agentBenchReportsStartMemoryAndLatency() throws {
        let run = try runBench([
            "--agent", "--agent-starts", "2", "--agent-requests", "16", "--agent-warmup", "2", "--agent-idle-seconds", "0.2",
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let output = run.stdout

        for label in ["spawn -> first 200 from GET /v1/health", "startup_ms of the agent's \"agent ready\" log line"] {
            let cells = try #require(row(label, in: output), "no row \(label) in\n\(output)")
            let values = try numbers(Array(cells.dropFirst()))
            try #require(values.count == 3, "p50, p95, max: \(cells)")
            #expect(values[0] > 0 && values[0] <= values[1] && values[1] <= values[2], "\(cells)")
        }
        #expect(output.contains("stopped by SIGTERM with exit status 0: 2 of 2"))

        for label in ["idle, 0.2 s after ready", "after the load", "idle again, 0.2 s after the load"] {
            let cells = try #require(row(label, in: output), "no row \(label) in\n\(output)")
            let values = try numbers(Array(cells.dropFirst()))
            try #require(values.count == 4, "VmRSS, RssAnon, RssFile, VmHWM: \(cells)")
            #expect(values[0] > 0 && values[3] >= values[0], "the peak is at least the resident size: \(cells)")
        }

        for label in ["1 client", "16 clients"] {
            let cells = try #require(row(label, in: output), "no row \(label) in\n\(output)")
            try #require(cells.count == 9, "\(cells)")
            #expect(cells[1] == "16", "every timed request reached the printer: \(cells)")
            let values = try numbers(Array(cells[2...6]))
            #expect(values[0] > 0 && values[0] <= values[1] && values[1] <= values[2], "p50 <= p95 <= max: \(cells)")
            #expect(values[3] > 0, "202 p50: \(cells)")
            #expect(cells[7] == "0" && cells[8] == "0", "no refused, failed or lost request: \(cells)")
        }
        #expect(output.contains("checked raster for raster: 34 of 34 match"), "2 warm-up and 2 x 16 timed badges, each the one asked for")
        #expect(output.contains("load agent stopped by SIGTERM with exit status 0"))

        for label in ["start to ready <= 300 ms (p95, spawn -> 200)", "idle RSS <= 40 MB", "1 client, request -> last byte p95 <= 25 ms"] {
            let cells = try #require(row(label, in: output), "no target row \(label) in\n\(output)")
            #expect(cells.count == 3 && ["yes", "no"].contains(cells[2]), "\(cells)")
        }
        #expect(!run.stderr.contains("error"), "\(run.stderr)")
    }
}
