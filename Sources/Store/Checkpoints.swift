import Dispatch
import Foundation
internal import GRDB
import Synchronization

/// WAL checkpoints and full-text index merges kept off the path of attendee sync.
///
/// A commit that leaves more than 1,000 pages in the write-ahead log makes the committing
/// connection copy the log into the database file and sync it before the commit returns
/// (SQLite's automatic checkpoint). A delta of 1,000 changes dirties about that many pages, so
/// every delta paid for a checkpoint: writes scattered over the 90 MiB database and one more
/// sync, which `bench --attendee-sync` measured at half the delta's time or more while other
/// work used the disk. So snapshots and deltas commit with the automatic checkpoint off, and
/// then ask for a passive checkpoint on a connection of its own: a passive checkpoint takes no
/// write lock and runs beside the writer. The data is durable at the commit either way
/// (`synchronous = FULL` syncs the log); a checkpoint that fails or is skipped only leaves the
/// copying to the next commit's automatic checkpoint.
///
/// These commits also skip the sync of the log (`synchronous = NORMAL` for their transaction
/// only), which was the other half of a delta's time: about 20 ms per commit on the benchmark
/// machine's disk. What they write is a copy of the registry's list, and the list moves
/// together with its cursor in one transaction; in WAL mode a commit that is not synced is
/// still atomic, so a power cut can only take back the last snapshot or delta whole, cursor
/// included, and the kiosk fetches it again. Jobs, check-ins and the outbox, which exist
/// nowhere else, keep committing with `synchronous = FULL`, and their sync of the log covers
/// any frames written before them.
///
/// The same goes for FTS5's automatic merging. Every statement that writes to a full-text index
/// leaves a new segment, and once four segments sit on one level the next write merges them,
/// inside the writer's statement: a delta paid for merges it did not need to wait for, up to
/// 200 ms more every few deltas on the benchmark machine, and a page of attendee changes held the
/// write lock (which badge jobs also need) that much longer. So these transactions turn
/// automatic merging off for their own statements and back on before they commit, and the
/// background queue then does the same merge work (`'merge'`, which also waits for four segments
/// on a level) in short transactions of its own, letting other writers in between.
extension LanyardStore {
    /// FTS5's own default for `automerge`: what every other write to the indexes runs with.
    static let searchAutomerge = 4

    /// Runs `body` in a write transaction of registry data: its commit neither syncs nor
    /// checkpoints, and its writes to the full-text indexes do not merge; the merges and the
    /// checkpoint are scheduled after.
    func writeThenCheckpoint<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        let result: T
        do {
            result = try pool.writeWithoutTransaction { db in
                let automatic = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1_000
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer {
                    // Both pragmas only set flags of the open connection, which SQLite does not
                    // fail for a valid value; the tests check that both are back afterwards.
                    try? db.execute(sql: "PRAGMA wal_autocheckpoint = \(automatic)")
                    try? db.execute(sql: "PRAGMA synchronous = FULL")
                }
                var value: T?
                try db.inTransaction {
                    try Self.setSearchAutomerge(db, 0)
                    value = try body(db)
                    try Self.setSearchAutomerge(db, Self.searchAutomerge)
                    return .commit
                }
                guard let value else { throw StoreError(.queryFailed, "the transaction ended without a result", path: path) }
                return value
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "writing the database failed", path: path, underlying: error)
        }
        Self.checkpointer.request(path: path)
        return result
    }

    /// FTS5 keeps the setting in each index's `_config` table, so it is set and restored inside
    /// the transaction: a rollback leaves it as it was.
    static func setSearchAutomerge(_ db: Database, _ value: Int) throws {
        for table in searchIndexes {
            try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES ('automerge', \(value))")
        }
    }

    static let searchIndexes = ["attendee_name_search", "attendee_email_search", "attendee_company_search"]

    /// The `automerge` setting each full-text index holds now.
    package func searchAutomergeSettings() throws(StoreError) -> [Int] {
        try read { db in
            try Self.searchIndexes.map { table in
                try Int.fetchOne(db, sql: "SELECT v FROM \(table)_config WHERE k = 'automerge'") ?? Self.searchAutomerge
            }
        }
    }

    /// How many segments each full-text index has (FTS5 lists each segment's leaves in its
    /// `_idx` table).
    package func searchSegmentCounts() throws(StoreError) -> [Int] {
        try read { db in
            try Self.searchIndexes.map { table in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT segid) FROM \(table)_idx") ?? 0 }
        }
    }

    static let checkpointer = BackgroundCheckpointer()

    /// Waits for the checkpoints scheduled so far: how the tests see that one ran.
    /// The longest one background merge step took in this process, commit included: how long
    /// it kept a badge job from the write lock at most.
    package static var longestMergeStep: Duration { checkpointer.longestMergeStep.withLock { $0 } }

    package func waitForScheduledCheckpoints() {
        Self.checkpointer.wait()
    }

    /// The writer connection's automatic checkpoint threshold, in pages.
    package func automaticCheckpointPages() throws(StoreError) -> Int {
        try write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 0 }
    }

    /// The writer connection's synchronous level (2 is FULL).
    package func writerSynchronousLevel() throws(StoreError) -> Int {
        try write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}

/// Passive checkpoints of database files, one at a time on a utility queue; a request for a
/// file that already has one waiting is folded into it.
final class BackgroundCheckpointer: Sendable {
    private let queue = DispatchQueue(label: "lanyard.store.checkpoint", qos: .utility)
    private let waiting = Mutex<Set<String>>([])

    func request(path: String) {
        guard waiting.withLock({ $0.insert(path).inserted }) else { return }
        queue.async { [self] in
            waiting.withLock { _ = $0.remove(path) }
            // A database removed since (a test's temporary one) is not created again.
            guard FileManager.default.fileExists(atPath: path) else { return }
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            // Merge steps only rearrange index segments, never what the indexes hold, so their
            // commits need not be synced: one lost to a power cut is merged again later. The
            // checkpoint syncs the database file whatever this says (short of OFF).
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            // Failure is not an error anyone can act on: the next automatic checkpoint copies
            // what this one did not.
            guard let connection = try? DatabaseQueue(path: path, configuration: configuration) else { return }
            // The merges the sync transaction skipped, only where four segments wait on a level
            // (as automatic merging would), in steps of `mergePages` pages of work, each its own
            // short transaction so that a badge job waiting for the write lock gets it between
            // steps; until a step merges nothing. A failure leaves the segments for the next
            // request or a later write to merge.
            for table in LanyardStore.searchIndexes {
                for _ in 0..<Self.maximumMergeSteps {
                    let started = ContinuousClock.now
                    let merged = try? connection.write { db -> Bool in
                        let before = db.totalChangesCount
                        try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES ('merge', \(Self.mergePages))")
                        return db.totalChangesCount > before
                    }
                    let took = ContinuousClock.now - started
                    longestMergeStep.withLock { $0 = max($0, took) }
                    if merged != true { break }
                }
            }
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }

    /// Pages of merge work per step. A step can hold the write lock for longer than its pages
    /// suggest (130 ms at most in `bench --attendee-sync`, about the same at 16 pages: what a
    /// step costs is the doclists of common trigrams, not the page count).
    static let mergePages = 64
    /// Steps per index and request; what is left waits for the next request.
    static let maximumMergeSteps = 200

    /// The longest a merge step has held the write lock (with its commit), for the benchmark.
    let longestMergeStep = Mutex<Duration>(.zero)

    func wait() {
        queue.sync {}
    }
}
