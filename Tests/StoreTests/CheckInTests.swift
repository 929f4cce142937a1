import Attendees
import Foundation
import LanyardSupport
import Store
import Sync
import Testing

@Suite struct CheckInTests {
    static let event = AttendeeSyncTests.event
    static let attendee = AttendeeSyncTests.id(3)

    /// An instant with milliseconds that binary floating point cannot hold exactly.
    static let scan = Date(timeIntervalSince1970: 1_790_000_000.123)

    func resolved(_ resolution: CheckInResolution, into store: LanyardStore, from cursor: Int64) throws {
        let outcome = try store.applyAttendeeDelta(
            AttendeeDelta(
                event: Self.event, fromCursor: cursor, toCursor: cursor + 1,
                changes: [.checkInResolved(resolution)]))
        #expect(outcome.resolutions == 1)
    }

    @Test func aCheckInIsStoredAndQueuedForTheRegistryTogether() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.checkInState(attendeeID: Self.attendee) == nil)
        let recorded = try store.recordCheckIn(
            attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan,
            now: .start.plus(2))
        let nonce = recorded.checkIn.nonce
        #expect(nonce.count == 32 && nonce.allSatisfy(\.isHexDigit), "16 random bytes in hex: \(nonce)")
        #expect(recorded.earlier == nil)
        #expect(
            recorded.checkIn
                == LocalCheckIn(
                    attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", nonce: nonce,
                    scannedAt: Self.scan, recordedAt: .start.plus(2)))

        let pending = try store.pendingOutbox(limit: 10)
        #expect(pending.count == 1)
        let item = try #require(pending.first)
        #expect(item == recorded.outboxItem)
        #expect(item.kind == "check_in" && item.nonce == nonce, "the outbox item carries the check-in's nonce")
        let payload = try #require(try JSONSerialization.jsonObject(with: item.payload) as? [String: String])
        #expect(
            payload == [
                "attendee_id": Self.attendee, "event": Self.event, "kiosk_id": "hall-a", "nonce": nonce,
                "scanned_at": "2026-09-21T14:13:20.123Z",
            ])

        let state = try #require(try store.checkInState(attendeeID: Self.attendee))
        #expect(state.local == [recorded.checkIn] && state.resolution == nil && !state.superseded)
        #expect(state.first == PriorCheckIn(kioskID: "hall-a", scannedAt: Self.scan, nonce: nonce, resolved: false))

        // Two check-ins never share a nonce.
        let second = try store.recordCheckIn(
            attendeeID: AttendeeSyncTests.id(4), event: Self.event, kioskID: "hall-a", scannedAt: Self.scan)
        #expect(second.checkIn.nonce != nonce)
    }

    @Test func aRetriedCheckInWithItsNonceIsRecordedOnce() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.recordCheckIn(
            attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan,
            nonce: "scan-0001", now: .start)
        #expect(first.checkIn.nonce == "scan-0001" && first.outboxItem?.nonce == "scan-0001")
        let retry = try store.recordCheckIn(
            attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan.plus(5),
            nonce: "scan-0001", now: .start.plus(5))
        #expect(retry.outboxItem == nil && retry.checkIn == first.checkIn && retry.earlier == nil)
        #expect(try store.pendingOutbox(limit: 10).count == 1)
        #expect(try store.checkInState(attendeeID: Self.attendee)?.local.count == 1)

        let reused = expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.recordCheckIn(
                attendeeID: AttendeeSyncTests.id(4), event: Self.event, kioskID: "hall-a", scannedAt: Self.scan,
                nonce: "scan-0001")
        }
        #expect(reused?.message.contains("scan-0001") == true)
        for (attendee, kiosk, nonce) in [("", "hall-a", "n"), (Self.attendee, "", "n"), (Self.attendee, "hall-a", "")] {
            expectStoreError(.invalidValue) { () throws(StoreError) in
                try store.recordCheckIn(attendeeID: attendee, event: Self.event, kioskID: kiosk, scannedAt: Self.scan, nonce: nonce)
            }
        }
        #expect(try store.pendingOutbox(limit: 10).count == 1)
    }

    @Test func aSecondScanHereIsToldAboutTheFirst() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.recordCheckIn(attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan)
        let second = try store.recordCheckIn(attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan.plus(90))
        #expect(second.earlier == PriorCheckIn(kioskID: "hall-a", scannedAt: Self.scan, nonce: first.checkIn.nonce, resolved: false))
        let state = try #require(try store.checkInState(attendeeID: Self.attendee))
        #expect(state.local.map(\.nonce) == [first.checkIn.nonce, second.checkIn.nonce], "earliest scan first")
        #expect(try store.pendingOutbox(limit: 10).count == 2, "each scan goes upstream")
    }

    @Test func twoKiosksCheckingInTheSameAttendeeAreResolvedByADelta() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: AttendeeSyncTests.roster, now: .start)
        // This kiosk (hall-a) scanned at 14:13:20.123; hall-b, offline too, 40 ms earlier.
        let local = try store.recordCheckIn(attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan)
        let theirs = CheckInResolution(
            attendeeID: Self.attendee, nonce: "b-77", kioskID: "hall-b", scannedAt: Date(timeIntervalSince1970: 1_790_000_000.083))
        try resolved(theirs, into: store, from: 1)
        let state = try #require(try store.checkInState(attendeeID: Self.attendee))
        #expect(state.superseded, "this kiosk's check-in lost to an earlier one elsewhere")
        #expect(state.resolution == theirs)
        #expect(state.resolution.map { ScanTime.text($0.scannedAt) } == "2026-09-21T14:13:20.083Z")
        #expect(state.local == [local.checkIn], "the local check-in is kept as history")
        #expect(state.first == PriorCheckIn(kioskID: "hall-b", scannedAt: theirs.scannedAt, nonce: "b-77", resolved: true))

        // Where this kiosk's scan was the first, it is not superseded.
        let other = AttendeeSyncTests.id(4)
        let mine = try store.recordCheckIn(attendeeID: other, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan)
        try resolved(
            CheckInResolution(attendeeID: other, nonce: mine.checkIn.nonce, kioskID: "hall-a", scannedAt: Self.scan),
            into: store, from: 2)
        let won = try #require(try store.checkInState(attendeeID: other))
        #expect(!won.superseded && won.resolution?.nonce == mine.checkIn.nonce)
    }

    @Test func aResolutionBeforeAnyLocalCheckInIsKept() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.applyAttendeeSnapshot(event: Self.event, cursor: 1, attendees: AttendeeSyncTests.roster, now: .start)
        let elsewhere = CheckInResolution(attendeeID: Self.attendee, nonce: "c-1", kioskID: "hall-c", scannedAt: Self.scan)
        try resolved(elsewhere, into: store, from: 1)
        let state = try #require(try store.checkInState(attendeeID: Self.attendee), "the attendee was checked in elsewhere")
        #expect(state.local.isEmpty && state.resolution == elsewhere && !state.superseded)

        // A scan here afterwards learns of it, and its own check-in is the one that lost.
        let recorded = try store.recordCheckIn(
            attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan.plus(600))
        #expect(recorded.earlier == PriorCheckIn(kioskID: "hall-c", scannedAt: Self.scan, nonce: "c-1", resolved: true))
        #expect(try store.checkInState(attendeeID: Self.attendee)?.superseded == true)
    }

    @Test func checkInsCursorsAndResolutionsSurviveAReopen() throws {
        let database = TemporaryDatabase()
        let expected: CheckInState
        let pending: [OutboxItem]
        do {
            let store = try database.open()
            try store.applyAttendeeSnapshot(event: Self.event, cursor: 7, attendees: AttendeeSyncTests.roster, now: .start)
            try store.recordCheckIn(attendeeID: Self.attendee, event: Self.event, kioskID: "hall-a", scannedAt: Self.scan)
            try store.applyAttendeeDelta(
                AttendeeDelta(
                    event: Self.event, fromCursor: 7, toCursor: 9,
                    changes: [
                        .checkInResolved(
                            CheckInResolution(attendeeID: Self.attendee, nonce: "b-1", kioskID: "hall-b", scannedAt: Self.scan.plus(-1))),
                        .upsert(AttendeeSyncTests.person(2, first: "Jürgen", last: "Schmidt")),
                    ]))
            expected = try #require(try store.checkInState(attendeeID: Self.attendee))
            pending = try store.pendingOutbox(limit: 10)
        }
        let reopened = try database.open()
        #expect(try reopened.checkInState(attendeeID: Self.attendee) == expected)
        #expect(expected.superseded)
        #expect(try reopened.pendingOutbox(limit: 10) == pending && pending.count == 1)
        #expect(try reopened.attendeeCursor(event: Self.event) == 9)
        #expect(try reopened.searchAttendees("schmidt", limit: 5).map(\.attendee.sourceID) == ["2"])
        // The reopened store goes on from the stored cursor.
        #expect(try reopened.applyAttendeeDelta(AttendeeDelta(event: Self.event, fromCursor: 9, toCursor: 10, changes: [])).cursor == 10)
    }

    @Test func scanTimesAreWrittenToTheMillisecond() {
        #expect(ScanTime.text(Date(timeIntervalSince1970: 1_790_000_000.25)) == "2026-09-21T14:13:20.250Z")
        #expect(ScanTime.text(Date(timeIntervalSince1970: 1_790_000_000)) == "2026-09-21T14:13:20.000Z")
        #expect(ScanTime.text(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(ScanTime.parse("2026-09-21T14:13:20.123Z") == Self.scan)
        #expect(ScanTime.parse("2026-09-21T14:13:20Z") == Date(timeIntervalSince1970: 1_790_000_000))
        #expect(ScanTime.parse("yesterday") == nil)
    }
}
