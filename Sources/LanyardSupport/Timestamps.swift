import CivilDate
public import Foundation

/// ISO-8601 UTC timestamps with milliseconds (`2026-11-22T12:31:34.123Z`), written by hand:
/// Foundation's date formatters load ICU's calendar data, megabytes of memory on a small kiosk
/// for a fixed format.
public enum Timestamps {
    /// To the nearest millisecond, so that a date read back from this text (`parse`) writes the
    /// same text again: a binary fraction such as .123 is a hair under it.
    public static func iso8601(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let milliseconds = Int((totalMilliseconds % 1000 + 1000) % 1000)
        let seconds = (totalMilliseconds - Int64(milliseconds)) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(daysSince1970: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(milliseconds, 3))Z"
    }

    /// The proleptic Gregorian date of a day count.
    static func civil(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let date = CivilDate.date(days: days)
        return (Int(date.year), Int(date.month), Int(date.day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension Timestamps {
    /// An ISO-8601 instant with or without fractional seconds and with any offset, as
    /// `iso8601(_:)` and other tools write it, kept to the millisecond (the precision written);
    /// nil when the text is not one.
    public static func parse(_ text: String) -> Date? {
        let parsed =
            (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
        return parsed.map { Date(timeIntervalSince1970: Double(Int64(($0.timeIntervalSince1970 * 1000).rounded())) / 1000) }
    }
}
