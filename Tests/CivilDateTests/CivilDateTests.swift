import CivilDate
import Foundation
import Testing

/// The day arithmetic against Foundation's Gregorian calendar (in UTC), which the production
/// code avoids for its memory but a test may use as the reference.
@Suite struct CivilDateTests {
    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    @Test func knownDates() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDate.date(days: 20_779) == (2026, 11, 22))
        #expect(CivilDate.date(days: -719_468) == (0, 3, 1))
    }

    /// Every 37th day from 1583 to 9999 and back: the same date as the calendar's, and the day
    /// count it came from.
    @Test func agreesWithTheGregorianCalendarAndRoundTrips() {
        let calendar = Self.calendar
        var days = CivilDate.days(year: 1583, month: 1, day: 1)
        let end = CivilDate.days(year: 9999, month: 12, day: 31)
        while days <= end {
            let date = CivilDate.date(days: days)
            let reference = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(Int(date.year) == reference.year && Int(date.month) == reference.month && Int(date.day) == reference.day, "\(days)")
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days)
            days += 37
        }
    }

    @Test func monthLengthsFollowTheLeapYearRule() {
        #expect(CivilDate.daysIn(month: 2, year: 2024) == 29)
        #expect(CivilDate.daysIn(month: 2, year: 1900) == 28)
        #expect(CivilDate.daysIn(month: 2, year: 2000) == 29)
        #expect(CivilDate.daysIn(month: 2, year: 2026) == 28)
        #expect(CivilDate.daysIn(month: 4, year: 2026) == 30)
        #expect(CivilDate.daysIn(month: 12, year: 2026) == 31)
        for year in 1583...2400 {
            let total = (1...12).reduce(0) { $0 + CivilDate.daysIn(month: $1, year: year) }
            #expect(
                total == Int(CivilDate.days(year: Int64(year) + 1, month: 1, day: 1) - CivilDate.days(year: Int64(year), month: 1, day: 1)))
        }
    }
}
