import Attendees
import Badges
import Foundation
import Logging
import Registry
import TestSupport
import Testing

/// `make test` runs it after the parallel unit tests, so that its six processes do not wait on
/// every other suite for the two cores; it asserts no timing and passes under plain `swift test`.
///
/// One registry server (or two replicas sharing PostgreSQL) and five agents, each its own
/// process, as at a venue: a template
/// published once reaches every kiosk (notification, then verified download,
/// dry run and atomic promotion) while badges keep printing; a template whose renders fail is
/// rolled back by every kiosk on its own.
@Suite(.serialized) struct FleetSyncTests {
    static let agents = 5
    static let adminToken = "fleet-admin-token-0123456789"

    /// Where the registry keeps its state: SQLite in its state directory (one server), or
    /// PostgreSQL shared by two replicas, the kiosks split between them.
    enum Backend {
        case sqlite
        case postgres(PostgresServer)
    }

    struct Fleet {
        let work: URL
        let backend: Backend
        /// One registry server per port; kiosk i uses the one at i modulo their count.
        let registryPorts: [Int]
        /// Where operations push attendee changes and read the fleet view: the first replica.
        var registryPort: Int { registryPorts[0] }
        func registryPort(forKiosk index: Int) -> Int { registryPorts[index % registryPorts.count] }
        var signing: [String] {
            [
                "--repository", work.appending(path: "repo").path, "--targets-key", work.appending(path: "targets.key").path,
                "--timestamp-key", work.appending(path: "ts.key").path,
            ]
        }
        func socket(_ index: Int) -> String { work.appending(path: "agent-\(index).sock").path }
    }

    @Test func aPublishedTemplateReachesEveryKioskAndAFailingOneIsRolledBackByEach() async throws {
        try await runFleet(.sqlite, registries: 1)
    }

    /// The same fleet against two stateless replicas sharing one PostgreSQL database: a change
    /// made through one replica reaches the kiosks of the other, woken by its notice.
    @Test(.enabled(if: PostgresServer.enabled, PostgresServer.skipReason))
    func aPublishedTemplateReachesEveryKioskServedByTwoPostgresReplicas() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await runFleet(.postgres(server), registries: 2)
    }

    func runFleet(_ backend: Backend, registries: Int) async throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fleet = Fleet(work: work, backend: backend, registryPorts: try (0..<registries).map { _ in try freeTCPPort() })
        func path(_ name: String) -> String { work.appending(path: name).path }

        #expect(try runLanyard(["registry", "keygen", path("root.key"), path("targets.key"), path("ts.key")]).status == 0)
        #expect(
            try runLanyard([
                "registry", "init", "--repository", path("repo"), "--root-key", path("root.key"),
                "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
            ]).status == 0)
        #expect(
            try runLanyard(["registry", "publish"] + fleet.signing + ["--template", "Templates/standard", "--label", "v1"]).status == 0)

        // The admin token as a file, the way a unit file gives it (not on the command line).
        try Data("\(Self.adminToken)\n".utf8).write(to: work.appending(path: "admin.token"))
        let state: [String]
        switch backend {
        case .sqlite: state = ["--state", path("registry-state")]
        case .postgres(let server): state = ["--database", try server.createDatabase("fleet")]
        }
        let registry = try fleet.registryPorts.enumerated().map { index, port in
            try LanyardProcess(
                [
                    "registry", "serve", "--repository", path("repo"), "--listen", "127.0.0.1:\(port)", "--timestamp-key", path("ts.key"),
                    "--admin-token-file", path("admin.token"),
                ] + state,
                log: work.appending(path: "registry-\(index).log"))
        }
        defer { registry.forEach { $0.stop() } }
        var agents: [LanyardProcess] = []
        defer { agents.forEach { $0.stop() } }
        for index in 0..<Self.agents {
            let config = """
                listen: unix:\(fleet.socket(index))
                data_dir: \(path("agent-\(index)"))
                kiosk_id: kiosk-\(index)
                admin_token: \(Self.adminToken)
                printer: { address: sim }
                registry:
                  url: http://127.0.0.1:\(fleet.registryPort(forKiosk: index))/repository/
                  server: http://127.0.0.1:\(fleet.registryPort(forKiosk: index))
                  root: \(path("repo/metadata/1.root.json"))
                  poll_seconds: 30
                  upload_seconds: 1
                """
            try Data(config.utf8).write(to: work.appending(path: "agent-\(index).yaml"))
            agents.append(
                try LanyardProcess(
                    ["agent", "--config", path("agent-\(index).yaml"), "--log-level", "notice"],
                    log: work.appending(path: "agent-\(index).log")))
        }
        for index in 0..<Self.agents {
            let label = try await waitFor(socket: fleet.socket(index), seconds: 60) { status in
                Self.fallbackLabel(status) == "v1" ? "v1" : nil
            }
            let log = (try? String(contentsOf: work.appending(path: "agent-\(index).log"), encoding: .utf8)) ?? ""
            #expect(label == "v1", "kiosk \(index) runs the first release: \(log.suffix(2000))")
        }

        // Badges are being printed on every kiosk while the new release is published.
        var jobs: [(agent: Int, id: Int)] = []
        for index in 0..<Self.agents {
            for number in 0..<2 { jobs.append((index, try submitBadge(socket: fleet.socket(index), sourceID: "FLEET-\(index)-\(number)"))) }
        }
        #expect(
            try runLanyard(["registry", "publish"] + fleet.signing + ["--template", "Templates/standard", "--label", "v2"]).status == 0)
        for index in 0..<Self.agents {
            jobs.append((index, try submitBadge(socket: fleet.socket(index), sourceID: "FLEET-\(index)-during")))
        }
        // Every kiosk takes it. How fast is measured by `lanyard-bench --sync` (docs/benchmarks.md),
        // not asserted here: the bound is only the wait for a kiosk that never would.
        for index in 0..<Self.agents {
            let label = try await waitFor(socket: fleet.socket(index), seconds: 30) { Self.fallbackLabel($0) == "v2" ? "v2" : nil }
            #expect(label == "v2", "kiosk \(index) takes the new release")
        }
        for job in jobs {
            let state = try await waitFor(socket: fleet.socket(job.agent), path: "/v1/jobs/\(job.id)", seconds: 60) { object in
                ["printed", "manual_review", "dead_lettered", "cancelled"].contains(object["state"] as? String ?? "")
                    ? object["state"] as? String : nil
            }
            #expect(state == "printed", "job \(job.id) on kiosk \(job.agent) printed across the promotion")
        }

        // Every kiosk reports what it runs; the registry's fleet view shows it.
        let fleetView = try await waitForFleet(port: fleet.registryPorts[registries - 1]) { agents in
            agents.count == Self.agents
                && agents.allSatisfy { agent in
                    ((agent["templates"] as? [[String: Any]]) ?? []).contains { $0["label"] as? String == "v2" }
                } ? agents : nil
        }
        #expect(fleetView?.count == Self.agents, "the fleet view lists all five kiosks on v2")

        // Two kiosks check the same attendee in; the registry keeps the first scan and tells them.
        let payload = try #require(try checkInPayload(socket: fleet.socket(0)))
        let first = try #require(
            unixHTTP(socket: fleet.socket(0), method: "POST", path: "/v1/checkins", body: Data(#"{"payload":"\#(payload)"}"#.utf8)))
        #expect(first.status == 202)
        try await Task.sleep(for: .milliseconds(50))
        let second = try #require(
            unixHTTP(socket: fleet.socket(1), method: "POST", path: "/v1/checkins", body: Data(#"{"payload":"\#(payload)"}"#.utf8)))
        #expect(second.status == 202)
        let told = try await waitFor(
            socket: fleet.socket(1), path: "/v1/checkins", seconds: 20, method: "POST",
            body: Data(#"{"payload":"\#(payload)"}"#.utf8)
        ) { object in
            (object["already_checked_in"] as? [String: Any])?["kiosk_id"] as? String == "kiosk-0" ? true : nil
        }
        #expect(told == true, "kiosk-1 learns that kiosk-0 scanned the attendee first")

        try await followTheRegistrysAttendeeList(fleet)

        // A release for the event whose renders fail for long ticket ids (the dry run's synthetic
        // ids are short, so it is promoted): every kiosk rolls it back on its own.
        let failing = work.appending(path: "failing")
        try FileManager.default.copyItem(at: repositoryRoot.appending(path: "Templates/standard"), to: failing)
        let file = failing.appending(path: "template.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "elements:\n",
            with: """
                elements:
                  - id: source-code
                    type: qr
                    payload: "{source_id}"
                    box: [44, 50, 20, 20]
                    error_correction: L
                    min_module_mm: 0.5

                """)
        try Data(text.utf8).write(to: file)
        #expect(try runLanyard(["templates", "manifest", failing.path]).status == 0)
        #expect(
            try runLanyard(
                ["registry", "publish"] + fleet.signing
                    + ["--template", failing.path, "--name", "event-badge", "--scope", "event:devcon-2026", "--label", "fails"]
            ).status == 0)
        for index in 0..<Self.agents {
            let promoted = try await waitFor(socket: fleet.socket(index), seconds: 30) {
                Self.tierLabel($0, "event") == "fails" ? true : nil
            }
            #expect(promoted == true, "kiosk \(index) promoted the failing release after its dry run")
            let id = try submitBadge(socket: fleet.socket(index), sourceID: "LONG-\(index)-" + String(repeating: "X", count: 150))
            let state = try await waitFor(socket: fleet.socket(index), path: "/v1/jobs/\(id)", seconds: 60) { object in
                object["state"] as? String == "printed" ? "printed" : nil
            }
            #expect(state == "printed", "the badge falls to the next tier: nobody goes without")
            let rolledBack = try await waitFor(socket: fleet.socket(index), seconds: 30) { status in
                ((status["rolled_back"] as? [[String: Any]]) ?? []).contains { $0["label"] as? String == "fails" } ? true : nil
            }
            #expect(rolledBack == true, "kiosk \(index) rolled back on its own")
            let status = try await waitFor(socket: fleet.socket(index), seconds: 5) { $0 }
            #expect(Self.tierLabel(status ?? [:], "event") == nil, "kiosk \(index) is back on its last stable set")
        }
    }

    /// The event's list kept by the registry: a snapshot of it published at the server's cursor
    /// reaches every kiosk, then each change pushed to the server reaches every kiosk through
    /// the signed change log, woken by the notification; a check-in two kiosks made is resolved
    /// on a third that never scanned the attendee.
    func followTheRegistrysAttendeeList(_ fleet: Fleet) async throws {
        func attendee(_ n: Int, _ first: String) -> String {
            String(format: #"{"attendee_id":"00000000-0000-4000-8000-%012d","event_slug":"devcon-2026","first_name":"%@","#, n, first)
                + #""last_name":"Registry","email":"r\#(n)@example.org","ticket_type":"VIP"}"#
        }
        func push(_ changes: [String]) throws {
            let body = Data(#"{"changes":[\#(changes.joined(separator: ","))]}"#.utf8)
            let reply = try #require(
                loopbackHTTP(
                    port: fleet.registryPort, method: "POST", path: "/v1/events/devcon-2026/attendees",
                    body: body, headers: ["Authorization: Bearer \(Self.adminToken)"]))
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        }
        func everyKioskFinds(_ query: String, seconds: Double) async throws {
            for index in 0..<Self.agents {
                let found = try await waitFor(socket: fleet.socket(index), path: "/v1/attendees?q=\(query)", seconds: seconds) { object in
                    ((object["attendees"] as? [[String: Any]]) ?? []).isEmpty ? nil : true
                }
                #expect(found == true, "kiosk \(index) finds \(query)")
            }
        }

        try push([
            #"{"op":"upsert","registration":\#(attendee(1, "Rosalind"))}"#, #"{"op":"upsert","registration":\#(attendee(2, "Barbara"))}"#,
        ])
        #expect(try runLanyard(["registry", "publish"] + fleet.signing + (try await snapshotSource(fleet))).status == 0)
        try await everyKioskFinds("Rosalind", seconds: 30)

        try push([
            #"{"op":"upsert","registration":\#(attendee(3, "Shafrira"))}"#,
            #"{"op":"remove","attendee_id":"00000000-0000-4000-8000-000000000002"}"#,
        ])
        // Followed through the change log, not a new snapshot (how fast: `lanyard-bench --attendee-sync`).
        try await everyKioskFinds("Shafrira", seconds: 30)
        for index in 0..<Self.agents {
            let gone = try await waitFor(socket: fleet.socket(index), path: "/v1/attendees?q=Barbara", seconds: 10) { object in
                ((object["attendees"] as? [[String: Any]]) ?? []).isEmpty ? true : nil
            }
            #expect(gone == true, "kiosk \(index) no longer has the removed attendee")
        }

        // Kiosks 2 and 3 both check Rosalind in; kiosk 4, which never scanned her, learns from
        // the change log which scan the registry kept.
        let payload = try #require(try checkInPayload(socket: fleet.socket(2), query: "Rosalind"))
        for index in [2, 3] {
            let reply = try #require(
                unixHTTP(
                    socket: fleet.socket(index), method: "POST", path: "/v1/checkins",
                    body: Data(#"{"payload":"\#(payload)"}"#.utf8)))
            #expect(reply.status == 202)
            try await Task.sleep(for: .milliseconds(50))
        }
        let rosalind = "00000000-0000-4000-8000-000000000001"
        let first = try await waitFor(socket: fleet.socket(4), path: "/v1/attendees/\(rosalind)", seconds: 20) { object -> [String: Any]? in
            guard let first = (object["check_in"] as? [String: Any])?["first"] as? [String: Any],
                first["kiosk_id"] as? String == "kiosk-2", first["confirmed_by_registry"] as? Bool == true
            else { return nil }
            return object
        }
        #expect(first != nil, "kiosk 4 knows from the change log that kiosk 2 scanned Rosalind first")
        #expect((first?["check_in"] as? [String: Any])?["scans_here"] as? Int == 0)
    }

    // MARK: Helpers

    /// How `registry publish` finds the registry's list of the event: from SQLite beside the
    /// server, or, on PostgreSQL, read through the store (as a replica reads it) into a file at
    /// the store's cursor.
    func snapshotSource(_ fleet: Fleet) async throws -> [String] {
        switch fleet.backend {
        case .sqlite:
            return ["--attendees-from-state", fleet.work.appending(path: "registry-state").path, "--event", "devcon-2026"]
        case .postgres(let server):
            var logger = Logger(label: "fleet-tests")
            logger.logLevel = .critical
            let store = try await PostgresRegistryStore.connect(
                try PostgresLocation(parsing: server.url(database: "fleet")), logger: logger)
            let snapshot = try await store.attendeeSnapshot(event: "devcon-2026")
            await store.close()
            let file = fleet.work.appending(path: "attendees.jsonl")
            try Data(snapshot.registrations.map { $0 + "\n" }.joined().utf8).write(to: file)
            return ["--attendees", file.path, "--cursor", "\(snapshot.cursor)", "--event", "devcon-2026"]
        }
    }

    static func fallbackLabel(_ status: [String: Any]) -> String? { tierLabel(status, "fallback") }

    static func tierLabel(_ status: [String: Any], _ tier: String) -> String? {
        ((status["templates"] as? [[String: Any]]) ?? []).first { $0["tier"] as? String == tier }?["label"] as? String
    }

    /// Polls a JSON endpoint of an agent until `probe` gives a value; nil after `seconds`.
    func waitFor<T>(
        socket: String, path: String = "/v1/sync", seconds: Double, method: String = "GET", body: Data? = nil,
        _ probe: ([String: Any]) -> T?
    ) async throws -> T? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let reply = unixHTTP(
                socket: socket, method: method, path: path, body: body, headers: ["Authorization: Bearer \(Self.adminToken)"]),
                let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any], let value = probe(object)
            {
                return value
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The registry's fleet view until `probe` accepts it.
    func waitForFleet<T>(port: Int, _ probe: ([[String: Any]]) -> T?) async throws -> T? {
        for _ in 0..<200 {
            if let reply = loopbackHTTP(
                port: port, method: "GET", path: "/v1/fleet", headers: ["Authorization: Bearer \(Self.adminToken)"]),
                let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
                let value = probe(object["agents"] as? [[String: Any]] ?? [])
            {
                return value
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The QR payload of a sample attendee's badge, as a kiosk's scanner would read it.
    func checkInPayload(socket: String, query: String = "Thomas%20Carter") throws -> String? {
        let reply = unixHTTP(
            socket: socket, method: "GET", path: "/v1/attendees?q=\(query)", body: nil,
            headers: ["Authorization: Bearer \(Self.adminToken)"])
        let object = reply.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
        guard let attendee = (object?["attendees"] as? [[String: Any]])?.first, let id = attendee["attendee_id"] as? String,
            let tier = (attendee["access_tier"] as? String).flatMap(AccessTier.init(rawValue:))
        else { return nil }
        let event = try EventConfiguration.load(file: repositoryRoot.appending(path: "Templates/sample-event.yaml"))
        return CheckIn.payload(eventSlug: event.slug, attendeeID: id, accessTier: tier, secret: event.checkInSecret)
    }

    func submitBadge(socket: String, sourceID: String) throws -> Int {
        let body =
            #"{"attendee": {"source":"crm","source_id":"\#(sourceID)","event_slug":"devcon-2026","first_name":"Ada","last_name":"Fleet \#(sourceID.prefix(20))","email":"ada@example.org","ticket_type":"VIP"}}"#
        let reply = try #require(unixHTTP(socket: socket, method: "POST", path: "/v1/badges", body: Data(body.utf8)))
        #expect(reply.status == 202, "\(String(decoding: reply.body, as: UTF8.self))")
        let object = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
        return try #require(object["id"] as? Int)
    }
}
