import Foundation
import Store
import Testing

/// Sizing run for the attendee cache: 100,000 synthetic attendees, then each typical query many
/// times. It prints its measurements and asserts only correctness (timings vary with the machine
/// and the build). Run it with `LANYARD_BENCH=1 swift test --filter AttendeeCacheBenchmark`;
/// `LANYARD_BENCH_KEEP=1` keeps the database and prints its path for inspection.
@Suite struct AttendeeCacheBenchmark {
    static let queries = ["muller", "anna", "an", "zo", "欧阳", "王", "김", "ивано", "محمد", "example.com", "acme",
                          "anna muller", "kowalski", "not-there-at-all"]

    @Test(.enabled(if: ProcessInfo.processInfo.environment["LANYARD_BENCH"] != nil))
    func hundredThousandAttendees() throws {
        let count = Int(ProcessInfo.processInfo.environment["LANYARD_BENCH_COUNT"] ?? "") ?? 100_000
        let database = TemporaryDatabase()
        let store = try database.open()
        let clock = ContinuousClock()

        var started = clock.now
        let batches = stride(from: 0, to: count, by: 10_000).map { start in
            SyntheticRoster.attendees(count: min(10_000, count - start), offset: start, seed: 2026)
        }
        print("attendee cache: generated \(count) synthetic attendees in \(Self.ms(clock.now - started)) ms")
        started = clock.now
        var written = 0
        for batch in batches { written += try store.upsertAttendees(batch) }
        let insert = clock.now - started
        #expect(written == count)
        #expect(try store.attendeeCount() == count)
        print("attendee cache: upserted \(count) new attendees in \(Self.ms(insert)) ms (10 transactions of 10,000)")
        started = clock.now
        var rewritten = 0
        for batch in batches { rewritten += try store.upsertAttendees(batch) }
        #expect(rewritten == 0)
        print("attendee cache: re-applied the same \(count) (no changes) in \(Self.ms(clock.now - started)) ms")

        let fileSize = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        print("attendee cache: database file \(fileSize / 1_048_576) MiB (plus WAL)")

        for query in Self.queries {
            var samples: [Duration] = []
            var hits = 0
            for _ in 0..<50 {
                let start = clock.now
                let found = try store.searchAttendees(query, limit: 20)
                samples.append(clock.now - start)
                hits = found.count
            }
            samples.sort()
            let p50 = samples[samples.count / 2]
            let p95 = samples[samples.count * 95 / 100]
            print("attendee cache: search \"\(query)\": \(hits) hits, p50 \(Self.ms(p50)) ms, p95 \(Self.ms(p95)) ms")
            #expect(query == "not-there-at-all" ? hits == 0 : hits > 0, "\(query)")
        }
        if ProcessInfo.processInfo.environment["LANYARD_BENCH_KEEP"] != nil {
            let kept = FileManager.default.temporaryDirectory.appending(path: "lanyard-bench-\(UUID().uuidString).sqlite").path
            try FileManager.default.copyItem(atPath: database.path, toPath: kept)
            print("attendee cache: kept a copy at \(kept)")
        }
    }

    static func ms(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
