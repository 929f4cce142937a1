import Attendees
import Foundation
import Testing

@testable import Store

/// The ranking `searchAttendees` documents, written the plain way — every attendee tested
/// against the folded fields, every match sorted — to check the index-driven search against.
struct ReferenceSearch {
    struct Entry {
        var attendeeID: String
        var first: String
        var last: String
        var email: String
        var company: String
        /// The ways of writing the name: given and family name in both orders, each alone, the
        /// preferred name alone and before the family name, and the parts joined for scripts
        /// written without spaces.
        var names: [String]
    }

    let entries: [Entry]

    init(_ attendees: [Attendee]) {
        entries = attendees.map { attendee in
            let first = SearchFolding.fold(attendee.firstName ?? "")
            let last = SearchFolding.fold(attendee.lastName ?? "")
            let preferred = SearchFolding.fold(attendee.preferredName ?? "")
            func spaced(_ parts: String...) -> String { parts.filter { !$0.isEmpty }.joined(separator: " ") }
            var names = [
                spaced(first, last), spaced(last, first), first, last, preferred, preferred.isEmpty ? "" : spaced(preferred, last),
            ]
            if SearchFolding.writtenWithoutSpaces(first + last + preferred) {
                names += [last + first, first + last, preferred.isEmpty ? "" : last + preferred]
            }
            return Entry(
                attendeeID: attendee.attendeeID, first: first, last: last, email: SearchFolding.fold(attendee.email),
                company: SearchFolding.fold(attendee.company ?? ""), names: names.filter { !$0.isEmpty })
        }
    }

    /// Every match as "attendee_id kind", best first.
    func rank(_ query: String) -> [String] {
        let q = SearchFolding.fold(query)
        guard !q.isEmpty else { return [] }
        let short = q.unicodeScalars.count < 3
        let words = q.split(separator: " ").map(String.init)
        let long = words.filter { $0.unicodeScalars.count >= 3 }
        var hits: [(kind: AttendeeMatch.Kind, apart: Bool, position: Int)] = []
        var positions: [Int] = []
        for (position, entry) in entries.enumerated() {
            let kind: AttendeeMatch.Kind
            var apart = false
            if entry.names.contains(q) {
                kind = .exactName
            } else if entry.names.contains(where: { Self.starts($0, q) || Self.has($0, " " + q) }) {
                kind = .namePrefix
            } else if short {
                if Self.starts(entry.email, q) {
                    kind = .email
                } else if Self.starts(entry.company, q) {
                    kind = .company
                } else {
                    continue
                }
            } else if entry.names.contains(where: { Self.has($0, q) }) {
                kind = .nameContains
            } else if Self.has(entry.email, q) {
                kind = .email
            } else if Self.has(entry.company, q) {
                kind = .company
            } else {
                let fields = [entry.names.joined(separator: "\n"), entry.email, entry.company]
                guard words.count > 1, !long.isEmpty,
                    words.allSatisfy({ word in fields.contains { Self.has($0, word) } })
                else { continue }
                kind = .severalFields
                apart = !fields.contains { field in long.allSatisfy { Self.has(field, $0) } }
            }
            hits.append((kind, apart, position))
            positions.append(position)
        }
        hits.sort { lhs, rhs in
            if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
            if lhs.apart != rhs.apart { return !lhs.apart }
            let left = entries[lhs.position], right = entries[rhs.position]
            if left.last != right.last { return left.last.utf8.lexicographicallyPrecedes(right.last.utf8) }
            if left.first != right.first { return left.first.utf8.lexicographicallyPrecedes(right.first.utf8) }
            return lhs.position < rhs.position
        }
        return hits.map { "\(entries[$0.position].attendeeID) \($0.kind)" }
    }

    static func has(_ text: String, _ part: String) -> Bool { text.utf8.firstRange(of: part.utf8) != nil }
    static func starts(_ text: String, _ part: String) -> Bool { text.utf8.starts(with: part.utf8) }
}

@Suite struct AttendeeSearchRankingTests {
    static let roster = SyntheticRoster.attendees(count: 3_000, seed: 99)

    /// What kiosk users type, taken from the roster: names whole, in both orders and in part,
    /// name starts of one to three characters, inner parts of names, email parts and domains,
    /// companies, a name with a company, a short word with a long one; and some that find no one.
    static let queries: [String] = {
        var queries = [
            "a", "an", "ö", "zz", "王", "김", "example", "example.com", "guest1", "anna acme", "muller gmbh",
            "jo li", "not there at all", "smith example.org", "ivan yandex", "иван яндекс",
        ]
        for attendee in stride(from: 0, to: roster.count, by: 150).map({ roster[$0] }) {
            let first = attendee.firstName ?? "", last = attendee.lastName ?? "", company = attendee.company ?? ""
            queries += [
                first, last, "\(first) \(last)", "\(last) \(first)", String(first.prefix(1)), String(last.prefix(2)),
                String(last.prefix(3)), String(last.dropFirst().prefix(3)), String(attendee.email.dropFirst(2).prefix(6)),
                String(attendee.email.split(separator: "@").last ?? ""), company,
                "\(first) \(company.split(separator: " ").first ?? "")", "\(first.prefix(2)) \(last)",
            ]
        }
        return queries
    }()

    /// A store holding the roster; the database goes when the caller drops it.
    static func filledStore() throws -> (TemporaryDatabase, LanyardStore) {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.upsertAttendees(roster)
        return (database, store)
    }

    func ranked(_ matches: [AttendeeMatch]) -> [String] { matches.map { "\($0.attendee.attendeeID) \($0.kind)" } }

    @Test func everyMatchComesInTheDocumentedOrder() throws {
        let (database, store) = try Self.filledStore()
        defer { withExtendedLifetime(database) {} }
        let reference = ReferenceSearch(Self.roster)
        var nonEmpty = 0
        for query in Self.queries {
            let expected = reference.rank(query)
            // A limit above the roster makes every window and scan limit cover everything.
            let found = ranked(try store.searchAttendees(query, limit: 10_000))
            #expect(found == expected, "\(query): \(found.count) found, \(expected.count) expected")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > Self.queries.count * 3 / 4, "the queries must mostly find someone to test anything")
    }

    /// With a kiosk's limit, each kind shown is complete except the last, and the last is
    /// exactly the best by name when it fits in the ranking window.
    @Test func aLimitedSearchShowsTheBestOfEachKind() throws {
        let (database, store) = try Self.filledStore()
        defer { withExtendedLifetime(database) {} }
        let reference = ReferenceSearch(Self.roster)
        let limit = 20
        for query in Self.queries {
            let expected = reference.rank(query)
            let found = try store.searchAttendees(query, limit: limit)
            #expect(found.count == min(limit, expected.count), "\(query)")
            #expect(found.map(\.kind) == found.map(\.kind).sorted(), "\(query): kinds best first")
            #expect(Set(ranked(found)).isSubset(of: expected), "\(query): every hit of the kind the rule gives")
            guard let lastKind = found.last?.kind else { continue }
            let better = expected.filter { line in AttendeeMatch.Kind.allCases.contains { $0 < lastKind && line.hasSuffix(" \($0)") } }
            #expect(Array(ranked(found).prefix(better.count)) == better, "\(query): every better kind whole, in order")
            let lastKindSize = expected.count { $0.hasSuffix(" \(lastKind)") }
            if lastKindSize <= AttendeeSearch.rankingWindow {
                #expect(ranked(found) == Array(expected.prefix(limit)), "\(query)")
            }
        }
    }
}
