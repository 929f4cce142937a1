import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Sync
import TUF
import Testing

@testable import Registry

/// The events' attendee lists pushed to the registry and the signed change log kiosks follow.
@Suite struct AttendeeChangeTests {
    static let event = "devcon-2026"

    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    static func registration(_ n: Int, first: String = "Ada", event: String = event) -> [String: Any] {
        [
            "attendee_id": id(n), "event_slug": event, "first_name": first, "last_name": "Lovelace \(n)",
            "email": "a\(n)@example.org", "ticket_type": "General",
        ]
    }

    static func push(
        _ client: any TestClientProtocol, _ changes: [[String: Any]], event: String = event,
        token: String = RegistryFixture.adminToken
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/events/\(event)/attendees", method: .post, headers: .bearer(token),
            body: try jsonBody(["changes": changes]))
    }

    static func changes(_ client: any TestClientProtocol, since: Int64, limit: Int? = nil) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/events/\(event)/attendee-changes?since=\(since)" + (limit.map { "&limit=\($0)" } ?? ""),
            method: .get, headers: .bearer(RegistryFixture.agentToken))
    }

    static func page(_ response: TestResponse, fixture: RegistryFixture, since: Int64) throws -> AttendeeChangePage {
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        let root = try fixture.root
        return try AttendeeChangePage.verified(Data(response.body.readableBytesView), root: root, event: event, since: since)
    }

    static func configure(_ configuration: inout RegistryConfiguration, key: TUFSigningKey) {
        configuration.agentToken = RegistryFixture.agentToken
        configuration.adminToken = RegistryFixture.adminToken
        configuration.timestampKey = key
    }

    /// Upserts, a repeated upsert, a removal and check-in winners come back in one signed log,
    /// in cursor order, each cursor taken once across both kinds of change.
    @Test func pushedChangesAndCheckInWinnersShareOneSignedLog() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { server, client in
            let first = try object(
                try await Self.push(
                    client,
                    [
                        ["op": "upsert", "registration": Self.registration(1)],
                        ["op": "upsert", "registration": Self.registration(2)],
                    ]))
            #expect(first["upserted"] as? Int == 2)
            #expect(first["cursor"] as? Int == 2)

            let checkIn = try await client.execute(
                uri: "/v1/agents/kiosk-a/check-ins", method: .post, headers: .bearer(RegistryFixture.agentToken),
                body: try jsonBody([
                    "items": [CheckInUploadTests.item("nonce-1", attendee: Self.id(1), kiosk: "door-a", at: "2026-11-03T09:00:00.125Z")]
                ]))
            #expect(checkIn.status == .ok)

            let second = try object(
                try await Self.push(
                    client,
                    [
                        ["op": "upsert", "registration": Self.registration(2)],
                        ["op": "upsert", "registration": Self.registration(1, first: "Augusta")],
                        ["op": "remove", "attendee_id": Self.id(2)],
                        ["op": "remove", "attendee_id": Self.id(9)],
                    ]))
            #expect(second["upserted"] as? Int == 1)
            #expect(second["removed"] as? Int == 1)
            #expect(second["unchanged"] as? Int == 2, "the same registration again and an unknown removal record nothing")
            #expect(second["cursor"] as? Int == 5)

            let page = try Self.page(try await Self.changes(client, since: 0), fixture: fixture, since: 0)
            #expect(page.changes.map(\.cursor) == [1, 2, 3, 4, 5])
            #expect(page.changes.map(\.op) == [.upsert, .upsert, .checkInResolved, .upsert, .remove])
            #expect(page.toCursor == 5)
            #expect(!page.more)
            let resolved = page.changes[2]
            #expect(resolved.attendeeID == Self.id(1))
            #expect(resolved.nonce == "nonce-1")
            #expect(resolved.kioskID == "door-a")
            #expect(resolved.scannedAt == Date(timeIntervalSince1970: 1_793_696_400.125))
            // On the wire, the one date encoding of every contract: UTC with milliseconds.
            let wire = try #require(try JSONSerialization.jsonObject(with: WireJSON.encode(resolved)) as? [String: Any])
            #expect(wire["scanned_at"] as? String == "2026-11-03T09:00:00.125Z")
            let renamed = try #require(page.changes[3].registration)
            let stored = try #require(try JSONSerialization.jsonObject(with: Data(renamed.utf8)) as? [String: Any])
            #expect(stored["first_name"] as? String == "Augusta")

            // From a later cursor only what followed, and pages of a given size.
            let tail = try Self.page(try await Self.changes(client, since: 3), fixture: fixture, since: 3)
            #expect(tail.changes.map(\.cursor) == [4, 5])
            let paged = try Self.page(try await Self.changes(client, since: 0, limit: 2), fixture: fixture, since: 0)
            #expect(paged.changes.map(\.cursor) == [1, 2])
            #expect(paged.toCursor == 2)
            #expect(paged.more)
            let end = try Self.page(try await Self.changes(client, since: 5), fixture: fixture, since: 5)
            #expect(end.changes.isEmpty)
            #expect(end.toCursor == 5)

            // The list as a snapshot: the registrations left, at the registry's cursor.
            let snapshot = try await server.store.attendeeSnapshot(event: Self.event)
            #expect(snapshot.cursor == 5)
            #expect(snapshot.registrations.count == 1)
            #expect(snapshot.registrations.first?.contains("Augusta") == true)
        }
    }

    /// A page is only good for the event and cursor asked: replayed for another cursor or
    /// event, signed by another key, or altered, it is refused by the kiosk's check.
    @Test func aPageVerifiesOnlyAsSignedAndAsAskedFor() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { _, client in
            _ = try await Self.push(client, [["op": "upsert", "registration": Self.registration(1)]])
            let response = try await Self.changes(client, since: 0)
            let data = Data(response.body.readableBytesView)
            let root = try fixture.root
            #expect(try AttendeeChangePage.verified(data, root: root, event: Self.event, since: 0).changes.count == 1)

            #expect(throws: SyncError.self) { try AttendeeChangePage.verified(data, root: root, event: Self.event, since: 1) }
            #expect(throws: SyncError.self) { try AttendeeChangePage.verified(data, root: root, event: "other-event", since: 0) }

            var envelope = try Sync.SignedEnvelope.decode(data, subject: "page")
            envelope.payload = Data(String(decoding: envelope.payload, as: UTF8.self).replacingOccurrences(of: "Ada", with: "Eve").utf8)
            let altered = try envelope.encoded()
            let alteredError = #expect(throws: SyncError.self) {
                try AttendeeChangePage.verified(altered, root: root, event: Self.event, since: 0)
            }
            #expect(alteredError?.code == .signatureThreshold)

            let page = try AttendeeChangePage.verified(data, root: root, event: Self.event, since: 0)
            let forged = try page.signed(with: [try TUFSigningKey.generate(.ed25519)]).encoded()
            let forgedError = #expect(throws: SyncError.self) {
                try AttendeeChangePage.verified(forged, root: root, event: Self.event, since: 0)
            }
            #expect(forgedError?.code == .signatureThreshold)
            // Signed by the targets key, which the root does not trust for this role.
            let wrongRole = try page.signed(with: [fixture.targetsKey]).encoded()
            #expect(throws: SyncError.self) { try AttendeeChangePage.verified(wrongRole, root: root, event: Self.event, since: 0) }
        }
    }

    @Test func badPushesAndCursorsAreRefusedWithNamedErrors() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { _, client in
            let kiosk = try await Self.push(
                client, [["op": "upsert", "registration": Self.registration(1)]],
                token: RegistryFixture.agentToken)
            #expect(kiosk.status == .forbidden, "a kiosk's token does not push attendees")
            #expect(try errorCode(kiosk) == "registry.forbidden")

            let noID = try await Self.push(client, [["op": "upsert", "registration": ["first_name": "Ada"]]])
            #expect(noID.status == .badRequest)
            #expect(
                try object(noID)["error"].flatMap { ($0 as? [String: Any])?["detail"] as? String }
                    == "$.changes[0].registration.attendee_id")

            let otherEvent = try await Self.push(client, [["op": "upsert", "registration": Self.registration(1, event: "another")]])
            #expect(otherEvent.status == .badRequest)
            let unknownOp = try await Self.push(client, [["op": "rename", "attendee_id": Self.id(1)]])
            #expect(unknownOp.status == .badRequest)
            let notUUID = try await Self.push(client, [["op": "remove", "attendee_id": "12"]])
            #expect(notUUID.status == .badRequest)

            // A refused push records nothing, even its valid changes.
            let mixed = try await Self.push(client, [["op": "upsert", "registration": Self.registration(1)], ["op": "bogus"]])
            #expect(mixed.status == .badRequest)
            let empty = try Self.page(try await Self.changes(client, since: 0), fixture: fixture, since: 0)
            #expect(empty.changes.isEmpty)

            let ahead = try await Self.changes(client, since: 99)
            #expect(ahead.status == .conflict)
            #expect(try errorCode(ahead) == "registry.cursor_ahead")
            let negative = try await client.execute(
                uri: "/v1/events/\(Self.event)/attendee-changes?since=-1", method: .get,
                headers: .bearer(RegistryFixture.agentToken))
            #expect(negative.status == .badRequest)
        }
    }

    @Test func withoutATimestampKeyChangesAreNotServedUnsigned() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { $0.adminToken = RegistryFixture.adminToken }) { _, client in
            #expect(try await Self.push(client, [["op": "upsert", "registration": Self.registration(1)]]).status == .ok)
            let response = try await Self.changes(client, since: 0)
            #expect(response.status == .serviceUnavailable)
            #expect(try errorCode(response) == "registry.signing_unavailable")
        }
    }

    /// A kiosk waiting on notify with its event and cursor is answered when that event's
    /// attendees change, not when another event's do.
    @Test func notifyWakesTheKiosksOfTheEventThatChanged() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { server, client in
            async let answer = client.execute(uri: "/v1/notify?after=1&timeout=30&event=\(Self.event)&attendee_cursor=0", method: .get)
            try await waitForWaiters(server.hub, count: 1)
            #expect(
                try await Self.push(client, [["op": "upsert", "registration": Self.registration(1, event: "other")]], event: "other")
                    .status == .ok)
            try await Task.sleep(for: .milliseconds(50))
            #expect(await server.hub.waitingCount == 1, "another event's change wakes nobody here")
            #expect(try await Self.push(client, [["op": "upsert", "registration": Self.registration(2)]]).status == .ok)
            let body = try object(try await answer)
            #expect(body["attendee_cursor"] as? Int == 2)
        }
    }

    /// v1 numbered check-in changes per event; the shared sequence starts above the highest, so
    /// no event's cursor goes back after the upgrade, and the cursors survive a restart.
    @Test func cursorsKeepRisingAcrossRestarts() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { _, client in
            let answer = try object(try await Self.push(client, [["op": "upsert", "registration": Self.registration(1)]]))
            #expect(answer["cursor"] as? Int == 1)
        }
        try await withRegistry(fixture, { Self.configure(&$0, key: fixture.timestampKey) }) { server, client in
            #expect(await server.hub.attendeeCursor(event: Self.event) == 1)
            let answer = try object(try await Self.push(client, [["op": "upsert", "registration": Self.registration(2)]]))
            #expect(answer["cursor"] as? Int == 2)
        }
    }
}
