import CivilDate
public import Foundation

/// A parsed registration time: the instant, and the UTC offset it was written with, if any.
public struct RegistrationTimestamp: Sendable, Equatable {
    public var date: Date
    /// nil for a naive timestamp (no offset and no "Z"): the wall time was taken as UTC.
    public var utcOffsetSeconds: Int?

    public init(date: Date, utcOffsetSeconds: Int?) {
        self.date = date
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Parses ISO 8601 / RFC 3339 date-times as registration systems export them:
    /// `YYYY-MM-DD[T| ]hh:mm[:ss[.fraction]][Z|±hh:mm|±hhmm|±hh]`, or a bare `YYYY-MM-DD`
    /// (midnight). Written by hand rather than with a formatter so that naive timestamps are
    /// recognised as such (a formatter would silently apply the machine's time zone) and the
    /// result never depends on the host's locale or zone.
    public static func parse(_ text: String) -> RegistrationTimestamp? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take("-"),
            let month = scanner.number(digits: 2), scanner.take("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset: Int?
        if !scanner.atEnd {
            guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
                let h = scanner.number(digits: 2), scanner.take(":"),
                let m = scanner.number(digits: 2)
            else { return nil }
            hour = h
            minute = m
            if scanner.take(":") {
                guard let s = scanner.number(digits: 2) else { return nil }
                second = s
                if scanner.take(".") || scanner.take(",") {
                    guard let digits = scanner.digitRun(), !digits.isEmpty else { return nil }
                    fraction = Double("0." + digits) ?? 0
                }
            }
            guard hour <= 23, minute <= 59, second <= 59 else { return nil }
            if scanner.take("Z") || scanner.take("z") {
                offset = 0
            } else if let sign = scanner.takeSign() {
                guard let oh = scanner.number(digits: 2) else { return nil }
                var om = 0
                if scanner.take(":") {
                    guard let value = scanner.number(digits: 2) else { return nil }
                    om = value
                } else if let value = scanner.number(digits: 2) {
                    om = value
                }
                guard oh <= 18, om <= 59 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
            guard scanner.atEnd else { return nil }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let wallSeconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
        let utcSeconds = wallSeconds - Double(offset ?? 0)
        return RegistrationTimestamp(date: Date(timeIntervalSince1970: utcSeconds), utcOffsetSeconds: offset)
    }

    /// RFC 3339 text in the original offset when known, else in UTC with "Z"; whole seconds.
    public static func format(_ date: Date, utcOffsetSeconds: Int?) -> String {
        let offset = utcOffsetSeconds ?? 0
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + offset
        let days = Int((Double(local) / 86_400).rounded(.down))
        let secondsOfDay = local - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        var text =
            "\(yearText)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):"
            + "\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60))"
        if let utcOffsetSeconds, utcOffsetSeconds != 0 {
            let magnitude = abs(utcOffsetSeconds)
            text += (utcOffsetSeconds < 0 ? "-" : "+") + "\(two(magnitude / 3600)):\(two(magnitude % 3600 / 60))"
        } else if utcOffsetSeconds == 0 {
            text += "+00:00"
        } else {
            text += "Z"
        }
        return text
    }

    static func daysIn(month: Int, year: Int) -> Int { CivilDate.daysIn(month: month, year: year) }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let date = CivilDate.date(days: Int64(days))
        return (Int(date.year), Int(date.month), Int(date.day))
    }
}

/// Cursor over ASCII bytes for the timestamp grammar.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func take(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, position < bytes.count, bytes[position] == ascii else {
            return false
        }
        position += 1
        return true
    }

    mutating func takeSign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }

    /// Exactly `digits` ASCII digits.
    mutating func number(digits: Int) -> Int? {
        guard position + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<(position + digits)] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        position += digits
        return value
    }

    mutating func digitRun() -> String? {
        let start = position
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
        guard position - start <= 9 else { return nil }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }
}
