import Foundation
import LanyardSupport
import Logging
import Sync
import TestSupport
import Testing

@testable import Registry

/// The one contract of the registry's state, run against both stores with the same test bodies:
/// SQLite (one venue) and PostgreSQL (replicas). Cursors are compared within one event only:
/// SQLite numbers all events' changes in one sequence, PostgreSQL each event on its own.
@Suite(.postgres, .enabled(if: PostgresServer.enabled, PostgresServer.skipReason))
struct RegistryStoreContractTests {
    enum Backend: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    static let event = "devcon-2026"
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// A new, empty store of the backend, closed after `body`.
    static func withStore(_ backend: Backend, _ body: (any RegistryStore) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let scratch = FileManager.default.temporaryDirectory.appending(path: "lanyard-store-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try await body(SQLiteRegistryStore(database: try RegistryDatabase(stateDirectory: scratch)))
        case .postgres:
            try await withPostgresStore(try PostgresLocation(parsing: try PostgresServer.current.createDatabase())) { try await body($0) }
        }
    }

    static func checkIn(_ nonce: String, _ attendee: String, kiosk: String, second: Double) -> CheckInUpload {
        CheckInUpload(nonce: nonce, attendeeID: attendee, event: event, kioskID: kiosk, scannedAt: epoch.addingTimeInterval(second))
    }

    static func printResult(_ nonce: String, _ state: PrintResultUpload.State) -> PrintResultUpload {
        PrintResultUpload(
            nonce: nonce, jobID: "job-\(nonce)", attendeeID: nil, state: state, template: "templates/standard", templateVersion: "v1",
            tier: nil, finishedAt: epoch)
    }

    static func registration(_ id: String, _ name: String) -> AttendeePush {
        .upsert(attendeeID: id, registration: #"{"attendee_id":"\#(id)","first_name":"\#(name)"}"#)
    }

    @Test(arguments: Backend.allCases) func checkInsAreStoredOnceAndTheEarliestScanWins(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let late = Self.checkIn("n-late", "att-1", kiosk: "door-b", second: 10)
            let first = try await store.recordCheckIns(
                [late, Self.checkIn("n-2", "att-2", kiosk: "door-b", second: 1)], agentID: "b", receivedAt: Date())
            #expect(first.accepted == 2 && first.duplicates == 0)
            #expect(first.resolutions.map(\.resolution.nonce) == ["n-late", "n-2"])
            let start = try await store.checkInCursor(event: Self.event)

            // An offline kiosk's earlier scan arrives last, with a nonce already stored and the
            // same nonce twice: it wins, and the answer says so.
            let early = Self.checkIn("n-early", "att-1", kiosk: "door-a", second: 5)
            let second = try await store.recordCheckIns([early, late, early], agentID: "a", receivedAt: Date())
            #expect(second.accepted == 1 && second.duplicates == 2)
            #expect(second.resolutions.count == 1)
            #expect(second.resolutions.first?.resolution.nonce == "n-early")
            #expect(second.resolutions.first?.cursor == start + 1)
            #expect(try await store.checkInWinner(event: Self.event, attendeeID: "att-1")?.resolution.kioskID == "door-a")
            #expect(try await store.checkInCount(event: Self.event) == 3)
            #expect(try await store.checkInCursor(event: Self.event) == start + 1)

            // A tie at the same microsecond goes to the nonce whose bytes sort first.
            let tie = try await store.recordCheckIns(
                [Self.checkIn("n-b", "att-3", kiosk: "door-b", second: 7), Self.checkIn("n-B", "att-3", kiosk: "door-a", second: 7)],
                agentID: "c", receivedAt: Date())
            #expect(tie.resolutions.first?.resolution.nonce == "n-B")

            let changes = try await store.checkInResolutions(event: Self.event, after: start)
            #expect(changes.map(\.resolution.nonce) == ["n-early", "n-B"])
            #expect(changes.map(\.cursor) == changes.map(\.cursor).sorted())
            #expect(try await store.checkInResolutions(event: Self.event, after: start, limit: 1).count == 1)
            #expect(try await store.checkInResolutions(event: "other", after: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func printResultsAreCountedOncePerNonce(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let batch = [Self.printResult("p-1", .printed), Self.printResult("p-2", .printed), Self.printResult("p-3", .deadLetter)]
            #expect(try await store.recordPrintResults(batch, agentID: "kiosk-a", receivedAt: Date()) == .init(accepted: 3, duplicates: 0))
            #expect(try await store.recordPrintResults(batch, agentID: "kiosk-a", receivedAt: Date()) == .init(accepted: 0, duplicates: 3))
            #expect(try await store.printResultCounts(agentID: "kiosk-a") == ["printed": 2, "dead_letter": 1])
            #expect(try await store.printResultCounts(agentID: "kiosk-b").isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func reportsAreTrustedOnFirstUseAndNeverReplayed(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let key = SigningKey()
            let report = { (second: Double, queue: Int, signer: SigningKey?) throws -> (AgentReport, Data) in
                let report = AgentReportTests.report(key: signer ?? key, sentAt: Self.epoch.addingTimeInterval(second), queueDepth: queue)
                return (report, try report.signed(with: signer ?? key).payload)
            }
            let (first, firstPayload) = try report(0, 1, nil)
            #expect(try await store.recordReport(first, payload: firstPayload, receivedAt: Date()) == .firstReport)
            #expect(try await store.recordReport(first, payload: firstPayload, receivedAt: Date()) == .duplicate)
            let (newer, newerPayload) = try report(60, 4, nil)
            #expect(try await store.recordReport(newer, payload: newerPayload, receivedAt: Date()) == .accepted)
            let (older, olderPayload) = try report(30, 9, nil)
            await #expect(throws: RegistryError.self) { try await store.recordReport(older, payload: olderPayload, receivedAt: Date()) }
            let (sameInstant, sameInstantPayload) = try report(60, 7, nil)
            let replayed = await #expect(throws: RegistryError.self) {
                try await store.recordReport(sameInstant, payload: sameInstantPayload, receivedAt: Date())
            }
            #expect(replayed?.code == .reportReplayed)
            let other = SigningKey()
            let (foreign, foreignPayload) = try report(120, 0, other)
            let mismatch = await #expect(throws: RegistryError.self) {
                try await store.recordReport(foreign, payload: foreignPayload, receivedAt: Date())
            }
            #expect(mismatch?.code == .agentKeyMismatch)

            let fleet = try await store.fleet()
            #expect(fleet.map(\.agentID) == ["kiosk-a"])
            #expect(fleet.first?.report.queueDepth == 4)
            #expect(fleet.first?.reportsReceived == 2)
            #expect(fleet.first?.keyID == key.keyID)

            #expect(try await store.forgetAgent("kiosk-a"))
            #expect(try await store.forgetAgent("kiosk-a") == false)
            #expect(try await store.recordReport(foreign, payload: foreignPayload, receivedAt: Date()) == .firstReport)
            #expect(try await store.fleet().first?.keyID == other.keyID)
        }
    }

    @Test(arguments: Backend.allCases) func theChangeLogIsPagedInCursorOrderWithCheckInWinners(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let ada = "00000000-0000-4000-8000-000000000001", grace = "00000000-0000-4000-8000-000000000002"
            let pushed = try await store.recordAttendeeChanges(
                [
                    Self.registration(ada, "Ada"), Self.registration(grace, "Grace"),
                    .remove(attendeeID: "00000000-0000-4000-8000-000000000009"),
                ],
                event: Self.event, at: Date())
            #expect(pushed.upserted == 2 && pushed.removed == 0 && pushed.unchanged == 1)
            #expect(try await store.eventCursor(event: Self.event) == pushed.cursor)
            let start = pushed.cursor - 2

            let again = try await store.recordAttendeeChanges(
                [Self.registration(ada, "Ada"), .remove(attendeeID: grace)], event: Self.event, at: Date())
            #expect(again.upserted == 0 && again.removed == 1 && again.unchanged == 1)
            #expect(again.cursor == pushed.cursor + 1)
            let checkIn = try await store.recordCheckIns(
                [CheckInUpload(nonce: "n-1", attendeeID: ada, event: Self.event, kioskID: "door-a", scannedAt: Self.epoch)],
                agentID: "a", receivedAt: Date())
            #expect(checkIn.resolutions.first?.cursor == again.cursor + 1)

            let page = try await store.attendeeChanges(event: Self.event, since: start, limit: 2)
            #expect(page.changes.map(\.op) == [.upsert, .upsert])
            #expect(page.more)
            let rest = try await store.attendeeChanges(event: Self.event, since: page.toCursor)
            #expect(rest.changes.map(\.op) == [.remove, .checkInResolved])
            #expect(rest.changes.map(\.cursor) == [again.cursor, again.cursor + 1])
            #expect(rest.changes.last?.kioskID == "door-a")
            #expect(!rest.more)
            #expect(rest.toCursor == again.cursor + 1)
            let ahead = await #expect(throws: RegistryError.self) {
                try await store.attendeeChanges(event: Self.event, since: rest.toCursor + 1)
            }
            #expect(ahead?.code == .cursorAhead)

            let snapshot = try await store.attendeeSnapshot(event: Self.event)
            #expect(snapshot.cursor >= rest.toCursor)
            #expect(snapshot.registrations.count == 1 && snapshot.registrations.first?.contains("Ada") == true)
            #expect(try await store.eventCursors()[Self.event] == rest.toCursor)
            #expect(try await store.eventCursor(event: "nobody") == 0)
            #expect(try await store.attendeeChanges(event: "nobody", since: 0).changes.isEmpty)
        }
    }
}
