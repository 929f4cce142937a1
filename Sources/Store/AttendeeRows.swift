import Badges
import Dispatch
import Foundation
internal import GRDB
import Synchronization

/// Attendees as attendee cache rows: `columnCount` values each, in `attendeeColumns` order,
/// kept flat so that a batch of rows binds as one slice.
///
/// Preparing a row (the JSON record, five folded fields, the name document) costs far more than
/// SQLite's share of writing it, so it happens before any transaction opens, on every core for
/// large batches, with the folding of repeated names and companies done once per batch.
struct AttendeeRows {
    static let columnCount = 10
    /// Below this many attendees per core, one thread prepares them all.
    static let attendeesPerPart = 2_000

    private(set) var values: [DatabaseValue]

    var count: Int { values.count / Self.columnCount }

    /// Refuses an attendee without an id (naming its position in the batch) or one that cannot
    /// be encoded.
    init(_ attendees: [Attendee], now: Date) throws(StoreError) {
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the batch has no attendee_id")
        }
        let stamp = now.databaseValue
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, attendees.count / Self.attendeesPerPart))
        if parts == 1 {
            values = try Self.prepare(attendees[...], stamp: stamp)
            return
        }
        let size = (attendees.count + parts - 1) / parts
        let results = Mutex<[Int: Result<[DatabaseValue], StoreError>]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * size)..<min(attendees.count, (part + 1) * size)
            let result = Result { () throws(StoreError) in try Self.prepare(attendees[range], stamp: stamp) }
            results.withLock { $0[part] = result }
        }
        let parted = results.withLock { $0 }
        var all: [DatabaseValue] = []
        all.reserveCapacity(attendees.count * Self.columnCount)
        for part in 0..<parts { all += try parted[part]?.get() ?? [] }
        values = all
    }

    /// The rows of `attendees` prepared on the calling thread.
    init(preparing attendees: ArraySlice<Attendee>, stamp: DatabaseValue) throws(StoreError) {
        values = try Self.prepare(attendees, stamp: stamp)
    }

    /// Row ranges of at most `size` rows, in order.
    func batches(of size: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// The bound values of the rows in `rows`.
    func arguments(_ rows: Range<Int>) -> StatementArguments {
        StatementArguments(values[(rows.lowerBound * Self.columnCount)..<(rows.upperBound * Self.columnCount)])
    }

    private static func prepare(_ attendees: ArraySlice<Attendee>, stamp: DatabaseValue) throws(StoreError) -> [DatabaseValue] {
        var values: [DatabaseValue] = []
        values.reserveCapacity(attendees.count * columnCount)
        var folds = FoldCache()
        for attendee in attendees {
            let first = folds.fold(attendee.firstName ?? "")
            let last = folds.fold(attendee.lastName ?? "")
            let preferred = folds.fold(attendee.preferredName ?? "")
            values.append(attendee.attendeeID.databaseValue)
            values.append(attendee.eventSlug.databaseValue)
            values.append(try record(attendee).databaseValue)
            values.append(first.databaseValue)
            values.append(last.databaseValue)
            values.append(preferred.databaseValue)
            values.append(SearchFolding.fold(attendee.email).databaseValue)
            values.append(folds.fold(attendee.company ?? "").databaseValue)
            values.append(SearchFolding.nameDocument(first: first, last: last, preferred: preferred).databaseValue)
            values.append(stamp)
        }
        return values
    }

    private static func record(_ attendee: Attendee) throws(StoreError) -> Data {
        if let record = AttendeeRecord.encode(attendee) { return record }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(attendee) } catch {
            throw StoreError(.invalidValue, "attendee \(attendee.attendeeID) cannot be encoded", cause: "\(error)")
        }
    }
}

/// `SearchFolding.fold` remembered per text within one batch: a roster repeats first names and
/// companies many times, and folding text outside ASCII takes several microseconds. Emails are
/// not cached: each is different.
private struct FoldCache {
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

    init(_ attendees: [Attendee], now: Date, chunkSize: Int, window: Int = 16,
         workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.attendees = attendees
        self.stamp = now.databaseValue
        self.chunkSize = max(1, chunkSize)
        self.chunkCount = (attendees.count + self.chunkSize - 1) / self.chunkSize
        self.window = max(1, window)
        for _ in 0..<min(max(1, workers), max(1, chunkCount)) {
            DispatchQueue.global(qos: .userInitiated).async { self.work() }
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
        while let chunk = claim() {
            let range = (chunk * chunkSize)..<min(attendees.count, (chunk + 1) * chunkSize)
            let result = Result { () throws(StoreError) in try AttendeeRows(preparing: attendees[range], stamp: stamp) }
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
