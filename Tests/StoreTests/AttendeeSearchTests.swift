import Attendees
import Foundation
import Testing

@testable import Store

@Suite struct AttendeeSearchTests {
    static func person(
        _ number: Int, first: String?, last: String?, preferred: String? = nil,
        email: String? = nil, company: String? = nil
    ) -> Attendee {
        Attendee(
            attendeeID: String(format: "00000000-0000-4000-8000-%012ld", number), source: "test", sourceID: "\(number)",
            eventSlug: "swiftconf", firstName: first, lastName: last, preferredName: preferred,
            email: email ?? "person\(number)@example.org", company: company, ticketType: "General",
            accessTier: .general, registeredAt: Date(timeIntervalSince1970: 1_790_000_000.123),
            registeredAtUTCOffsetSeconds: 7200, custom: ["seat": "A\(number)"])
    }

    static let people: [Attendee] = [
        person(1, first: "Zoë", last: "Ångström-Müller", email: "zoe@uppsala.example", company: "Łódź Spółka z o.o."),
        person(2, first: "Jürgen", last: "Müller", email: "j.mueller@acme.example", company: "Acme GmbH"),
        person(3, first: "娜娜", last: "欧阳", company: "中国科学院计算技术研究所"),
        person(4, first: "مُحَمَّد", last: "الفلاحي", company: "شركة الاتصالات المتحدة"),
        person(5, first: "אֲבִיגַיִל", last: "בן־דוד"),
        person(6, first: "Søren", last: "Kierkegaard", email: "soren@philosophy.example"),
        person(7, first: "Ann", last: "Lee", email: "ann.lee@example.org"),
        person(8, first: "Annabel", last: "Smith"),
        person(9, first: "Joanna", last: "Hanna"),
        person(10, first: "Bob", last: "Stone", email: "bob@annex.example"),
        person(11, first: "さくら", last: "高橋", company: "株式会社日立製作所"),
        person(12, first: "서연", last: "김"),
        person(13, first: "Patrick", last: "O’Brien", preferred: "Paddy"),
        person(14, first: "伟", last: "王"),
    ]

    func store(_ database: TemporaryDatabase) throws -> LanyardStore {
        let store = try database.open()
        #expect(try store.upsertAttendees(Self.people, now: .start) == Self.people.count)
        return store
    }

    func ids(_ matches: [AttendeeMatch]) -> [String] { matches.map { String($0.attendee.sourceID) } }

    @Test(arguments: [
        ("zoe", "1"), ("ZOË", "1"), ("muller", "1"), ("angstrom", "1"), ("ångström müller", "1"), ("lodz", "1"),
        ("欧阳", "3"), ("欧阳娜娜", "3"), ("阳娜娜", "3"), ("计算技术", "3"),
        ("محمد", "4"), ("الفلاح", "4"), ("بيجي", ""), ("ביגי", "5"), ("בן דוד", "5"),
        ("soren", "6"), ("søren", "6"), ("SOREN KIERKEGAARD", "6"), ("kierkegaard soren", "6"),
        ("uppsala.example", "1"), ("philosophy", "6"), ("acme", "2"), ("高橋", "11"), ("さくら", "11"), ("日立製作", "11"),
        ("김서연", "12"), ("obrien", "13"), ("o'brien", "13"), ("paddy", "13"), ("Paddy O'Brien", "13"),
    ])
    func findsAcrossScriptsIgnoringCaseAndMarks(query: String, expected: String) throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        let found = ids(try store.searchAttendees(query, limit: 20))
        if expected.isEmpty {
            #expect(found.isEmpty, "\(query) -> \(found)")
        } else {
            #expect(found.contains(expected), "\(query) -> \(found)")
        }
    }

    @Test func mullerFindsBothMullersWithTheWholeNameFirst() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        let matches = try store.searchAttendees("muller", limit: 20)
        #expect(ids(matches) == ["2", "1"], "Müller (exact family name) before Ångström-Müller (a name word)")
        #expect(matches.map(\.kind) == [.exactName, .namePrefix])
    }

    @Test func exactAndPrefixNameMatchesComeFirst() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        let matches = try store.searchAttendees("ann", limit: 20)
        // Ann (exact) < Annabel (prefix) < Joanna, Hanna (inside a name) < bob@annex (email).
        #expect(ids(matches) == ["7", "8", "9", "10"])
        #expect(matches.map(\.kind) == [.exactName, .namePrefix, .nameContains, .email])
        #expect(ids(try store.searchAttendees("ann", limit: 2)) == ["7", "8"])
        #expect(ids(try store.searchAttendees("ann", limit: .max)) == ["7", "8", "9", "10"])
        #expect(ids(try store.searchAttendees("ann lee", limit: .max)) == ["7"])
        #expect(try store.searchAttendees("ann", limit: 0).isEmpty)
    }

    @Test func shortQueriesMatchTheStartOfNames() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        let an = ids(try store.searchAttendees("an", limit: 20))
        #expect(an == ["1", "7", "8"], "Ångström-Müller, Ann Lee, Annabel Smith: by family name")
        #expect(ids(try store.searchAttendees("Zo", limit: 20)) == ["1"])
        #expect(ids(try store.searchAttendees("ö", limit: 20)).isEmpty == false, "folds to 'o': O’Brien")
        #expect(try store.searchAttendees("欧阳", limit: 20).first?.kind == .exactName)
        #expect(ids(try store.searchAttendees("김", limit: 20)) == ["12"])
        // Two characters are a whole name in Chinese: found as written, family name first.
        #expect(try store.searchAttendees("王伟", limit: 20).map { $0.attendee.sourceID } == ["14"])
        #expect(try store.searchAttendees("王伟", limit: 20).first?.kind == .exactName)
        #expect(ids(try store.searchAttendees("娜娜", limit: 20)) == ["3"])
        #expect(ids(try store.searchAttendees("伟王", limit: 20)) == ["14"], "or given name first")
        #expect(ids(try store.searchAttendees("日立", limit: 20)).isEmpty, "not the inside of a company under three characters")
        #expect(ids(try store.searchAttendees("日立製", limit: 20)) == ["11"], "from three characters on")
        #expect(ids(try store.searchAttendees("bo", limit: 20)) == ["10"])
        #expect(ids(try store.searchAttendees("nn", limit: 20)).isEmpty, "not a substring search under three characters")
    }

    @Test func queriesAreDataNotSyntax() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        let hostile = [
            "\"", "\"\"", "\"zoe", "zoe\"", "'", "''", "%", "_", "\\", "%%%", "a_b", "*", "zo*", "^zoe",
            "name:zoe", "zoe AND muller", "zoe OR", "NOT", "NEAR(zoe muller)", "(", ")", "(((", "-zoe",
            "+", "{zoe}", "[a]", ":", ";", "'; DROP TABLE attendee; --", "\u{0}", "\u{200B}", "   ", "",
            String(repeating: "\"", count: 500), "zo\"e mül\"ler",
        ]
        for query in hostile {
            _ = try store.searchAttendees(query, limit: 5)
        }
        #expect(try store.attendeeCount() == Self.people.count)
        #expect(try store.searchAttendees("%", limit: 5).isEmpty, "a LIKE wildcard is a literal character")
        #expect(try store.searchAttendees("_n", limit: 5).isEmpty)
        #expect(ids(try store.searchAttendees("zoe AND muller", limit: 5)).isEmpty, "AND is a word, not an operator")
        #expect(ids(try store.searchAttendees("zoe muller", limit: 5)) == ["1"])
    }

    @Test func upsertsReplaceByIDAndTheWholeRecordRoundTrips() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        #expect(try store.attendee(id: Self.people[0].attendeeID) == Self.people[0])
        #expect(try store.attendee(id: "unknown") == nil)
        #expect(try store.upsertAttendees(Self.people, now: .start.plus(1)) == 0, "identical records are left alone")

        var renamed = Self.people[1]
        renamed.lastName = "Schäfer"
        renamed.company = "Initech"
        #expect(try store.upsertAttendees([renamed]) == 1)
        #expect(try store.attendeeCount() == Self.people.count)
        #expect(try store.attendee(id: renamed.attendeeID) == renamed)
        #expect(ids(try store.searchAttendees("schafer", limit: 5)) == ["2"])
        #expect(ids(try store.searchAttendees("gmbh", limit: 5)).isEmpty, "the old company is gone from the index")
        #expect(ids(try store.searchAttendees("muller", limit: 5)) == ["1"], "and so is the old name")
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.upsertAttendees(
                [Self.person(99, first: "A", last: "B")].map {
                    var a = $0
                    a.attendeeID = ""
                    return a
                })
        }
    }

    @Test func largeBatchesAndRepeatedIDsInOneBatch() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let many = SyntheticRoster.attendees(count: 2_500, seed: 11)
        #expect(try store.upsertAttendees(many) == 2_500, "more rows than one statement takes")
        #expect(try store.attendeeCount() == 2_500)
        #expect(try store.attendee(id: many[2_499].attendeeID) == many[2_499])

        var first = Self.people[0]
        var second = first
        first.company = "First Company"
        second.company = "Second Company"
        try store.upsertAttendees([first, second])
        #expect(try store.attendee(id: first.attendeeID)?.company == "Second Company", "the later one in a batch wins")
        #expect(ids(try store.searchAttendees("first company", limit: 5)).isEmpty)
        #expect(ids(try store.searchAttendees("second company", limit: 5)) == ["1"])
    }

    @Test func theCacheSurvivesReopening() throws {
        let database = TemporaryDatabase()
        _ = try store(database)
        let reopened = try database.open()
        #expect(try reopened.attendeeCount() == Self.people.count)
        #expect(ids(try reopened.searchAttendees("angstrom", limit: 5)) == ["1"])
    }

    @Test func theSyntheticRosterIsReproducibleAndMultiScript() throws {
        let first = SyntheticRoster.attendees(count: 500, seed: 42)
        #expect(first == SyntheticRoster.attendees(count: 500, seed: 42))
        #expect(first != SyntheticRoster.attendees(count: 500, seed: 43))
        #expect(SyntheticRoster.attendees(count: 100, offset: 400, seed: 42).map(\.attendeeID) == first[400...].map(\.attendeeID))
        #expect(Set(first.map(\.attendeeID)).count == 500)
        let names = first.compactMap(\.lastName).joined()
        for sample in ["Müller", "欧阳", "김", "Иванова", "כהן", "الفلاحي", "शर्मा", "高橋"] where !names.contains(sample) {
            Issue.record("no '\(sample)' among 500 synthetic attendees")
        }
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.fillWithSyntheticAttendees(count: 1_200, seed: 7, batchSize: 500) == 1_200)
        #expect(try store.attendeeCount() == 1_200)
        #expect(try !store.searchAttendees("muller", limit: 10).isEmpty)
    }

    @Test func wordsApartInOneFieldComeBeforeWordsSpreadOverFields() throws {
        let database = TemporaryDatabase()
        let store = try store(database)
        #expect(try store.searchAttendees("zoe muller", limit: 5).map(\.kind) == [.severalFields], "both in the name, apart")
        #expect(ids(try store.searchAttendees("stone annex", limit: 5)) == ["10"], "a name word and an email word")
        try store.upsertAttendees([
            Self.person(20, first: "Lena", last: "Stone", email: "lena@quarry.example", company: "Annex Works"),
            Self.person(21, first: "Annex", last: "Stoneham", email: "a.stoneham@example.org"),
        ])
        let matches = try store.searchAttendees("stone annex", limit: 5)
        // 21 has both words in its name; 10 (Bob Stone) and 20 (Lena Stone) have them in
        // different fields, and come by name.
        #expect(ids(matches) == ["21", "10", "20"])
        #expect(matches.allSatisfy { $0.kind == .severalFields })
        #expect(ids(try store.searchAttendees("stone annex", limit: 1)) == ["21"])
    }

    /// A kind with more members than the ranking window is read in cache order and only its
    /// first `rankingWindow` members are sorted by name, while a better kind still comes first.
    @Test func aBroadQueryRanksTheFirstWindowOfEachKindByName() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let window = AttendeeSearch.rankingWindow
        let crowd = (0..<(window + 50)).map { index in
            // Inserted in reverse name order: Name149 first, Name000 last.
            Self.person(
                100 + index, first: "Guest", last: String(format: "Name%03d", window + 49 - index),
                email: "guest\(index)@crowd.example")
        }
        try store.upsertAttendees(crowd)
        try store.upsertAttendees([Self.person(999, first: "Crowdy", last: "Person", email: "crowdy@elsewhere.example")])

        let matches = try store.searchAttendees("crowd", limit: 21)
        #expect(matches.first?.attendee.sourceID == "999", "a name beats every email, though stored last")
        #expect(matches.first?.kind == .namePrefix)
        let emails = matches.dropFirst()
        #expect(emails.count == 20)
        #expect(emails.allSatisfy { $0.kind == .email })
        // The window is the first `window` stored: Name149 down to Name050, shown from Name050 up.
        #expect(emails.compactMap(\.attendee.lastName) == (50..<70).map { String(format: "Name%03d", $0) })

        // A narrower query, whose 61 matches fit in the window, is ranked exactly: guest149,
        // guest148 and guest147 were stored last and have the first names.
        let narrow = try store.searchAttendees("guest1", limit: 3)
        #expect(narrow.compactMap(\.attendee.lastName) == ["Name000", "Name001", "Name002"])
    }
}
