import Attendees
import Foundation
import LanyardSupport
import Store
import Sync
import Testing

@Suite struct AttendeeSyncTests {
    static let event = "swiftconf"

    static func person(_ number: Int, first: String, last: String, event: String = event) -> Attendee {
        Attendee(
            attendeeID: String(format: "00000000-0000-4000-8000-%012ld", number), source: "registry", sourceID: "\(number)",
            eventSlug: event, firstName: first, lastName: last, email: "person\(number)@example.org",
            company: "Company \(number)", ticketType: "General", accessTier: .general)
    }

    static func id(_ number: Int) -> String { person(number, first: "", last: "").attendeeID }

    static let roster: [Attendee] = [
        person(1, first: "Zoë", last: "Ångström"),
        person(2, first: "Jürgen", last: "Müller"),
        person(3, first: "Łukasz", last: "Kowalski"),
        person(4, first: "娜娜", last: "欧阳"),
        person(5, first: "Søren", last: "Kierkegaard"),
    ]

    /// The source ids of the attendees a search finds.
    func found(_ store: LanyardStore, _ query: String) throws -> [String] {
        try store.searchAttendees(query, limit: 20).map(\.attendee.sourceID)
    }

    func resolution(_ number: Int, nonce: String = "n-remote", kiosk: String = "kiosk-b") -> CheckInResolution {
        CheckInResolution(attendeeID: Self.id(number), nonce: nonce, kioskID: kiosk, scannedAt: Date.start.plus(30))
    }

    @Test func aSnapshotReplacesTheEventsAttendeesAndTheirSearchEntries() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.attendeeCursor(event: Self.event) == nil)
        let other = Self.person(99, first: "Kowalski", last: "Elsewhere", event: "otherconf")
        try store.upsertAttendees([other], now: .start)

        let first = try store.applyAttendeeSnapshot(event: Self.event, cursor: 10, attendees: Self.roster, now: .start)
        #expect(first == AttendeeSyncOutcome(cursor: 10, written: 5, removed: 0, resolutions: 0, alreadyApplied: false))
        #expect(try store.attendeeCursor(event: Self.event) == 10)
        #expect(try found(store, "kowalski").sorted() == ["3", "99"])
        #expect(try found(store, "kierkegaard") == ["5"])

        // 2 renamed, 6 new, 1 unchanged; 3, 4 and 5 no longer listed.
        let renamed = Self.person(2, first: "Jürgen", last: "Schmidt")
        let second = try store.applyAttendeeSnapshot(
            event: Self.event, cursor: 11,
            attendees: [
                Self.roster[0], renamed, Self.person(6, first: "Ingrid", last: "Novák"),
            ], now: .start.plus(60))
        #expect(second == AttendeeSyncOutcome(cursor: 11, written: 2, removed: 3, resolutions: 0, alreadyApplied: false))
        #expect(try store.attendeeCursor(event: Self.event) == 11)
        #expect(try store.attendee(id: Self.id(2)) == renamed)
        for gone in [3, 4, 5] { #expect(try store.attendee(id: Self.id(gone)) == nil) }
        #expect(try found(store, "kowalski") == ["99"], "the removed attendee left the search, the other event's stayed")
        #expect(try found(store, "kierkegaard").isEmpty)
        #expect(try found(store, "欧阳").isEmpty)
        #expect(try found(store, "muller").isEmpty, "the old name is gone from the index")
        #expect(try found(store, "schmidt") == ["2"])
        #expect(try found(store, "novak") == ["6"])
        #expect(try store.attendee(id: other.attendeeID) == other, "another event's attendee is not the snapshot's business")
        #expect(try store.attendeeCount() == 4)
    }

    /// A first snapshot into an empty cache fills the search indexes without the per-row
    /// triggers, and puts the triggers back: searches must find what they find in a cache filled
    /// by upserts, and later changes must still reach the indexes.
    @Test func aFirstSnapshotSearchesLikeACacheFilledByUpserts() throws {
        let people = AttendeeSearchTests.people + SyntheticRoster.attendees(count: 400, offset: 1_000, seed: 9, eventSlug: "swiftconf")
        let queries = [
            "zoe", "muller", "jurgen muller", "欧阳娜娜", "阳娜", "محمد", "בן דוד", "soren", "ann", "annabel smith",
            "lee ann", "o'brien", "paddy", "高橋", "김서연", "王伟", "j.mueller", "zoe@", "uppsala.example",
            "example.org", "acme", "acme gmbh", "łódź", "株式会社", "initech", "globex corporation", "a", "an", "xyz",
        ]
        let other = Self.person(9_999, first: "Other", last: "Event", event: "otherconf")
        let databases = (0..<4).map { _ in TemporaryDatabase() }
        let upserted = try databases[0].open(), loaded = try databases[1].open()
        let upsertedWithOther = try databases[2].open(), staged = try databases[3].open()
        try upserted.upsertAttendees(people)
        try loaded.applyAttendeeSnapshot(event: "swiftconf", cursor: 1, attendees: people)
        try upsertedWithOther.upsertAttendees([other] + people)
        // Another event's attendee in the cache: this snapshot goes through the staging table.
        try staged.upsertAttendees([other])
        try staged.applyAttendeeSnapshot(event: "swiftconf", cursor: 1, attendees: people)
        for query in queries {
            #expect(
                try loaded.searchAttendees(query, limit: 50).map(\.attendee.attendeeID)
                    == upserted.searchAttendees(query, limit: 50).map(\.attendee.attendeeID), "\(query)")
            #expect(
                try staged.searchAttendees(query, limit: 50).map(\.attendee.attendeeID)
                    == upsertedWithOther.searchAttendees(query, limit: 50).map(\.attendee.attendeeID), "\(query)")
        }
        // The triggers are back: an upsert, a rename and a removal reach the search.
        try loaded.upsertAttendees([Self.person(7_001, first: "Ingrid", last: "Quokkaberg", event: "swiftconf")])
        #expect(try found(loaded, "quokkaberg") == ["7001"])
        try loaded.applyAttendeeDelta(
            AttendeeDelta(
                event: "swiftconf", fromCursor: 1, toCursor: 2,
                changes: [
                    .upsert(Self.person(7_001, first: "Ingrid", last: "Wombatsson", event: "swiftconf")),
                    .remove(attendeeID: AttendeeSearchTests.people[5].attendeeID),
                ]))
        #expect(try found(loaded, "quokkaberg").isEmpty && found(loaded, "wombatsson") == ["7001"])
        #expect(try found(loaded, "kierkegaard").isEmpty)
    }

    /// Snapshots and deltas commit without copying the log into the database file; a checkpoint
    /// on a connection of its own then does, and the writer's own automatic checkpoint and full
    /// synchronous level are back afterwards, failure or not.
    @Test func theLogReachesTheDatabaseFileAfterSnapshotsAndDeltas() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let automatic = try store.automaticCheckpointPages()
        #expect(automatic > 0)
        func fileSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0 }
        let before = fileSize()
        try store.applyAttendeeSnapshot(
            event: Self.event, cursor: 1,
            attendees: SyntheticRoster.attendees(count: 3_000, seed: 4, eventSlug: Self.event))
        try store.applyAttendeeDelta(
            AttendeeDelta(event: Self.event, fromCursor: 1, toCursor: 2, changes: [.remove(attendeeID: Self.id(1))]))
        expectStoreError(.cursorMismatch) { () throws(StoreError) in
            try store.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 7, toCursor: 8, changes: []))
        }
        #expect(try store.automaticCheckpointPages() == automatic)
        #expect(try store.writerSynchronousLevel() == 2, "jobs and check-ins written after a delta are synced again (FULL)")
        store.waitForScheduledCheckpoints()
        // 3,000 attendees take about 3 MB; only a checkpoint puts them into the database file.
        #expect(fileSize() > before + 1_500_000, "\(before) -> \(fileSize()) bytes")
    }

    /// Deltas write their index segments without merging them (automatic merging is off for
    /// their statements only, and on again once they commit); the background queue merges
    /// them afterwards, so segments do not pile up and searches keep finding the new names.
    @Test func deltasLeaveIndexMergesToTheBackground() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(
            event: Self.event, cursor: 1,
            attendees: SyntheticRoster.attendees(count: 2_000, seed: 5, eventSlug: Self.event))
        store.waitForScheduledCheckpoints()
        let deltas = 12
        for number in 0..<deltas {
            let renamed = (0..<10).map { Self.person(9_000 + number * 10 + $0, first: "Quokka\(number)", last: "Marsupial\($0)") }
            try store.applyAttendeeDelta(
                AttendeeDelta(
                    event: Self.event, fromCursor: Int64(1 + number), toCursor: Int64(2 + number),
                    changes: renamed.map { .upsert($0) }))
            #expect(try store.searchAutomergeSettings() == [4, 4, 4], "merging is back on for every other writer")
        }
        store.waitForScheduledCheckpoints()
        let segments = try store.searchSegmentCounts()
        #expect(segments.allSatisfy { $0 <= deltas / 2 }, "\(deltas) deltas, segments per index after the merges: \(segments)")
        #expect(try store.searchAttendees("Quokka11 Marsupial9", limit: 5).count == 1)
        #expect(try store.searchAttendees("Quokka0", limit: 20).count == 10)
    }

    @Test func aStaleSnapshotIsRefusedAndChangesNothing() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 20, attendees: Self.roster, now: .start)
        let refused = expectStoreError(.snapshotStale) { () throws(StoreError) in
            try store.applyAttendeeSnapshot(event: Self.event, cursor: 19, attendees: [Self.person(7, first: "Old", last: "List")])
        }
        #expect(refused?.cursor == StoreError.CursorConflict(stored: 20, given: 19))
        #expect(try store.attendeeCursor(event: Self.event) == 20)
        #expect(try store.attendeeCount() == Self.roster.count)
        #expect(try store.attendee(id: Self.id(7)) == nil)
        #expect(try found(store, "muller") == ["2"])

        // The same snapshot again is harmless, and rewrites nothing.
        let again = try store.applyAttendeeSnapshot(event: Self.event, cursor: 20, attendees: Self.roster, now: .start.plus(5))
        #expect(again.written == 0 && again.removed == 0 && again.cursor == 20)
        // Another event's cursor is its own.
        try store.applyAttendeeSnapshot(
            event: "otherconf", cursor: 3, attendees: [Self.person(8, first: "A", last: "B", event: "otherconf")])
        #expect(try store.attendeeCursor(event: "otherconf") == 3 && store.attendeeCursor(event: Self.event) == 20)
    }

    @Test func anInvalidSnapshotLeavesThePreviousListAndCursor() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 5, attendees: Self.roster, now: .start)
        var blank = Self.person(9, first: "No", last: "Id")
        blank.attendeeID = ""
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeSnapshot(event: Self.event, cursor: 6, attendees: [Self.roster[0], blank])
        }
        let stray = expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeSnapshot(
                event: Self.event, cursor: 6, attendees: [Self.person(9, first: "A", last: "B", event: "otherconf")])
        }
        #expect(stray?.message.contains("otherconf") == true)
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeSnapshot(event: "", cursor: 6, attendees: [])
        }
        #expect(try store.attendeeCursor(event: Self.event) == 5)
        #expect(try store.attendeeCount() == Self.roster.count)
        #expect(try found(store, "kowalski") == ["3"])

        // An empty snapshot is a real answer: the event has no attendees left.
        let emptied = try store.applyAttendeeSnapshot(event: Self.event, cursor: 7, attendees: [])
        #expect(try emptied.removed == Self.roster.count && store.attendeeCount() == 0)
        #expect(try found(store, "kowalski").isEmpty)
    }

    /// An attendee JSON cannot hold (a registration instant that is not a number) fails only
    /// once its chunk is prepared, after earlier chunks were staged inside the transaction.
    @Test func aSnapshotFailingWhileItIsWrittenLeavesThePreviousList() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: Self.roster, now: .start)
        var large = SyntheticRoster.attendees(count: 3_000, offset: 100, seed: 5, eventSlug: Self.event)
        large[2_500].registeredAt = Date(timeIntervalSinceReferenceDate: .nan)
        let refused = expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeSnapshot(event: Self.event, cursor: 2, attendees: large)
        }
        #expect(refused?.message.contains(large[2_500].attendeeID) == true)
        #expect(try store.attendeeCursor(event: Self.event) == 1)
        #expect(try store.attendeeCount() == Self.roster.count)
        #expect(try store.attendee(id: large[0].attendeeID) == nil)
        #expect(try found(store, "kowalski") == ["3"])
        // Without the bad attendee the same snapshot applies, and replaces the old list.
        large.remove(at: 2_500)
        let outcome = try store.applyAttendeeSnapshot(event: Self.event, cursor: 2, attendees: large)
        #expect(outcome.written == large.count && outcome.removed == Self.roster.count)
        #expect(try store.attendeeCount() == large.count)
    }

    @Test func aSnapshotListingAnAttendeeTwiceKeepsTheLaterOne() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let later = Self.person(1, first: "Zoe", last: "Lindqvist")
        let outcome = try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: [Self.roster[0], Self.roster[1], later])
        #expect(outcome.written == 2)
        #expect(try store.attendee(id: Self.id(1)) == later)
        #expect(try found(store, "lindqvist") == ["1"] && found(store, "angstrom").isEmpty)
    }

    @Test func deltaChangesApplyInOrderAndSearchFollows() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: Self.roster, now: .start)
        let delta = AttendeeDelta(
            event: Self.event, fromCursor: 1, toCursor: 4,
            changes: [
                .upsert(Self.person(1, first: "Zoë", last: "Lindqvist")),  // renamed
                .remove(attendeeID: Self.id(2)),
                .upsert(Self.person(2, first: "Jürgen", last: "Schmidt")),  // removed, then back under a new name
                .upsert(Self.person(6, first: "Ingrid", last: "Novák")),
                .remove(attendeeID: Self.id(6)),  // added, then removed again
                .remove(attendeeID: Self.id(5)),
                .checkInResolved(resolution(3)),
                .upsert(Self.person(1, first: "Zoë", last: "Lindqvist-Berg")),  // the later change to 1 wins
            ])
        let outcome = try store.applyAttendeeDelta(delta, now: .start.plus(60))
        #expect(outcome == AttendeeSyncOutcome(cursor: 4, written: 2, removed: 1, resolutions: 1, alreadyApplied: false))
        #expect(try store.attendeeCursor(event: Self.event) == 4)
        #expect(try store.attendee(id: Self.id(1))?.lastName == "Lindqvist-Berg")
        #expect(try store.attendee(id: Self.id(2))?.lastName == "Schmidt")
        #expect(try store.attendee(id: Self.id(5)) == nil && store.attendee(id: Self.id(6)) == nil)
        #expect(try found(store, "lindqvist berg") == ["1"])
        #expect(try found(store, "angstrom").isEmpty)
        #expect(try found(store, "schmidt") == ["2"] && found(store, "muller").isEmpty)
        #expect(try found(store, "kierkegaard").isEmpty && found(store, "novak").isEmpty)
        #expect(try found(store, "kowalski") == ["3"], "untouched attendees stay searchable")
        #expect(try store.checkInState(attendeeID: Self.id(3))?.resolution == resolution(3))

        // The next delta starts where this one ended.
        let next = try store.applyAttendeeDelta(
            AttendeeDelta(
                event: Self.event, fromCursor: 4, toCursor: 5,
                changes: [
                    .upsert(Self.person(7, first: "Noah", last: "Dubois"))
                ]))
        #expect(next.cursor == 5 && next.written == 1)
        #expect(try found(store, "dubois") == ["7"])
    }

    @Test func aDeltaFromAnotherCursorIsRefusedAndChangesNothing() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let delta = AttendeeDelta(
            event: Self.event, fromCursor: 5, toCursor: 6,
            changes: [
                .upsert(Self.person(7, first: "Noah", last: "Dubois")), .remove(attendeeID: Self.id(1)),
            ])
        // No snapshot yet: every delta is missing the list it builds on.
        let before = expectStoreError(.cursorMismatch) { () throws(StoreError) in try store.applyAttendeeDelta(delta) }
        #expect(before?.cursor == StoreError.CursorConflict(stored: nil, given: 5))

        try store.applyAttendeeSnapshot(event: Self.event, cursor: 2, attendees: Self.roster, now: .start)
        let refused = expectStoreError(.cursorMismatch) { () throws(StoreError) in try store.applyAttendeeDelta(delta) }
        #expect(refused?.cursor == StoreError.CursorConflict(stored: 2, given: 5))
        #expect(try store.attendeeCursor(event: Self.event) == 2)
        #expect(try store.attendee(id: Self.id(7)) == nil && store.attendee(id: Self.id(1)) == Self.roster[0])
        #expect(try found(store, "dubois").isEmpty)

        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 2, toCursor: 1, changes: []))
        }
    }

    @Test func aDeltaAlreadyAppliedIsANoOp() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: Self.roster, now: .start)
        let removal = AttendeeDelta(event: Self.event, fromCursor: 1, toCursor: 2, changes: [.remove(attendeeID: Self.id(3))])
        #expect(try store.applyAttendeeDelta(removal).removed == 1)
        let readd = AttendeeDelta(event: Self.event, fromCursor: 2, toCursor: 3, changes: [.upsert(Self.roster[2])])
        #expect(try store.applyAttendeeDelta(readd).written == 1)

        // The first delta again (a retried response) must not remove the attendee a second time.
        let replay = try store.applyAttendeeDelta(removal)
        #expect(replay == AttendeeSyncOutcome(cursor: 3, written: 0, removed: 0, resolutions: 0, alreadyApplied: true))
        #expect(try store.attendee(id: Self.id(3)) == Self.roster[2])
        #expect(try store.attendeeCursor(event: Self.event) == 3)
        #expect(try store.applyAttendeeDelta(readd).alreadyApplied)
        // Nothing new since 3.
        let empty = try store.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 3, toCursor: 3, changes: []))
        #expect(empty.alreadyApplied && empty.cursor == 3)
    }

    @Test func removalsTouchOnlyTheDeltasEvent() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: Self.roster, now: .start)
        let other = Self.person(42, first: "Other", last: "Event", event: "otherconf")
        try store.upsertAttendees([other])
        let outcome = try store.applyAttendeeDelta(
            AttendeeDelta(
                event: Self.event, fromCursor: 1, toCursor: 2,
                changes: [
                    .remove(attendeeID: Self.id(4)), .remove(attendeeID: other.attendeeID), .remove(attendeeID: Self.id(500)),
                ]))
        #expect(outcome.removed == 1)
        #expect(try store.attendee(id: Self.id(4)) == nil && found(store, "欧阳").isEmpty)
        #expect(try store.attendee(id: other.attendeeID) == other)
    }

    @Test func aFailingChangeRollsTheWholeDeltaBack() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: Self.roster, now: .start)
        var blank = Self.person(9, first: "No", last: "Id")
        blank.attendeeID = ""
        let changes: [AttendeeChange] = [
            .upsert(Self.person(7, first: "Noah", last: "Dubois")),
            .upsert(Self.person(1, first: "Zoë", last: "Lindqvist")),
            .remove(attendeeID: Self.id(2)),
            .checkInResolved(resolution(3)),
        ]
        let noID = expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 1, toCursor: 2, changes: changes + [.upsert(blank)]))
        }
        #expect(noID?.message.contains("change 4") == true)
        // A resolution without a nonce fails in the database, after the upserts and the removal
        // were written inside the transaction: all of it goes.
        let noNonce = expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeDelta(
                AttendeeDelta(
                    event: Self.event, fromCursor: 1, toCursor: 2,
                    changes: changes + [.checkInResolved(resolution(4, nonce: ""))]))
        }
        #expect(noNonce?.message.contains("resolution") == true)
        let wrongEvent = Self.person(8, first: "A", last: "B", event: "otherconf")
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.applyAttendeeDelta(
                AttendeeDelta(event: Self.event, fromCursor: 1, toCursor: 2, changes: changes + [.upsert(wrongEvent)]))
        }

        #expect(try store.attendeeCursor(event: Self.event) == 1)
        #expect(try store.attendee(id: Self.id(7)) == nil)
        #expect(try store.attendee(id: Self.id(1)) == Self.roster[0])
        #expect(try store.attendee(id: Self.id(2)) == Self.roster[1])
        #expect(try store.checkInState(attendeeID: Self.id(3)) == nil)
        #expect(try found(store, "dubois").isEmpty && found(store, "lindqvist").isEmpty)
        #expect(try found(store, "muller") == ["2"] && found(store, "angstrom") == ["1"])
        // And the same delta without the bad change applies.
        #expect(try store.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 1, toCursor: 2, changes: changes)).cursor == 2)
    }

    @Test func deltasTravelAsTaggedJSON() throws {
        let delta = AttendeeDelta(
            event: Self.event, fromCursor: 41, toCursor: 57,
            changes: [
                .upsert(Self.roster[0]), .remove(attendeeID: Self.id(2)),
                .checkInResolved(
                    CheckInResolution(
                        attendeeID: Self.id(3), nonce: "ab12", kioskID: "hall-b",
                        scannedAt: Date(timeIntervalSince1970: 1_790_000_000.123))),
            ])
        let data = try JSONEncoder().encode(delta)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["event"] as? String == Self.event)
        #expect(object["from_cursor"] as? Int == 41 && object["to_cursor"] as? Int == 57)
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.map { $0["op"] as? String } == ["upsert", "remove", "check_in_resolved"])
        #expect((changes[0]["attendee"] as? [String: Any])?["first_name"] as? String == "Zoë")
        #expect((changes[0]["attendee"] as? [String: Any])?["attendee_id"] as? String == Self.id(1))
        #expect(changes[1]["attendee_id"] as? String == Self.id(2))
        let resolution = try #require(changes[2]["resolution"] as? [String: Any])
        #expect(resolution["scanned_at"] as? String == "2026-09-21T14:13:20.123Z")
        #expect(resolution["kiosk_id"] as? String == "hall-b" && resolution["nonce"] as? String == "ab12")
        #expect(try JSONDecoder().decode(AttendeeDelta.self, from: data) == delta)

        let unknown = Data(#"{"event":"e","from_cursor":1,"to_cursor":2,"changes":[{"op":"merge","attendee_id":"x"}]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttendeeDelta.self, from: unknown) }
        let whole = Data(#"{"attendee_id":"x","nonce":"n","kiosk_id":"k","scanned_at":"2026-09-21T14:13:20Z"}"#.utf8)
        #expect(try JSONDecoder().decode(CheckInResolution.self, from: whole).scannedAt == Date(timeIntervalSince1970: 1_790_000_000))
    }
}
