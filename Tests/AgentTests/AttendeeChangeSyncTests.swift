import Badges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Logging
import NIOCore
import Registry
import Store
import Sync
import Testing

@testable import Agent

/// The attendee list end to end over HTTP: the registry server holds the event's list, its
/// snapshot is published into the repository at the server's cursor, and a kiosk applies the
/// snapshot and then follows the server's signed change log, check-in winners included.
@Suite struct AttendeeChangeSyncTests {
    static let agentToken = "agent-token-0123456789"
    static let adminToken = "admin-token-0123456789"
    static let event = "devcon-2026"

    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    static func registration(_ n: Int, first: String, email: String? = nil) -> [String: Any] {
        [
            "attendee_id": id(n), "event_slug": event, "first_name": first, "last_name": "Registry \(n)",
            "email": email ?? "r\(n)@example.org", "ticket_type": "VIP",
        ]
    }

    /// A live registry server over `registry`'s repository, with the timestamp key that signs
    /// change pages; `body` gets the server, a client of it and its base URL.
    static func withRegistryServer(
        _ registry: TestRegistry,
        _ body: @escaping @Sendable (RegistryServer, any TestClientProtocol, String) async throws -> Void
    ) async throws {
        var configuration = RegistryConfiguration(repository: registry.repository, stateDirectory: registry.base.appending(path: "state"))
        configuration.timestampKey = registry.timestampKey
        configuration.agentToken = agentToken
        configuration.adminToken = adminToken
        configuration.watchInterval = .milliseconds(20)
        var logger = Logger(label: "registry")
        logger.logLevel = .critical
        let server = try await RegistryServer(configuration: configuration, logger: logger)
        var app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        app.addServices(server.services)
        try await app.test(.live) { client in
            try await body(server, client, "http://127.0.0.1:\(try #require(client.port))")
        }
    }

    static func push(_ client: any TestClientProtocol, _ changes: [[String: Any]]) async throws {
        let response = try await client.execute(
            uri: "/v1/events/\(event)/attendees", method: .post,
            headers: [.authorization: "Bearer \(adminToken)", .contentType: "application/json"],
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["changes": changes])))
        #expect(response.status == .ok, "\(String(buffer: response.body))")
    }

    /// What `lanyard registry publish --attendees-from-state` does.
    static func publishSnapshot(_ registry: TestRegistry, from server: RegistryServer) async throws -> Int64 {
        let snapshot = try await server.store.attendeeSnapshot(event: event)
        let directory = registry.base.appending(path: "snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(snapshot.registrations.joined(separator: "\n").utf8).write(to: directory.appending(path: "attendees.jsonl"))
        try registry.publisher.publishDirectory(
            directory, as: "attendees/\(event)", kind: .attendeeSnapshot, scope: .event(event),
            label: "cursor \(snapshot.cursor)", cursor: snapshot.cursor)
        return snapshot.cursor
    }

    static func settings(_ registry: TestRegistry, server: String) -> RegistrySettings {
        var settings = registry.settings()
        settings.server = server
        settings.token = agentToken
        return settings
    }

    /// A kiosk given its token as a file reads it at each request: a token rotated on the
    /// registry and written to the file by configuration management is taken up without a restart.
    @Test func aKioskReadingItsTokenFromAFileTakesUpARotatedToken() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withRegistryServer(registry) { server, registryClient, url in
            try await Self.push(registryClient, [["op": "upsert", "registration": Self.registration(1, first: "Grace")]])
            _ = try await Self.publishSnapshot(registry, from: server)
            let administration = TokenAdministration(store: server.store, actor: "test")
            let first = try await administration.create(holder: "door A", roles: [.kiosk], lifetime: nil, reason: "new kiosk").token
            let file = registry.base.appending(path: "registry.token")
            try Data("\(first.text)\n".utf8).write(to: file)
            var settings = Self.settings(registry, server: url)
            settings.token = nil
            settings.tokenFile = file.path
            try await withAgent(AgentOptions(registry: settings)) { agent, _ in
                let sync = try #require(agent.core.sync)
                try await sync.syncOnce()
                try await Self.push(registryClient, [["op": "upsert", "registration": Self.registration(2, first: "Hedy")]])
                try await sync.syncOnce()
                #expect(sync.status.attendeeChangesError == nil)
                #expect(try agent.core.store.searchAttendees("Hedy", limit: 5).count == 1)

                // Rotated with no overlap: the old token is refused at once.
                let second = try await administration.rotate(id: first.id, overlap: 0, lifetime: nil, reason: "rotation").token
                await server.access.invalidate()
                try await Self.push(registryClient, [["op": "upsert", "registration": Self.registration(3, first: "Katherine")]])
                try await sync.syncOnce()
                #expect(
                    sync.status.attendeeChangesError?.message.contains("401") == true,
                    "\(String(describing: sync.status.attendeeChangesError))")
                #expect(try agent.core.store.searchAttendees("Katherine", limit: 5).isEmpty)

                try Data("\(second.text)\n".utf8).write(to: file)
                try await sync.syncOnce()
                #expect(sync.status.attendeeChangesError == nil)
                #expect(try agent.core.store.searchAttendees("Katherine", limit: 5).count == 1)
            }
        }
    }

    @Test func aKioskFollowsTheRegistrysChangesFromItsSnapshot() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withRegistryServer(registry) { server, registryClient, url in
            try await Self.push(
                registryClient,
                [
                    ["op": "upsert", "registration": Self.registration(1, first: "Grace")],
                    ["op": "upsert", "registration": Self.registration(2, first: "Hedy")],
                ])
            let snapshotCursor = try await Self.publishSnapshot(registry, from: server)
            #expect(snapshotCursor == 2)

            try await withAgent(AgentOptions(registry: Self.settings(registry, server: url))) { agent, client in
                let sync = try #require(agent.core.sync)
                let store = agent.core.store
                try await sync.syncOnce()
                #expect(try store.attendeeCursor(event: Self.event) == 2)
                #expect(try store.searchAttendees("Grace", limit: 5).count == 1)

                // Changes after the snapshot: a rename, a removal, a newcomer, one registration
                // the kiosk's intake refuses, and a check-in made at another kiosk.
                try await Self.push(
                    registryClient,
                    [
                        ["op": "upsert", "registration": Self.registration(1, first: "Augusta")],
                        ["op": "remove", "attendee_id": Self.id(2)],
                        ["op": "upsert", "registration": Self.registration(3, first: "Katherine")],
                        ["op": "upsert", "registration": Self.registration(4, first: "Mallory", email: "not an email")],
                    ])
                let checkIn = try await registryClient.execute(
                    uri: "/v1/agents/door-b/check-ins", method: .post,
                    headers: [.authorization: "Bearer \(Self.agentToken)", .contentType: "application/json"],
                    body: ByteBuffer(
                        bytes: try JSONSerialization.data(withJSONObject: [
                            "items": [
                                [
                                    "nonce": "door-b-1", "attendee_id": Self.id(3), "event": Self.event, "kiosk_id": "door-b",
                                    "scanned_at": "2026-11-03T09:00:00.250Z",
                                ]
                            ]
                        ])))
                #expect(checkIn.status == .ok)

                try await sync.syncOnce()
                #expect(try store.attendeeCursor(event: Self.event) == 7, "4 attendee changes and 1 check-in after cursor 2")
                #expect(try store.searchAttendees("Augusta", limit: 5).count == 1)
                #expect(try store.searchAttendees("Grace", limit: 5).isEmpty)
                #expect(try store.searchAttendees("Hedy", limit: 5).isEmpty, "removed")
                #expect(try store.searchAttendees("Katherine", limit: 5).count == 1)
                #expect(try store.searchAttendees("Mallory", limit: 5).isEmpty, "refused by intake, left out")
                let resolution = try #require(try store.checkInState(attendeeID: Self.id(3))?.resolution)
                #expect(resolution.kioskID == "door-b")
                #expect(resolution.nonce == "door-b-1")
                let status = sync.status
                #expect(status.attendeeCursor == 7)
                #expect(status.attendeeChangesError == nil)

                // The newcomer prints from the cache like any attendee.
                let response = try await post(client, "/v1/badges", #"{"attendee_id": "\#(Self.id(3))"}"#)
                #expect(response.status == .accepted, "\(json(response))")
                let job = try #require(json(response)["id"] as? Int)
                #expect(try await finalState(client, job: job) == "printed")

                // Nothing new: the step changes nothing.
                try await sync.syncOnce()
                #expect(try store.attendeeCursor(event: Self.event) == 7)
            }
        }
    }

    /// A snapshot published at a cursor the server never gave out (a file from elsewhere): the
    /// server refuses to continue from it, the kiosk says so in its status, keeps its list and
    /// keeps printing; a later snapshot still replaces the list whole.
    @Test func aCursorTheRegistryNeverGaveOutWaitsForASnapshot() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withRegistryServer(registry) { server, registryClient, url in
            let directory = registry.base.appending(path: "foreign")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(AgentTests.registration("FOREIGN-1", first: "Dorothy").utf8).write(to: directory.appending(path: "attendees.jsonl"))
            try registry.publisher.publishDirectory(
                directory, as: "attendees/\(Self.event)", kind: .attendeeSnapshot,
                scope: .event(Self.event), label: "cursor 500", cursor: 500)
            try await withAgent(AgentOptions(registry: Self.settings(registry, server: url))) { agent, client in
                let sync = try #require(agent.core.sync)
                try await sync.syncOnce()
                #expect(try agent.core.store.attendeeCursor(event: Self.event) == 500)
                #expect(sync.status.attendeeChangesError != nil)
                #expect(await sync.attendeeCursorRefused)
                let id = try await submitBadge(client, "FOREIGN-1")
                #expect(try await finalState(client, job: id) == "printed")

                try await Self.push(registryClient, [["op": "upsert", "registration": Self.registration(1, first: "Grace")]])
                // The registry's own list, published above the foreign cursor (snapshots only go up).
                let snapshot = try await server.store.attendeeSnapshot(event: Self.event)
                let own = registry.base.appending(path: "own")
                try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
                try Data(snapshot.registrations.joined(separator: "\n").utf8).write(to: own.appending(path: "attendees.jsonl"))
                try registry.publisher.publishDirectory(
                    own, as: "attendees/\(Self.event)", kind: .attendeeSnapshot,
                    scope: .event(Self.event), label: "reset", cursor: 501)
                try await sync.syncOnce()
                #expect(try agent.core.store.searchAttendees("Grace", limit: 5).count == 1)
                #expect(try agent.core.store.searchAttendees("Dorothy", limit: 5).isEmpty)
                #expect(await sync.attendeeCursorRefused, "501 is still beyond the registry's log")
            }
        }
    }
}
