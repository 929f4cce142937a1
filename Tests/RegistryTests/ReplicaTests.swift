import Foundation
import Logging
import PostgresNIO
import Sync
import TestSupport
import Testing

@testable import Registry

/// Two `lanyard registry serve` processes sharing one PostgreSQL database, as replicas behind a
/// load balancer: what one records, the other answers; the database decides races between them;
/// a replica killed mid-upload loses nothing and duplicates nothing; a publication one replica
/// notices wakes the kiosks waiting on the other. No timing is asserted: the tests wait for
/// conditions (a backend blocked on a lock, a kiosk parked in a long-poll), each bounded only to
/// fail instead of hanging.
@Suite(.postgres, .enabled(if: PostgresServer.enabled, PostgresServer.skipReason))
struct ReplicaTests {
    static let event = "devcon-2026"
    static let adminToken = "replica-admin-token-0123456789"
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// A repository, a database, and the replicas over them (stopped and removed by `close`).
    final class Cluster: Sendable {
        let fixture: RegistryFixture
        let database: String
        let url: String
        let ports: [Int]
        let replicas: [LanyardProcess]

        /// One replica per watch interval given (in seconds).
        init(watchIntervals: [Double]) throws {
            fixture = try RegistryFixture()
            try fixture.publishTemplate("standard", text: "v1")
            let server = try PostgresServer.current
            database = "replicas_\(UUID().uuidString.prefix(8).lowercased())"
            url = try server.createDatabase(database)
            try Data("\(ReplicaTests.adminToken)\n".utf8).write(to: fixture.base.appending(path: "admin.token"))
            var ports: [Int] = []
            var replicas: [LanyardProcess] = []
            for (index, interval) in watchIntervals.enumerated() {
                let port = try freeTCPPort()
                ports.append(port)
                replicas.append(
                    try LanyardProcess(
                        [
                            "registry", "serve", "--repository", fixture.repository.path, "--database", url,
                            "--listen", "127.0.0.1:\(port)", "--watch-interval", "\(interval)",
                            "--admin-token-file", fixture.base.appending(path: "admin.token").path, "--log-level", "debug",
                        ],
                        log: fixture.base.appending(path: "replica-\(index).log")))
            }
            self.ports = ports
            self.replicas = replicas
        }

        /// Waits until every replica answers its health check.
        func ready() async throws {
            for (index, port) in ports.enumerated() {
                let healthy = try await waitUntil { loopbackHTTP(port: port, method: "GET", path: "/v1/health")?.status == 200 }
                try #require(healthy, "replica \(index) starts: \(replicas[index].output.suffix(2000))")
            }
        }

        func close() {
            replicas.forEach { $0.stop() }
            fixture.remove()
        }

        /// `body` with a connection of the test's own to the replicas' database, closed after it.
        func withConnection(_ body: (PostgresConnection) async throws -> Void) async throws {
            let server = try PostgresServer.current
            let connection = try await PostgresConnection.connect(
                configuration: .init(
                    unixSocketPath: "\(server.socketDirectory)/.s.PGSQL.5432", username: "postgres", password: nil, database: database),
                id: 1, logger: RegistryFixture.quietLogger)
            let outcome: Result<Void, any Error>
            do { outcome = .success(try await body(connection)) } catch { outcome = .failure(error) }
            try? await connection.close()
            try outcome.get()
        }

        /// `body` with the store as a replica sees it, to read what the replicas recorded.
        func withStore(_ body: (PostgresRegistryStore) async throws -> Void) async throws {
            try await withPostgresStore(try PostgresLocation(parsing: url), body)
        }

        /// Holds the event's cursor row locked, as a replica recording a change does, until
        /// `release` is called: uploads to the event then wait inside their transactions.
        func holdEventCursor(_ connection: PostgresConnection) async throws {
            let logger = RegistryFixture.quietLogger
            try await connection.query(
                "INSERT INTO event_cursor (event, cursor) VALUES (\(ReplicaTests.event), 0) ON CONFLICT (event) DO NOTHING", logger: logger)
            try await connection.query("BEGIN", logger: logger)
            try await connection.query("SELECT cursor FROM event_cursor WHERE event = \(ReplicaTests.event) FOR UPDATE", logger: logger)
        }

        /// Waits until `count` replica transactions wait for a lock. `connection` is inside the
        /// transaction holding the lock, and PostgreSQL keeps the first view of
        /// `pg_stat_activity` a transaction takes until it ends, so each look clears it first.
        func waitForBlockedReplicas(_ count: Int, on connection: PostgresConnection) async throws {
            let blocked = try await waitUntil {
                try await connection.query("SELECT pg_stat_clear_snapshot()", logger: RegistryFixture.quietLogger)
                let rows = try await connection.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'lanyard-registry' AND wait_event_type = 'Lock'
                    """, logger: RegistryFixture.quietLogger
                ).collect()
                return try rows.first?.decode(Int.self) == count
            }
            try #require(blocked, "\(count) replica transaction(s) wait for the event's cursor")
        }
    }

    static func withCluster(watchIntervals: [Double] = [0.05, 0.05], _ body: (Cluster) async throws -> Void) async throws {
        let cluster = try Cluster(watchIntervals: watchIntervals)
        defer { cluster.close() }
        try await cluster.ready()
        try await body(cluster)
    }

    /// A kiosk's upload of a check-in batch; nil without an answer. The socket blocks, so it
    /// waits on a thread of its own, not on the cooperative pool the test itself runs on.
    static func upload(_ port: Int, agent: String, _ items: [CheckInUpload]) async -> CheckInBatchResult? {
        let body = RegistryJSON.encode(UploadBatch(items: items))
        let reply = await offPool {
            loopbackHTTP(port: port, method: "POST", path: "/v1/agents/\(agent)/check-ins", body: body, readTimeout: 60)
        }
        guard let reply, reply.status == 200 else { return nil }
        return try? RegistryJSON.decode(CheckInBatchResult.self, from: reply.body, what: "answer")
    }

    /// A long-poll of the replica's notify endpoint, answered as JSON.
    static func notify(_ port: Int, _ query: String) async -> [String: Int]? {
        let reply = await offPool { loopbackHTTP(port: port, method: "GET", path: "/v1/notify?\(query)", readTimeout: 90) }
        return reply.flatMap { try? JSONDecoder().decode([String: Int].self, from: $0.body) }
    }

    @Test func twoKiosksCheckingInTheSameAttendeeThroughTwoReplicasAreToldOneWinner() async throws {
        try await Self.withCluster { cluster in
            // Scanned a millisecond apart at two doors; each kiosk uploads to another replica,
            // and both transactions wait for the event's cursor, so they meet in the database.
            let attendee = "att-\(UUID().uuidString.prefix(8))"
            let first = CheckInUpload(nonce: "n-door-a", attendeeID: attendee, event: Self.event, kioskID: "door-a", scannedAt: Self.epoch)
            let second = CheckInUpload(
                nonce: "n-door-b", attendeeID: attendee, event: Self.event, kioskID: "door-b",
                scannedAt: Self.epoch.addingTimeInterval(0.001))
            let ports = cluster.ports
            var answers: [CheckInBatchResult?] = []
            try await cluster.withConnection { connection in
                try await cluster.holdEventCursor(connection)
                async let answerA = Self.upload(ports[0], agent: "kiosk-a", [first])
                async let answerB = Self.upload(ports[1], agent: "kiosk-b", [second])
                try await cluster.waitForBlockedReplicas(2, on: connection)
                try await connection.query("ROLLBACK", logger: RegistryFixture.quietLogger)
                answers = [await answerA, await answerB]
            }
            try await cluster.withStore { store in try await Self.expectOneWinner(store, attendee: attendee, answers: answers) }
        }
    }

    /// The earlier scan won, and each kiosk, applying its answer and then the log after the
    /// answer's cursor as it does, ends with that winner.
    static func expectOneWinner(_ store: PostgresRegistryStore, attendee: String, answers: [CheckInBatchResult?]) async throws {
        let winner = try #require(try await store.checkInWinner(event: Self.event, attendeeID: attendee))
        #expect(winner.resolution.nonce == "n-door-a", "the earlier scan wins whichever transaction committed first")
        let log = try await store.checkInResolutions(event: Self.event, after: 0)
        #expect(log.filter { $0.resolution.attendeeID == attendee }.count <= 2)
        for answer in answers {
            let answer = try #require(answer, "each kiosk is answered")
            #expect(answer.accepted == 1)
            let told = try #require(answer.resolutions.first)
            let later = log.filter { $0.cursor > told.cursor && $0.resolution.attendeeID == attendee }
            let held = later.last?.resolution.nonce ?? told.resolution.nonce
            #expect(held == winner.resolution.nonce, "a kiosk told \(told.resolution.nonce) learns the winner from the log")
        }
    }

    @Test func manyConcurrentCheckInsOfOneAttendeeOnBothReplicasKeepTheEarliest() async throws {
        try await Self.withCluster { cluster in
            let attendee = "att-\(UUID().uuidString.prefix(8))"
            // Forty scans, the earliest neither first nor last, uploaded all at once, alternately
            // to each replica.
            let offsets = (0..<40).map { ($0 * 17) % 40 }
            let ports = cluster.ports
            let answers = await withTaskGroup(of: CheckInBatchResult?.self) { group in
                for (index, offset) in offsets.enumerated() {
                    let item = CheckInUpload(
                        nonce: "n-\(index)", attendeeID: attendee, event: Self.event, kioskID: "door-\(index % 4)",
                        scannedAt: Self.epoch.addingTimeInterval(Double(offset)))
                    group.addTask { await Self.upload(ports[index % 2], agent: "kiosk-\(index % 4)", [item]) }
                }
                var answers: [CheckInBatchResult?] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.allSatisfy { $0?.accepted == 1 }, "every upload is stored once")
            try await cluster.withStore { store in try await Self.expectEarliest(store, attendee: attendee, offsets: offsets) }
        }
    }

    static func expectEarliest(_ store: PostgresRegistryStore, attendee: String, offsets: [Int]) async throws {
        let earliest = "n-\(try #require(offsets.firstIndex(of: 0)))"
        #expect(try await store.checkInWinner(event: Self.event, attendeeID: attendee)?.resolution.nonce == earliest)
        #expect(try await store.checkInCount(event: Self.event) == 40)
        // The winner only ever moves to an earlier scan, one cursor after another.
        let log = try await store.checkInResolutions(event: Self.event, after: 0).filter { $0.resolution.attendeeID == attendee }
        let scans = log.map(\.resolution.scannedAt)
        #expect(scans == scans.sorted(by: >) && Set(scans).count == scans.count)
        #expect(log.last?.resolution.nonce == earliest)
        let page = try await store.attendeeChanges(event: Self.event, since: 0)
        #expect(page.changes.map(\.cursor) == Array(1...Int64(page.changes.count)), "the event's log has no hole")
    }

    @Test func aReplicaKilledInTheMiddleOfAnUploadLosesAndDuplicatesNothing() async throws {
        try await Self.withCluster { cluster in
            let batch = (0..<20).map { index in
                CheckInUpload(
                    nonce: "kill-\(index)", attendeeID: "att-kill-\(index)", event: Self.event, kioskID: "door-a",
                    scannedAt: Self.epoch.addingTimeInterval(Double(index)))
            }
            let port = cluster.ports[0]
            try await cluster.withConnection { connection in
                try await cluster.holdEventCursor(connection)
                async let upload = Self.upload(port, agent: "kiosk-a", batch)
                // Replica A has stored the nonces in its open transaction and waits for the
                // cursor: killed now, it never commits.
                try await cluster.waitForBlockedReplicas(1, on: connection)
                cluster.replicas[0].kill()
                #expect(await upload == nil, "the kiosk got no answer and keeps the batch in its outbox")
                try await connection.query("ROLLBACK", logger: RegistryFixture.quietLogger)
            }

            // The kiosk sends the batch again, to the other replica, and once more (a lost answer).
            let retried = try #require(await Self.upload(cluster.ports[1], agent: "kiosk-a", batch))
            #expect(retried.accepted == 20 && retried.duplicates == 0)
            let again = try #require(await Self.upload(cluster.ports[1], agent: "kiosk-a", batch))
            #expect(again.accepted == 0 && again.duplicates == 20)
            try await cluster.withStore { (store) async throws in
                #expect(try await store.checkInCount(event: Self.event) == 20)
                #expect(try await store.checkInResolutions(event: Self.event, after: 0).count == 20, "one winner change per attendee")
                #expect(try await store.eventCursor(event: Self.event) == 20)
            }
        }
    }

    @Test func aPublicationNoticedByOneReplicaWakesAKioskWaitingOnTheOther() async throws {
        // Replica B examines the repository once an hour: only A's notice can wake its kiosks.
        try await Self.withCluster(watchIntervals: [0.05, 3600]) { cluster in
            let (portA, portB) = (cluster.ports[0], cluster.ports[1])
            let health = try #require(
                loopbackHTTP(port: portB, method: "GET", path: "/v1/health").flatMap {
                    try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any]
                })
            let version = try #require((health["repository"] as? [String: Any])?["timestamp_version"] as? Int)
            async let waiting = Self.notify(portB, "after=\(version)&timeout=60")
            try await Self.waitForWaiters(port: portB, count: 1)
            try cluster.fixture.publishTemplate("standard", text: "v2")
            let answer = try #require(await waiting)
            #expect(answer["timestamp_version"] == version + 1, "B answers with the version A read")

            // An attendee pushed through A wakes a kiosk of the event waiting on B.
            async let attendees = Self.notify(portB, "after=\(version + 1)&event=\(Self.event)&attendee_cursor=0&timeout=60")
            try await Self.waitForWaiters(port: portB, count: 1)
            let push = Data(
                #"{"changes":[{"op":"upsert","registration":{"attendee_id":"00000000-0000-4000-8000-000000000001","first_name":"Ada"}}]}"#
                    .utf8)
            let pushed = loopbackHTTP(
                port: portA, method: "POST", path: "/v1/events/\(Self.event)/attendees", body: push,
                headers: ["Authorization: Bearer \(Self.adminToken)"])
            #expect(pushed?.status == 200)
            let woken = try #require(await attendees)
            #expect(woken["attendee_cursor"] == 1, "B answers with the cursor A committed")
        }
    }

    /// Waits until `count` long-polls are parked on the replica.
    static func waitForWaiters(port: Int, count: Int) async throws {
        let parked = try await waitUntil {
            guard let reply = loopbackHTTP(port: port, method: "GET", path: "/v1/health"),
                let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
            else { return false }
            return object["waiting_notifications"] as? Int == count
        }
        try #require(parked, "\(count) long-poll(s) wait on the replica")
    }
}

/// Runs blocking work (a socket waiting for its answer) on a thread outside the cooperative
/// pool, which has one thread per core and must stay free for the test's own tasks.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}

/// Polls `condition` until it holds; false after a minute, so a condition that never comes fails
/// the test instead of hanging it (nothing about time is asserted).
func waitUntil(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<3_000 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}
