import Badges
import Foundation
import Store
import Testing

/// Sizing run for the attendee cache: 100,000 synthetic attendees, then a kiosk's query mix,
/// each kind timed separately. It prints its measurements and asserts only correctness (timings
/// vary with the machine and the build). Run it with
/// `LANYARD_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter AttendeeCacheBenchmark`;
/// `LANYARD_BENCH_COUNT` changes the roster size, `LANYARD_BENCH_ROUNDS` the number of times
/// the whole mix is run (20), and `LANYARD_BENCH_KEEP=1` keeps the database and prints its path.
@Suite struct AttendeeCacheBenchmark {
    /// One kind of kiosk query, timed as a group.
    struct QueryKind {
        var name: String
        var queries: [String]
        /// Whether every query of the kind must find someone (false: must find no one).
        var finds: Bool
    }

    /// What people type at a kiosk. Names come from `SyntheticRoster`'s lists, so each finds
    /// someone in any roster of a few thousand or more.
    static let mix: [QueryKind] = [
        QueryKind(name: "typing", queries: typed(["Kowalski", "Ångström", "Jürgen Müller", "Иванова", "Παπαδόπουλος",
                                                  "محمد الفلاحي", "欧阳娜娜", "김서연", "高橋さくら", "शर्मा", "מזרחי"]),
                  finds: true),
        QueryKind(name: "full name", queries: ["Łukasz Kowalski", "anna muller", "Zoë Ångström", "Александра Иванова",
                                               "محمد منصور", "欧阳娜娜", "王伟", "김서연", "Γιώργος Παπαδόπουλος",
                                               "高橋 さくら", "Noah van der Berg"], finds: true),
        QueryKind(name: "email", queries: ["anna.muller", "lukasz.kowalski", "kowalski1", "siobhan.", "guest4711",
                                           "ller1", "jose.garcia"], finds: true),
        QueryKind(name: "company", queries: ["Acme", "Globex Corporation", "Société Générale", "Яндекс", "华为技术",
                                             "삼성전자", "Ελληνικά Πετρέλαια", "Initech"], finds: true),
        QueryKind(name: "name + company", queries: ["anna acme", "kowalski initech", "Иван Яндекс", "smith globex"],
                  finds: true),
        QueryKind(name: "broad (20%)", queries: ["example.com", "kiosk.test", "registrar.example"], finds: true),
        QueryKind(name: "no match", queries: ["not-there-at-all", "Zyxwvut", "Ωμέγα Λάμδα", "qqq@nowhere.invalid", "漢字なし"],
                  finds: false),
    ]

    /// Every prefix of each name, as a kiosk sends them while someone types.
    static func typed(_ names: [String]) -> [String] {
        names.flatMap { name in (1...name.count).map { String(name.prefix($0)) } }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["LANYARD_BENCH"] != nil))
    func hundredThousandAttendees() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = Int(environment["LANYARD_BENCH_COUNT"] ?? "") ?? 100_000
        let rounds = max(1, Int(environment["LANYARD_BENCH_ROUNDS"] ?? "") ?? 20)
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

        // One untimed pass warms the page cache and the statement cache, as a kiosk's first
        // searches after start do; it also checks that every query finds what it should.
        for kind in Self.mix {
            for query in kind.queries {
                let found = try store.searchAttendees(query, limit: 20)
                #expect(kind.finds ? !found.isEmpty : found.isEmpty, "\(kind.name): \(query) -> \(found.count) hits")
            }
        }
        // The kinds are interleaved round by round, so a slow moment of the machine is spread
        // over all of them rather than landing on one.
        var samples = Array(repeating: [Duration](), count: Self.mix.count)
        for _ in 0..<rounds {
            for (index, kind) in Self.mix.enumerated() {
                for query in kind.queries {
                    let start = clock.now
                    _ = try store.searchAttendees(query, limit: 20)
                    samples[index].append(clock.now - start)
                }
            }
        }
        for (index, kind) in Self.mix.enumerated() {
            let sorted = samples[index].sorted()
            let p50 = sorted[sorted.count / 2]
            let p95 = sorted[min(sorted.count - 1, sorted.count * 95 / 100)]
            print("attendee cache: search [\(kind.name)] \(kind.queries.count) queries x \(rounds): p50 \(Self.ms(p50)) ms, "
                + "p95 \(Self.ms(p95)) ms, max \(Self.ms(sorted[sorted.count - 1])) ms")
        }
        let broad = try store.searchAttendees("example.com", limit: 20)
        #expect(broad.count == 20)
        #expect(broad.allSatisfy { $0.kind == .email && $0.attendee.email.hasSuffix("@example.com") })

        if environment["LANYARD_BENCH_KEEP"] != nil {
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
