import Foundation
import LanyardSupport
import Logging
import PostgresNIO
import Sync
import TestSupport
import Testing

@testable import Registry

/// What only the PostgreSQL store does: where its URL leads, how rarely a repeated report writes
/// `last_seen`, and a replica's listener surviving the loss of its connection.
@Suite struct PostgresLocationTests {
    @Test func libpqURLsAreRead() throws {
        let socket = try PostgresLocation(parsing: "postgresql:///lanyard?host=/tmp/x&user=postgres")
        #expect(socket.endpoint == .unixSocket(directory: "/tmp/x", port: 5432))
        #expect(socket.user == "postgres" && socket.database == "lanyard" && socket.password == nil && socket.tls == .disable)

        let tcp = try PostgresLocation(parsing: "postgres://reg%40ops:s3cret@db.internal:6432/fleet?sslmode=require")
        #expect(tcp.endpoint == .tcp(host: "db.internal", port: 6432))
        #expect(tcp.user == "reg@ops" && tcp.password == "s3cret" && tcp.database == "fleet" && tcp.tls == .require)
        #expect(!tcp.description.contains("s3cret"), "logs never show the password")

        let defaults = try PostgresLocation(parsing: "postgres://")
        #expect(defaults.endpoint == .unixSocket(directory: "/var/run/postgresql", port: 5432))
        #expect(defaults.database == defaults.user)
    }

    @Test(arguments: [
        "mysql://db/lanyard", "registry.sqlite", "postgres://db/lanyard?sslmode=verify-full", "postgres://db/a/b",
        "postgresql:///lanyard?host=/run/postgresql&sslmode=require", "postgres://db/lanyard?application=x",
        "postgres://db:0/lanyard",
    ])
    func otherURLsAreRefusedWithTheirReason(_ text: String) {
        let error = #expect(throws: RegistryError.self) { try PostgresLocation(parsing: text) }
        #expect(error?.code == .configurationInvalid)
        #expect(error?.detail == "database")
    }
}

@Suite(.postgres, .enabled(if: PostgresServer.enabled, PostgresServer.skipReason))
struct PostgresStoreTests {
    @Test func aRepeatedReportWritesLastSeenAtMostEveryThirtySeconds() async throws {
        let location = try PostgresLocation(parsing: try PostgresServer.current.createDatabase())
        try await withPostgresStore(location, lastSeenInterval: 30) { (store) async throws in
            let key = SigningKey()
            let report = AgentReportTests.report(key: key, sentAt: RegistryFixture.epoch)
            let payload = try report.signed(with: key).payload
            let start = RegistryFixture.epoch.addingTimeInterval(1)
            #expect(try await store.recordReport(report, payload: payload, receivedAt: start) == .firstReport)
            #expect(try await store.recordReport(report, payload: payload, receivedAt: start.addingTimeInterval(20)) == .duplicate)
            #expect(try await store.fleet().first?.lastSeen == start, "20 s later: not written")
            #expect(try await store.recordReport(report, payload: payload, receivedAt: start.addingTimeInterval(45)) == .duplicate)
            #expect(try await store.fleet().first?.lastSeen == start.addingTimeInterval(45), "45 s later: written")
        }
    }

    @Test func aReplicaWhoseListeningConnectionIsCutReconnectsAndStillWakesItsKiosks() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let url = try PostgresServer.current.createDatabase()
        let location = try PostgresLocation(parsing: url)
        try await withRegistry(fixture, { $0.state = .postgres(location) }) { server, _ in
            try await withPostgresStore(location) { other in
                // The replica listens; its connection is then cut from the server side.
                let listening = try await waitUntil { try await Self.listeners(other).count == 1 }
                try #require(listening, "the replica listens")
                let first = try await Self.listeners(other)
                let terminated = try await other.read { connection in
                    try await connection.query("SELECT pg_terminate_backend(\(first[0]))", logger: RegistryFixture.quietLogger).collect()
                        .first?
                        .decode(Bool.self)
                }
                #expect(terminated == true)
                // Another replica records a change; this one learns of it, by a notice
                // once it listens again or by reading the cursors when it reconnects.
                let pushed = try await other.recordAttendeeChanges(
                    [.remove(attendeeID: "00000000-0000-4000-8000-000000000001")], event: "e", at: Date())
                #expect(pushed.unchanged == 1)
                _ = try await other.recordCheckIns(
                    [CheckInUpload(nonce: "n-1", attendeeID: "a-1", event: "e", kioskID: "door", scannedAt: Date())], agentID: "k",
                    receivedAt: Date())
                let woken = try await waitUntil { await server.hub.attendeeCursor(event: "e") == 1 }
                #expect(woken, "the replica's hub has the other replica's change")
                let reconnected = try await waitUntil {
                    let now = try await Self.listeners(other)
                    return now.count == 1 && now != first
                }
                #expect(reconnected, "the replica listens again, on a new connection")
            }
        }
    }

    /// The server processes of the connections listening in the store's database.
    static func listeners(_ store: PostgresRegistryStore) async throws -> [Int32] {
        try await store.read { connection in
            try await connection.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
                logger: RegistryFixture.quietLogger
            ).collect().map { try $0.decode(Int32.self) }
        }
    }
}
