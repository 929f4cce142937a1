import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Sync
import Testing

@testable import Registry

/// Check-ins: idempotent batches, and one winner per attendee however the uploads arrive.
@Suite struct CheckInUploadTests {
    static func item(_ nonce: String, attendee: String, kiosk: String, at scanned: String, event: String = "devcon-2026") -> [String: Any] {
        ["nonce": nonce, "attendee_id": attendee, "event": event, "kiosk_id": kiosk, "scanned_at": scanned]
    }

    static func post(_ client: any TestClientProtocol, agent: String, _ items: [[String: Any]]) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/agents/\(agent)/check-ins", method: .post, headers: [.contentType: "application/json"],
            body: try jsonBody(["items": items]))
    }

    @Test func aResentBatchChangesNothing() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let batch = [
                Self.item("n-1", attendee: "att-1", kiosk: "door-a", at: "2026-11-03T09:00:00Z"),
                Self.item("n-2", attendee: "att-2", kiosk: "door-a", at: "2026-11-03T09:00:01.250Z"),
                Self.item("n-3", attendee: "att-3", kiosk: "door-a", at: "2026-11-03T10:00:02+01:00"),
            ]
            let first = try object(try await Self.post(client, agent: "kiosk-a", batch))
            #expect(first["accepted"] as? Int == 3)
            #expect(first["duplicates"] as? Int == 0)
            #expect((first["resolutions"] as? [[String: Any]])?.count == 3)
            let cursor = try await server.store.checkInCursor(event: "devcon-2026")
            #expect(cursor == 3)

            let again = try object(try await Self.post(client, agent: "kiosk-a", batch))
            #expect(again["accepted"] as? Int == 0)
            #expect(again["duplicates"] as? Int == 3)
            #expect(try await server.store.checkInCount(event: "devcon-2026") == 3)
            #expect(try await server.store.checkInCursor(event: "devcon-2026") == cursor, "no change recorded for a re-sent batch")
            let resolutions = try #require(again["resolutions"] as? [[String: Any]])
            #expect(resolutions.map { $0["nonce"] as? String } == ["n-1", "n-2", "n-3"], "the answer still tells who won")

            // The same nonce twice in one batch counts once.
            let doubled = try object(
                try await Self.post(
                    client, agent: "kiosk-a",
                    [
                        Self.item("n-4", attendee: "att-4", kiosk: "door-a", at: "2026-11-03T09:00:00Z"),
                        Self.item("n-4", attendee: "att-4", kiosk: "door-a", at: "2026-11-03T09:00:00Z"),
                    ]))
            #expect(doubled["accepted"] as? Int == 1)
            #expect(doubled["duplicates"] as? Int == 1)
        }
    }

    @Test func theEarliestScanWinsEvenWhenItArrivesLast() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            // Kiosk A scanned the attendee at 09:05 and uploads first.
            let fromA = try object(
                try await Self.post(
                    client, agent: "kiosk-a",
                    [
                        Self.item("nonce-a", attendee: "att-7", kiosk: "door-a", at: "2026-11-03T09:05:00Z")
                    ]))
            let firstWinner = try #require((fromA["resolutions"] as? [[String: Any]])?.first)
            #expect(firstWinner["nonce"] as? String == "nonce-a")
            #expect(firstWinner["cursor"] as? Int == 1)

            // Kiosk B was offline; its scan at 09:01 arrives later and takes over.
            let fromB = try object(
                try await Self.post(
                    client, agent: "kiosk-b",
                    [
                        Self.item("nonce-b", attendee: "att-7", kiosk: "door-b", at: "2026-11-03T09:01:00Z")
                    ]))
            let secondWinner = try #require((fromB["resolutions"] as? [[String: Any]])?.first)
            #expect(secondWinner["nonce"] as? String == "nonce-b")
            #expect(secondWinner["kiosk_id"] as? String == "door-b")
            #expect(secondWinner["scanned_at"] as? String == "2026-11-03T09:01:00.000Z")
            #expect(secondWinner["cursor"] as? Int == 2, "a changed winner is a new change")

            // A scan between the two changes nothing.
            let fromC = try object(
                try await Self.post(
                    client, agent: "kiosk-c",
                    [
                        Self.item("nonce-c", attendee: "att-7", kiosk: "door-c", at: "2026-11-03T09:03:00Z")
                    ]))
            #expect(fromC["accepted"] as? Int == 1)
            #expect((fromC["resolutions"] as? [[String: Any]])?.first?["nonce"] as? String == "nonce-b")
            #expect(try await server.store.checkInCursor(event: "devcon-2026") == 2)

            let changes = try await server.store.checkInResolutions(event: "devcon-2026", after: 0)
            #expect(changes.map(\.cursor) == [1, 2])
            #expect(changes.map(\.resolution.nonce) == ["nonce-a", "nonce-b"])
            #expect(
                changes.last?.resolution
                    == CheckInResolution(
                        attendeeID: "att-7", nonce: "nonce-b", kioskID: "door-b",
                        scannedAt: try #require(Timestamps.parse("2026-11-03T09:01:00Z"))))
            #expect(try await server.store.checkInResolutions(event: "devcon-2026", after: 1).map(\.resolution.nonce) == ["nonce-b"])
            #expect(try await server.store.checkInResolutions(event: "devcon-2026", after: 2).isEmpty)
            #expect(try await server.store.checkInCount(event: "devcon-2026") == 3, "every check-in is kept, winner or not")
        }
    }

    @Test func tiesGoToTheSmallerNonceAndEventsCountSeparately() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            _ = try await Self.post(
                client, agent: "kiosk-a", [Self.item("b-nonce", attendee: "att-1", kiosk: "a", at: "2026-11-03T09:00:00.5Z")])
            _ = try await Self.post(
                client, agent: "kiosk-b", [Self.item("a-nonce", attendee: "att-1", kiosk: "b", at: "2026-11-03T09:00:00.500Z")])
            _ = try await Self.post(
                client, agent: "kiosk-c", [Self.item("0-later", attendee: "att-1", kiosk: "c", at: "2026-11-03T09:00:00.501Z")])
            #expect(try await server.store.checkInWinner(event: "devcon-2026", attendeeID: "att-1")?.resolution.nonce == "a-nonce")
            #expect(try await server.store.checkInCursor(event: "devcon-2026") == 2)

            // Within one batch the earlier scan is applied first: one change, not two.
            _ = try await Self.post(
                client, agent: "kiosk-a",
                [
                    Self.item("late", attendee: "att-9", kiosk: "a", at: "2026-11-03T11:00:00Z", event: "other"),
                    Self.item("early", attendee: "att-9", kiosk: "b", at: "2026-11-03T10:00:00Z", event: "other"),
                ])
            let other = try await server.store.checkInResolutions(event: "other", after: 0)
            #expect(other.map(\.cursor) == [3], "one change, at the next cursor of the one sequence all events share")
            #expect(other.first?.resolution.nonce == "early")
        }
    }

    @Test func anInvalidItemRefusesTheWholeBatch() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let cases: [([String: Any], String)] = [
                (["nonce": "x2", "attendee_id": "a", "event": "e", "kiosk_id": "k", "scanned_at": "yesterday"], "$.items[1].scanned_at"),
                (["nonce": "x2", "attendee_id": "a", "event": "e", "kiosk_id": "k"], "$.items[1].scanned_at"),
                (
                    ["nonce": "", "attendee_id": "a", "event": "e", "kiosk_id": "k", "scanned_at": "2026-11-03T09:00:00Z"],
                    "$.items[1].nonce"
                ),
                (
                    ["nonce": "x2", "attendee_id": 7, "event": "e", "kiosk_id": "k", "scanned_at": "2026-11-03T09:00:00Z"],
                    "$.items[1].attendee_id"
                ),
            ]
            for (bad, path) in cases {
                let response = try await Self.post(
                    client, agent: "kiosk-a", [Self.item("x1", attendee: "a", kiosk: "k", at: "2026-11-03T09:00:00Z", event: "e"), bad])
                #expect(response.status == .badRequest, "\(path)")
                #expect(try errorCode(response) == "registry.request_invalid")
                #expect((try object(response)["error"] as? [String: Any])?["detail"] as? String == path)
            }
            #expect(try await server.store.checkInCount(event: "e") == 0, "nothing of a refused batch is stored")

            let badAgent = try await Self.post(client, agent: "kiosk%20a", [])
            #expect(badAgent.status == .badRequest)
            let tooMany = try await Self.post(
                client, agent: "kiosk-a",
                (0...1_000).map {
                    Self.item("n\($0)", attendee: "a", kiosk: "k", at: "2026-11-03T09:00:00Z")
                })
            #expect(tooMany.status == .contentTooLarge)
        }
    }
}
