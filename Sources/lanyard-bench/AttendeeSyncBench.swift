import ArgumentParser
import Attendees
import BadgePipeline
import Foundation
import Glibc
import LanyardSupport
import Store
import Sync

/// `lanyard bench --attendee-sync`: the Store side of registry sync at a large event's size.
/// A synthetic roster (`SyntheticRoster`) applied as a snapshot into a fresh database, the same
/// snapshot applied again, then deltas of the registry's usual mix against that database. Every
/// figure is the Store call alone, as the sync loop makes it, with the database on disk and
/// commits synced (the data directory's disk shows in every figure).
struct AttendeeSyncBenchOptions: ParsableArguments {
    @Flag(
        name: .customLong("attendee-sync"),
        help: """
            Measure attendee sync instead: a snapshot applied into a fresh database, and deltas of \
            upserts, removals and check-in resolutions against it (build with -c release).
            """)
    var enabled = false

    @Option(name: .customLong("sync-attendees"), help: "Attendees in the snapshot.")
    var attendees = 100_000

    @Option(name: .customLong("sync-snapshot-runs"), help: "Snapshots timed, each into a fresh database.")
    var snapshotRuns = 5

    @Option(name: .customLong("sync-delta-runs"), help: "Deltas timed, one after the other, against the last snapshot's database.")
    var deltaRuns = 20

    @Option(name: .customLong("sync-data"), help: "Directory for the databases (default: the temporary directory).")
    var dataParent: String?

    @Flag(
        name: .customLong("sync-distinct-names"),
        help: """
            Give every attendee a first and last name of their own (a suffix of letters), so no folded \
            name is reused within a snapshot: the worst case for preparing rows.
            """)
    var distinctNames = false

    func validate() throws {
        guard attendees >= AttendeeSyncBench.deltaMix.total * 2, snapshotRuns >= 1, deltaRuns >= 1 else {
            throw ValidationError(
                "--sync-attendees must be at least \(AttendeeSyncBench.deltaMix.total * 2), "
                    + "--sync-snapshot-runs and --sync-delta-runs at least 1")
        }
    }
}

struct AttendeeSyncBench {
    static let event = "synthetic-event"
    static let seed: UInt64 = 2026
    /// The registry's usual delta: mostly corrected names, some cancellations, some check-ins
    /// other kiosks made.
    static let deltaMix = (upserts: 800, removals: 100, resolutions: 100, total: 1_000)
    static let targets = (snapshotSeconds: 3.0, deltaMilliseconds: 100.0)

    let options: AttendeeSyncBenchOptions

    func run() throws {
        let parent = options.dataParent.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? FileManager.default.temporaryDirectory
        let workspace = parent.appending(path: "lanyard-bench-sync-\(getpid())")
        try Files.makeDirectory(workspace)
        defer { try? FileManager.default.removeItem(at: workspace) }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        print(
            "Lanyard attendee sync bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(build) build; "
                + "databases under \(parent.path)\n")

        var started = ContinuousClock.now
        var roster = SyntheticRoster.attendees(count: options.attendees, seed: Self.seed, eventSlug: Self.event)
        if options.distinctNames {
            for index in roster.indices {
                let tag = Self.letters(index)
                roster[index].firstName = roster[index].firstName.map { "\($0) \(tag)" }
                roster[index].lastName = roster[index].lastName.map { "\($0) \(tag)" }
            }
        }
        print(
            "generated \(options.attendees) synthetic attendees in \(BenchCommand.fmt((ContinuousClock.now - started).milliseconds)) ms "
                + "(not part of any figure)\(options.distinctNames ? "; every first and last name distinct" : "")\n")

        // 1. Snapshots, each into a fresh database; the last database is kept for the deltas.
        var snapshots: [Double] = [], again: [Double] = []
        var store: LanyardStore?
        var fileMegabytes = 0.0
        for run in 1...options.snapshotRuns {
            store = nil
            let directory = workspace.appending(path: "run-\(run)")
            try? FileManager.default.removeItem(at: directory)
            let fresh = try LanyardStore(dataDirectory: directory)
            started = ContinuousClock.now
            let outcome = try fresh.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: roster)
            snapshots.append((ContinuousClock.now - started).seconds)
            guard outcome.written == roster.count, try fresh.attendeeCount() == roster.count else {
                throw BenchError(.internal, "the snapshot wrote \(outcome.written) attendees, not \(roster.count)")
            }
            started = ContinuousClock.now
            let unchanged = try fresh.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: roster)
            again.append((ContinuousClock.now - started).seconds)
            guard unchanged.written == 0, unchanged.removed == 0 else {
                throw BenchError(.internal, "the same snapshot again rewrote \(unchanged.written) and removed \(unchanged.removed)")
            }
            fileMegabytes = Double((try? FileManager.default.attributesOfItem(atPath: fresh.path)[.size] as? Int) ?? 0) / 1_048_576
            store = fresh
            if run < options.snapshotRuns { try? FileManager.default.removeItem(at: directory) }
        }
        guard let store else { return }
        print(
            TextTable.render(
                header: ["snapshot of \(roster.count) attendees, \(options.snapshotRuns) runs", "min s", "p50 s", "max s"],
                rows: [
                    [
                        "into a fresh database (target <= \(BenchCommand.fmt(Self.targets.snapshotSeconds)) s)",
                        BenchCommand.fmt(snapshots.min() ?? 0),
                        BenchCommand.fmt(snapshots.percentile(50)), BenchCommand.fmt(snapshots.max() ?? 0),
                    ],
                    [
                        "the same snapshot again (nothing changed)", BenchCommand.fmt(again.min() ?? 0),
                        BenchCommand.fmt(again.percentile(50)), BenchCommand.fmt(again.max() ?? 0),
                    ],
                ]))
        print("database file after the snapshot: \(String(format: "%.0f", fileMegabytes)) MiB (plus WAL)\n")

        // 2. Deltas, built before the clock starts, applied one after the other. After each, the
        // store's background maintenance (the index merges and the checkpoint the delta left
        // to it) is waited for and timed on its own: at a kiosk, deltas come seconds apart.
        var plan = DeltaPlan(roster: roster)
        let deltas = (0..<options.deltaRuns).map { plan.delta(fromCursor: Int64(1 + $0)) }
        store.waitForScheduledCheckpoints()
        var timings: [Double] = []
        var maintenance: [Double] = []
        for delta in deltas {
            started = ContinuousClock.now
            let outcome = try store.applyAttendeeDelta(delta)
            timings.append((ContinuousClock.now - started).milliseconds)
            started = ContinuousClock.now
            store.waitForScheduledCheckpoints()
            maintenance.append((ContinuousClock.now - started).milliseconds)
            guard outcome.written == Self.deltaMix.upserts, outcome.removed == Self.deltaMix.removals,
                outcome.resolutions == Self.deltaMix.resolutions
            else {
                throw BenchError(.internal, "a delta wrote \(outcome.written), removed \(outcome.removed), resolved \(outcome.resolutions)")
            }
        }
        let mix =
            "\(Self.deltaMix.upserts) renames + \(Self.deltaMix.removals) removals + \(Self.deltaMix.resolutions) check-in resolutions"
        print(
            TextTable.render(
                header: ["delta of \(Self.deltaMix.total) changes (\(mix)), \(options.deltaRuns) runs", "p50 ms", "p95 ms", "max ms"],
                rows: [
                    [
                        "against the \(roster.count)-attendee database (target <= \(BenchCommand.fmt(Self.targets.deltaMilliseconds)) ms)",
                        BenchCommand.fmt(timings.percentile(50)), BenchCommand.fmt(timings.percentile(95)),
                        BenchCommand.fmt(timings.max() ?? 0),
                    ],
                    [
                        "then in the background: index merges and checkpoint (short transactions)",
                        BenchCommand.fmt(maintenance.percentile(50)), BenchCommand.fmt(maintenance.percentile(95)),
                        BenchCommand.fmt(maintenance.max() ?? 0),
                    ],
                ]))
        print("full-text index segments after the deltas (name, email, company): \(try store.searchSegmentCounts())")
        print(
            "longest background merge step (the write lock held, commit included): "
                + "\(BenchCommand.fmt(LanyardStore.longestMergeStep.milliseconds)) ms")

        // The deltas did what they say: the renamed carry their new names, the removed are gone.
        let renamedKept = try plan.lastRenamed.filter { try store.attendee(id: $0.attendeeID) == $0 }.count
        let removedFound = try plan.lastRemoved.filter { try store.attendee(id: $0) != nil }.count
        print(
            "after the deltas: cursor \(try store.attendeeCursor(event: Self.event) ?? -1), "
                + "\(renamedKept) of \(plan.lastRenamed.count) renamed attendees read back with their new names, "
                + "\(removedFound) of \(plan.lastRemoved.count) removed attendees still cached")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak RSS of the bench process: \(usage.ru_maxrss / 1024) MB")
    }

    /// `number` in base 26 written with the letters a to z.
    static func letters(_ number: Int) -> String {
        var rest = number
        var text = ""
        repeat {
            text.append(Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(rest % 26))))
            rest /= 26
        } while rest > 0
        return text
    }

    /// Deterministic deltas over the roster: each renames attendees not yet removed (taking the
    /// names of another attendee, so every script appears), removes others, and reports
    /// check-ins made elsewhere. Attendees are taken in a fixed stride through the roster.
    struct DeltaPlan {
        let roster: [Attendee]
        var next = 0
        var removed = Set<String>()
        var lastRenamed: [Attendee] = []
        var lastRemoved: [String] = []

        init(roster: [Attendee]) {
            self.roster = roster
        }

        /// The next attendee not removed, walking the roster with a stride coprime to its size.
        mutating func take() -> Attendee {
            while true {
                let attendee = roster[(next &* 7_919) % roster.count]
                next += 1
                if !removed.contains(attendee.attendeeID) { return attendee }
            }
        }

        mutating func delta(fromCursor: Int64) -> AttendeeDelta {
            var changes: [AttendeeChange] = []
            lastRenamed = []
            for _ in 0..<AttendeeSyncBench.deltaMix.upserts {
                var attendee = take()
                var donor = roster[(next &* 104_729) % roster.count]
                var step = 1
                while donor.firstName == attendee.firstName && donor.lastName == attendee.lastName {
                    donor = roster[(next &* 104_729 + step) % roster.count]
                    step += 1
                }
                attendee.firstName = donor.firstName
                attendee.lastName = donor.lastName
                changes.append(.upsert(attendee))
                if lastRenamed.count < 100 { lastRenamed.append(attendee) }
            }
            lastRemoved = []
            for _ in 0..<AttendeeSyncBench.deltaMix.removals {
                let attendee = take()
                removed.insert(attendee.attendeeID)
                lastRemoved.append(attendee.attendeeID)
                changes.append(.remove(attendeeID: attendee.attendeeID))
            }
            for index in 0..<AttendeeSyncBench.deltaMix.resolutions {
                let attendee = take()
                changes.append(
                    .checkInResolved(
                        CheckInResolution(
                            attendeeID: attendee.attendeeID, nonce: String(format: "%016llx%08lx", fromCursor, index),
                            kioskID: "kiosk-\(index % 8)", scannedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) / 8))))
            }
            return AttendeeDelta(event: AttendeeSyncBench.event, fromCursor: fromCursor, toCursor: fromCursor + 1, changes: changes)
        }
    }
}
