import Foundation
import GRDB
import LanyardSupport
import Testing

@testable import Store

/// The store's hand-written date conversion against GRDB's own (a `DateFormatter` to write, a
/// Gregorian `Calendar` to read): same text to the character, same `Date` to the bit, so a
/// database written by an earlier release reads exactly as it did.
@Suite struct StoredDateTests {
    static func grdbText(_ date: Date) -> String? { String.fromDatabaseValue(date.databaseValue) }

    /// Instants GRDB's formatter must round the same way: whole and half milliseconds, either
    /// side of midnight, leap days, the edges of the years handled by hand, before 1970.
    static let edgeDates: [Date] = {
        var dates: [Date] = [.start, Date(timeIntervalSince1970: 0), Date(timeIntervalSinceReferenceDate: 0)]
        let instants: [TimeInterval] = [
            951_868_799.9995, 951_868_799.999_499_9, 951_868_799.9994, 951_868_800.0005,  // 2000-02-29 / 03-01
            -0.0004, -0.0005, -0.0006, -1.2345, -86_400.0005, -2_208_988_800.25,  // before 1970
            1_790_000_000.123_456, 1_790_000_000.999_999, 4_102_444_799.9996,  // 2099-12-31
            -12_212_553_600, -12_212_553_600.001,  // 1583-01-01 and before
            253_402_300_799.999, 253_402_300_799.9996,  // 9999-12-31, then year 10000
        ]
        dates += instants.map(Date.init(timeIntervalSince1970:))
        return dates
    }()

    static func randomDates(count: Int, seed: UInt64) -> [Date] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let seconds = Double.random(in: -11_000_000_000...250_000_000_000, using: &generator)
            let fraction = Double(Int.random(in: 0..<10_000, using: &generator)) / 10_000
            return Date(timeIntervalSince1970: seconds.rounded(.down) + fraction)
        }
    }

    @Test func writesTheTextGRDBsFormatterWrites() {
        for date in Self.edgeDates + Self.randomDates(count: 3000, seed: 7) {
            #expect(StoredDate.text(date) == Self.grdbText(date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func writesMillisecondsAndUTC() {
        #expect(StoredDate.text(Date(timeIntervalSince1970: 1_790_000_000.25)) == "2026-09-21 14:13:20.250")
        #expect(StoredDate.text(Date(timeIntervalSince1970: 951_868_799.9996)) == "2000-03-01 00:00:00.000")
        #expect(StoredDate.text(Date(timeIntervalSince1970: -0.25)) == "1969-12-31 23:59:59.750")
    }

    /// Every form SQLite and GRDB can have left in a column, well formed or not.
    static func texts(seed: UInt64) -> [String] {
        var generator = SplitMix64(seed: seed)
        func two(_ range: ClosedRange<Int>) -> String {
            let value = Int.random(in: range, using: &generator)
            return value < 10 ? "0\(value)" : "\(value)"
        }
        var texts = [
            "2026-09-21", "2026-09-21 14:13", "2026-09-21T14:13", "2026-09-21 14:13:20", "2026-09-21T14:13:20",
            "2026-09-21 14:13:20.1", "2026-09-21 14:13:20.12", "2026-09-21 14:13:20.123", "2026-09-21 14:13:20.1239",
            "2026-09-21 14:13:20.123456789", "2026-09-21 14:13:20.999", "2024-02-29 23:59:59.999", "1583-01-01 00:00:00.000",
            "9999-12-31 23:59:59.999", "2026-09-21 14:13:20.123Z", "2026-09-21 14:13:20+02:00", "2026-09-21 14:13-05:30",
            "2026-09-21 14:13:20.5Z", "2026-02-30 10:00:00.000", "2026-13-01", "2026-00-10", "2026-09-00 10:00",
            "2026-09-21 24:00:00", "2026-09-21 23:60", "2026-09-21 23:59:60", "1582-10-10 12:00:00.000", "0001-01-01",
            "14:13", "14:13:20", "14:13:20.123", "2026-09-21 14:13:20.", "2026-09-21 14:13:20.12a", "2026-9-21",
            "2026-09-21 14:13:2", "2026/09/21", "", "now", "2026-09-21 ", "2026-09-21X14:13", "2026-09-21 14:13:20.000 ",
        ]
        for _ in 0..<2000 {
            let date = "\(Int.random(in: 1583...9999, using: &generator))-\(two(1...12))-\(two(1...28))"
            let time = "\(two(0...23)):\(two(0...59))"
            let separator = Bool.random(using: &generator) ? " " : "T"
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: texts.append(date)
            case 1: texts.append(date + separator + time)
            case 2: texts.append(date + separator + time + ":" + two(0...59))
            default:
                let digits = Int.random(in: 1...5, using: &generator)
                let fraction = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
                texts.append(date + separator + time + ":" + two(0...59) + "." + fraction)
            }
        }
        return texts
    }

    @Test func readsTheDateGRDBReads() {
        var values = Self.texts(seed: 11).map(\.databaseValue)
        values += [Int64(0), 1_790_000_000, -86_400].map(\.databaseValue)
        values += [1_790_000_000.123_456, -0.5, 1e-9].map(\.databaseValue)
        values += [DatabaseValue.null]
        for value in values {
            let ours = StoredDate.date(from: value)
            let grdb = Date.fromDatabaseValue(value)
            #expect(
                ours?.timeIntervalSinceReferenceDate.bitPattern == grdb?.timeIntervalSinceReferenceDate.bitPattern,
                "\(value): \(String(describing: ours?.timeIntervalSinceReferenceDate)) vs \(String(describing: grdb?.timeIntervalSinceReferenceDate))"
            )
        }
    }

    @Test func readsBackWhatItWritesToTheMillisecond() {
        for date in Self.randomDates(count: 500, seed: 3) where UTCDateFields(date) != nil {
            let read = StoredDate.date(from: StoredDate(date).databaseValue)
            let milliseconds = ((date.timeIntervalSince1970) * 1000 + 0.5).rounded(.down)
            #expect(read.map { ($0.timeIntervalSince1970 * 1000).rounded() } == milliseconds, "\(date.timeIntervalSince1970)")
        }
    }

    /// Queries compare stored dates as text (`next_attempt_at <= ?`), which is only right if
    /// text order is time order.
    @Test func textOrderIsTimeOrder() {
        let dates = Self.randomDates(count: 2000, seed: 5).filter { $0.timeIntervalSince1970 > -11_000_000_000 }.sorted()
        let texts = dates.map(StoredDate.text)
        #expect(texts == texts.sorted())
    }

    @Test func recordsUseTheHandWrittenConversion() {
        guard case .custom = JobRow.databaseDateEncodingStrategy(for: "created_at"),
            case .custom = JobRow.databaseDateDecodingStrategy(for: "created_at"),
            case .custom = TransitionRow.databaseDateEncodingStrategy(for: "at"),
            case .custom = OutboxRow.databaseDateDecodingStrategy(for: "created_at")
        else {
            Issue.record("a record with dates fell back to GRDB's ICU-backed conversion")
            return
        }
    }

    /// What the store writes through records, filters and bound arguments is GRDB's text, and
    /// reads back as the same instants.
    @Test func theStoreWritesGRDBsTextEverywhere() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let created = Date(timeIntervalSince1970: 1_790_000_000.123_4)
        let retry = Date(timeIntervalSince1970: 1_790_000_060.987_6)
        let job = try store.enqueue(newJob("dates"), maxQueued: 5, now: created).job
        _ = try store.claimNextJob(printerID: "zd621-front", now: created.plus(1))
        _ = try store.scheduleRetry(id: job.id, error: "paper out", at: retry, now: created.plus(2))
        #expect(try store.recordDelivery(source: "crm", deliveryID: "d1", at: created))
        let queue = try DatabaseQueue(path: database.path)
        try queue.read { db in
            let row = try #require(
                try Row.fetchOne(db, sql: "SELECT created_at, next_attempt_at FROM print_job WHERE id = ?", arguments: [job.id]))
            #expect(row["created_at"] as String? == Self.grdbText(created))
            #expect(row["next_attempt_at"] as String? == Self.grdbText(retry))
            #expect(try String.fetchAll(db, sql: "SELECT received_at FROM webhook_delivery") == [created].compactMap(Self.grdbText))
        }
        #expect(try store.claimNextJob(printerID: "zd621-front", now: retry.plus(-0.001)) == nil)
        #expect(try store.claimNextJob(printerID: "zd621-front", now: retry)?.id == job.id)
        #expect(try store.pruneDeliveries(olderThan: 10, now: created.plus(9)) == 0)
        #expect(try store.pruneDeliveries(olderThan: 10, now: created.plus(10.001)) == 1)

        try queue.read { db in
            let transitions = try String.fetchAll(
                db, sql: "SELECT at FROM print_job_transition WHERE job_id = ? ORDER BY id", arguments: [job.id])
            #expect(transitions == [created, created.plus(1), created.plus(2), retry].compactMap(Self.grdbText))
        }
        let read = try #require(try store.job(id: job.id))
        #expect(read.createdAt == Date.fromDatabaseValue(StoredDate(created).databaseValue))
        #expect(
            read.history.map(\.at)
                == [created, created.plus(1), created.plus(2), retry].compactMap {
                    Date.fromDatabaseValue(StoredDate($0).databaseValue)
                })
    }

    /// The released v1 file: its dates read as GRDB reads them.
    @Test func theFixtureDatabaseReadsTheSame() throws {
        let fixture = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/v1-printer-tuning.sqlite")
        let queue = try DatabaseQueue(
            path: fixture.path,
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        let values = try queue.read { db in try DatabaseValue.fetchAll(db, sql: "SELECT recorded_at FROM printer_tuning") }
        #expect(!values.isEmpty)
        for value in values {
            #expect(StoredDate.date(from: value) == Date.fromDatabaseValue(value))
            #expect(StoredDate.date(from: value) == .start)
        }
    }
}
