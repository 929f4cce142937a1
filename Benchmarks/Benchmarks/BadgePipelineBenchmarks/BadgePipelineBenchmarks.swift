import Attendees
import BadgePipeline
import Badges
import Benchmark
import Foundation
import LanyardSupport
import Printers
import Store

/// The repository, found from this file: the benchmarks read the bundled templates and profiles.
let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let benchmarks: @Sendable () -> Void = {
    // The static thresholds in Thresholds/ are the targets (docs/benchmarks.md): a run whose p90
    // is worse than a threshold by more than this tolerance fails `make bench`.
    let tolerance = BenchmarkThresholds(relative: [.p90: 10.0])
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 5,
        maxDuration: .seconds(10),
        thresholds: [.wallClock: tolerance]
    )

    // Render + encode of the standard 4x3 in badge for a ZD621 at 300 dpi: the work of one
    // print job between intake and the printer. Target: p50 <= 3 ms.
    Benchmark("RenderEncodeStandardBadge", configuration: .init(maxIterations: 2_000)) { benchmark, setup in
        for _ in benchmark.scaledIterations {
            let badge = try setup.renderer.render(fields: setup.fields)
            blackHole(try LabelEncoder.encode(bitmap: badge.bitmap, profile: setup.profile, language: .zpl, overrides: JobOverrides()))
        }
    } setup: {
        try RenderSetup()
    }

    // A kiosk's search mix over a cache of 100,000 attendees (names in nine scripts, accents
    // folded, `limit` 20): typing, a full name, an email fragment, a company, a name with its
    // company, a broad query and one that matches nothing. Target: p95 <= 5 ms.
    Benchmark("SearchAttendees100k", configuration: .init(maxIterations: 2_100)) { benchmark, store in
        let queries = ["mü", "müll", "José García", "example.com", "acme", "Ana Acme", "ivan", "Иванова", "zzqx"]
        for iteration in benchmark.scaledIterations {
            blackHole(try store.store.searchAttendees(queries[iteration % queries.count], limit: 20))
        }
    } setup: {
        try ScratchStore(attendees: 100_000)
    }

    // The event's 100,000-attendee snapshot applied by a kiosk to a fresh cache (the attendees
    // made before the clock starts, each run a new database). Target: <= 3 s.
    Benchmark(
        "ApplySnapshot100k",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], warmupIterations: 0, maxIterations: 5)
    ) { benchmark, roster in
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-benchmark-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try LanyardStore(dataDirectory: directory)
        benchmark.startMeasurement()
        blackHole(try store.applyAttendeeSnapshot(event: "synthetic-event", cursor: 1, attendees: roster, now: Date()))
        benchmark.stopMeasurement()
    } setup: {
        SyntheticRoster.attendees(count: 100_000, seed: 2026)
    }
}

/// One renderer, profile and attendee, made once outside the timed loop.
final class RenderSetup {
    let renderer: BadgeRenderer
    let profile: PrinterProfile
    let fields: [String: String]

    init() throws {
        let templates = repositoryRoot.appending(path: "Templates")
        let event = try EventConfiguration.load(file: templates.appending(path: "sample-event.yaml"))
        profile = try ProfileLibrary.load(directory: repositoryRoot.appending(path: "firmware-profiles").path).require(
            id: "zebra-zd621d-300")
        renderer = try BadgeRenderer(
            bundle: try TemplateBundle.load(directory: templates.appending(path: "standard")), dpi: profile.dpi,
            logger: Installation.quietLogger)
        var session = Intake(event: event).makeSession()
        guard
            let attendee = try session.acceptJSONLines(in: templates.appending(path: "sample-attendees.jsonl")).outcomes
                .compactMap(\.attendee).first
        else { throw PipelineError(.inputUnreadable, "no sample attendee") }
        fields = BadgeFields.fields(for: attendee, event: event)
    }
}

/// A store in a directory of its own, removed when the benchmark is done with it.
final class ScratchStore {
    let directory: URL
    let store: LanyardStore

    init(attendees: Int) throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-benchmark-\(UUID().uuidString)")
        store = try LanyardStore(dataDirectory: directory)
        try store.fillWithSyntheticAttendees(count: attendees, seed: 2026)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
