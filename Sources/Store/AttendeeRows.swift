import Attendees
import Dispatch
import Foundation
internal import GRDB
import LanyardSupport
import Synchronization

/// Attendees as attendee cache rows, in batches of at most `batchSize` rows, each batch's
/// values (`columnCount` per row, in `attendeeColumns` order) already made into statement
/// arguments, ready to bind to a multi-row statement.
///
/// Preparing a row (the JSON record, five folded fields, the name document) costs far more than
/// SQLite's share of writing it, so it happens before any transaction opens, on every core for
/// large batches, with the folding of repeated names and companies done once per batch. The
/// arguments are made there too: GRDB builds them through unspecialised generic code, a few
/// hundred milliseconds per 100,000 attendees that the writer no longer spends.
struct AttendeeRows: Sendable {
    struct Batch: Sendable {
        var rowCount: Int
        /// The rows the batch's statement is written for (`LanyardStore.statementRows`); the
        /// arguments repeat the last row up to it.
        var statementRows: Int
        var arguments: StatementArguments
    }

    static let columnCount = 10
    static let batchSize = LanyardStore.rowsPerStatement
    /// Below this many attendees per core, one thread prepares them all.
    static let attendeesPerPart = 2_000

    private(set) var batches: [Batch]

    var count: Int { batches.reduce(0) { $0 + $1.rowCount } }

    /// Refuses an attendee without an id (naming its position in the batch) or one that cannot
    /// be encoded.
    init(_ attendees: [Attendee], now: Date) throws(StoreError) {
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the batch has no attendee_id")
        }
        let stamp = StoredDate(now).databaseValue
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, attendees.count / Self.attendeesPerPart))
        if parts == 1 {
            var folds = FoldCache()
            batches = try Self.prepare(attendees[...], stamp: stamp, folds: &folds)
            return
        }
        // Parts of whole batches, so that only the last batch is short.
        let batchesPerPart = (attendees.count + Self.batchSize * parts - 1) / (Self.batchSize * parts)
        let size = batchesPerPart * Self.batchSize
        let results = Mutex<[Int: Result<[Batch], StoreError>]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = min(attendees.count, part * size)..<min(attendees.count, (part + 1) * size)
            var folds = FoldCache()
            let result = Result { () throws(StoreError) in try Self.prepare(attendees[range], stamp: stamp, folds: &folds) }
            results.withLock { $0[part] = result }
        }
        let parted = results.withLock { $0 }
        var all: [Batch] = []
        for part in 0..<parts { all += try parted[part]?.get() ?? [] }
        batches = all
    }

    /// The rows of `attendees` prepared on the calling thread, with the caller's fold cache (a
    /// worker keeps one across the chunks it prepares).
    fileprivate init(preparing attendees: ArraySlice<Attendee>, stamp: DatabaseValue, folds: inout FoldCache) throws(StoreError) {
        batches = try Self.prepare(attendees, stamp: stamp, folds: &folds)
    }

    private static func prepare(
        _ attendees: ArraySlice<Attendee>, stamp: DatabaseValue,
        folds: inout FoldCache
    ) throws(StoreError) -> [Batch] {
        var batches: [Batch] = []
        var start = attendees.startIndex
        while start < attendees.endIndex {
            let end = min(start + batchSize, attendees.endIndex)
            // Plain values, not `DatabaseValue`s: GRDB converts them as it builds the arguments
            // either way, and a second conversion was a fifth of the preparation.
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity((end - start) * columnCount)
            for attendee in attendees[start..<end] {
                let first = folds.fold(attendee.firstName ?? "")
                let last = folds.fold(attendee.lastName ?? "")
                let preferred = folds.fold(attendee.preferredName ?? "")
                values.append(attendee.attendeeID)
                values.append(attendee.eventSlug)
                values.append(try record(attendee))
                values.append(first)
                values.append(last)
                values.append(preferred)
                values.append(SearchFolding.fold(attendee.email))
                values.append(folds.fold(attendee.company ?? ""))
                values.append(SearchFolding.nameDocument(first: first, last: last, preferred: preferred))
                values.append(stamp)
            }
            let statementRows = LanyardStore.statementRows(for: end - start, limit: batchSize)
            batches.append(
                Batch(
                    rowCount: end - start, statementRows: statementRows,
                    arguments: StatementArguments(LanyardStore.padded(values, columns: columnCount, to: statementRows))))
            start = end
        }
        return batches
    }

    private static func record(_ attendee: Attendee) throws(StoreError) -> Data {
        if let record = AttendeeRecord.encode(attendee) { return record }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(attendee) } catch {
            throw StoreError(.invalidValue, "attendee \(attendee.attendeeID) cannot be encoded", underlying: error)
        }
    }
}

/// `SearchFolding.fold` remembered per text within one batch: a roster repeats first names and
/// companies many times, and folding text outside ASCII takes several microseconds. Emails are
/// not cached: each is different.
fileprivate struct FoldCache {
    private var folded: [String: String] = [:]
    /// Bounds the memory one batch can take; texts past it are folded each time.
    private static let capacity = 50_000

    mutating func fold(_ text: String) -> String {
        if text.isEmpty { return "" }
        if let known = folded[text] { return known }
        let result = SearchFolding.fold(text)
        if folded.count < Self.capacity { folded[text] = result }
        return result
    }
}

/// Attendee rows prepared in chunks on background threads while the caller writes the chunks
/// already prepared. A snapshot's rows cost more to prepare than to stage, so on a kiosk's two
/// cores the staging waits little and the writer is never idle; and only `window` chunks are
/// held at a time instead of the whole snapshot's rows.
///
/// `@unchecked Sendable`: every mutable property is read and written only while `condition`
/// is locked; `attendees` and `stamp` are immutable.
final class AttendeeRowStream: @unchecked Sendable {
    private let attendees: [Attendee]
    private let stamp: DatabaseValue
    private let chunkSize: Int
    private let chunkCount: Int
    private let window: Int
    private let condition = NSCondition()
    private var prepared: [Int: Result<AttendeeRows, StoreError>] = [:]
    private var claimed = 0
    private var consumed = 0
    private var cancelled = false

    init(
        _ attendees: [Attendee], now: Date, chunkSize: Int, window: Int = 16,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.attendees = attendees
        self.stamp = StoredDate(now).databaseValue
        self.chunkSize = max(1, chunkSize)
        self.chunkCount = (attendees.count + self.chunkSize - 1) / self.chunkSize
        self.window = max(1, window)
        // Threads of their own, not Dispatch's global queue: the writer calling `next()` is
        // often one of that queue's few threads itself, blocked in a wait Dispatch cannot see,
        // and the pool would then run one worker at a time.
        for index in 0..<min(max(1, workers), max(1, chunkCount)) {
            let thread = Thread { self.work() }
            thread.name = "lanyard-attendee-rows-\(index)"
            thread.qualityOfService = .userInitiated
            thread.start()
        }
    }

    /// The next chunk in order, waiting for it if need be; nil after the last. Throws the
    /// chunk's preparation error.
    func next() throws(StoreError) -> AttendeeRows? {
        condition.lock()
        defer { condition.unlock() }
        guard consumed < chunkCount else { return nil }
        while prepared[consumed] == nil { condition.wait() }
        let result = prepared.removeValue(forKey: consumed)
        consumed += 1
        condition.broadcast()
        return try result?.get()
    }

    /// Stops the workers after the chunk each is preparing; for a caller that stops early.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        var folds = FoldCache()
        while let chunk = claim() {
            let range = (chunk * chunkSize)..<min(attendees.count, (chunk + 1) * chunkSize)
            let result = Result { () throws(StoreError) in
                try AttendeeRows(preparing: attendees[range], stamp: stamp, folds: &folds)
            }
            condition.lock()
            prepared[chunk] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next chunk to prepare, once it is within `window` of the consumer; nil when there
    /// is none left or the stream was cancelled.
    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, claimed < chunkCount, claimed - consumed >= window { condition.wait() }
        guard !cancelled, claimed < chunkCount else { return nil }
        claimed += 1
        return claimed - 1
    }
}
