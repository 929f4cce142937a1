import CivilDate
package import Foundation
internal import GRDB

/// An instant as the store keeps it: GRDB's text format, `yyyy-MM-dd HH:mm:ss.SSS` in UTC,
/// written and read by hand. GRDB's own conversion formats with a `DateFormatter` and reads
/// through a `Calendar`, which load ICU (megabytes of resident memory) into the agent on every
/// job; this gives the same text to the character and the same `Date` to the bit, so databases
/// written before read the same and dates still compare as text in time order.
///
/// Bind `StoredDate(date)` wherever a date goes into SQL (arguments, filters, updates); records
/// with `Date` properties adopt `StoredDateRecord`.
struct StoredDate: DatabaseValueConvertible {
    let date: Date

    init(_ date: Date) {
        self.date = date
    }

    var databaseValue: DatabaseValue { Self.text(date).databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredDate? {
        date(from: dbValue).map(StoredDate.init)
    }

    /// The text GRDB's formatter writes, `2026-11-22 09:01:51.123`; instants outside the years
    /// `UTCDateFields` covers go to GRDB's formatter.
    static func text(_ date: Date) -> String {
        guard let fields = UTCDateFields(date) else { return String.fromDatabaseValue(date.databaseValue) ?? "" }
        var text = ""
        text.reserveCapacity(23)
        fields.appendDate(to: &text)
        text += " "
        fields.appendTime(to: &text)
        text += "."
        UTCDateFields.append(fields.millisecond, width: 3, to: &text)
        return text
    }

    /// The `Date` GRDB reads from a value: a number is seconds since 1970, text is a date in one
    /// of SQLite's formats (`YYYY-MM-DD`, then optionally ` HH:MM`, `:SS`, `.SSS`, with `T`
    /// allowed for the space) taken in UTC; NULL and blobs are no date (as GRDB reads a record's
    /// column). Text this parser does not take up exactly (time zones, time without a date,
    /// out-of-range fields, years before 1583) is left to GRDB itself.
    static func date(from dbValue: DatabaseValue) -> Date? {
        switch dbValue.storage {
        case .int64(let seconds): Date(timeIntervalSince1970: Double(seconds))
        case .double(let seconds): Date(timeIntervalSince1970: seconds)
        case .string(let text): date(fromText: text) ?? Date.fromDatabaseValue(dbValue)
        case .null, .blob: nil
        }
    }

    /// Parses the plain forms GRDB writes and SQLite's date functions return; nil for anything
    /// else, which the caller hands to GRDB.
    private static func date(fromText text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
            year >= 1583, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour: Int?, minute: Int?, second: Int?, nanosecond: Int?
        if index < bytes.count {
            guard skip(" ") || skip("T"), let h = number(2), skip(":"), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if index < bytes.count {
                guard skip(":"), let s = number(2), s < 60 else { return nil }
                second = s
                if index < bytes.count {
                    guard skip(".") else { return nil }
                    var digits = 0, fraction = 0
                    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                        if digits < 3 { fraction = fraction * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                        digits += 1
                        index += 1
                    }
                    guard digits > 0, index == bytes.count else { return nil }
                    nanosecond = fraction * [100_000_000, 10_000_000, 1_000_000][min(digits, 3) - 1]
                }
            }
        }
        // The arithmetic of Foundation's Gregorian calendar, step for step, so that the result
        // is the same `Double`: the Julian day's noon, back to midnight, plus the seconds of
        // the day summed field by field.
        var secondsInDay = 0.0
        if let hour { secondsInDay += Double(hour) * 3600.0 }
        if let minute { secondsInDay += Double(minute) * 60.0 }
        if let second { secondsInDay += Double(second) }
        if let nanosecond { secondsInDay += Double(nanosecond) / Double(1_000_000_000) }
        let julianDay = daysSince1970(year: year, month: month, day: day) + 2_440_588
        let noon = (Double(julianDay) - 2_451_910.5) * 86400
        return Date(timeIntervalSinceReferenceDate: noon - 43200 + secondsInDay)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    static func daysIn(month: Int, year: Int) -> Int { CivilDate.daysIn(month: month, year: year) }
}

/// The UTC calendar fields of an instant as Foundation's date formatters print them: Core
/// Foundation adds half a millisecond before ICU truncates, so the instant is rounded to the
/// nearest millisecond. Nil outside the years 1583 to 9999, where the formatters' calendar is
/// Julian or the year takes more than four digits; the store and the API never write such dates.
package struct UTCDateFields: Sendable, Equatable {
    package let year: Int64, month: Int64, day: Int64
    package let hour: Int64, minute: Int64, second: Int64, millisecond: Int64

    package init?(_ date: Date) {
        let milliseconds = ((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down)
        guard milliseconds >= Self.firstMillisecond, milliseconds < Self.endMillisecond else { return nil }
        let total = Int64(milliseconds)
        let days = total >= 0 ? total / 86_400_000 : (total - 86_399_999) / 86_400_000
        var rest = total - days * 86_400_000
        let civil = Self.civilDate(daysSince1970: days)
        year = civil.year
        month = civil.month
        day = civil.day
        hour = rest / 3_600_000
        rest -= hour * 3_600_000
        minute = rest / 60_000
        rest -= minute * 60_000
        second = rest / 1000
        millisecond = rest - second * 1000
    }

    /// What `ISO8601DateFormatter()` writes: `2026-11-22T09:01:51Z`.
    package var internetDateTime: String {
        var text = ""
        text.reserveCapacity(20)
        appendDate(to: &text)
        text += "T"
        appendTime(to: &text)
        return text + "Z"
    }

    func appendDate(to text: inout String) {
        Self.append(year, width: 4, to: &text)
        text += "-"
        Self.append(month, width: 2, to: &text)
        text += "-"
        Self.append(day, width: 2, to: &text)
    }

    func appendTime(to text: inout String) {
        Self.append(hour, width: 2, to: &text)
        text += ":"
        Self.append(minute, width: 2, to: &text)
        text += ":"
        Self.append(second, width: 2, to: &text)
    }

    static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }

    /// Years 1583 through 9999, in milliseconds since 1970.
    private static let firstMillisecond = Double(StoredDate.daysSince1970(year: 1583, month: 1, day: 1)) * 86_400_000
    private static let endMillisecond = Double(StoredDate.daysSince1970(year: 10_000, month: 1, day: 1)) * 86_400_000

    /// The proleptic Gregorian date of a day counted from 1970-01-01.
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        CivilDate.date(days: days)
    }
}

/// A record whose `Date` properties are stored as `StoredDate` text rather than through GRDB's
/// ICU-backed default conversion.
protocol StoredDateRecord {}

extension StoredDateRecord where Self: EncodableRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { StoredDate($0) }
    }
}

extension StoredDateRecord where Self: FetchableRecord {
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { StoredDate.date(from: $0) }
    }
}
