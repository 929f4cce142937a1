import Foundation
import Glibc
import TestSupport

/// Where the registry servers of a fleet-scale run keep their state.
enum ScaleStore: String, CaseIterable, Sendable {
    case sqlite, postgres

    var title: String {
        switch self {
        case .sqlite: "SQLite, 1 server"
        case .postgres: "PostgreSQL, 2 replicas"
        }
    }
}

/// The `lanyard registry serve` processes of one fleet-scale run, on this machine: one server on
/// SQLite, or two replicas sharing one PostgreSQL database and the repository directory. They
/// can be stopped and started again on the same state (the database is measured in between).
final class ScaleRegistry {
    struct Replica {
        let process: Process
        let port: Int
    }

    let store: ScaleStore
    let executable: URL
    let workspace: URL
    let repository: URL
    let timestampKey: URL
    let agentTokenFile: URL
    let adminTokenFile: URL
    /// One loopback port per server, kept across restarts so that kiosks keep their server's URL.
    let ports: [Int]
    private(set) var replicas: [Replica] = []
    private var started = 0
    /// The PostgreSQL cluster and the URL of the database the replicas share.
    private var postgres: (server: PostgresServer, database: String, url: String)?

    init(
        store: ScaleStore, executable: URL, workspace: URL, repository: URL, timestampKey: URL, agentTokenFile: URL, adminTokenFile: URL
    ) throws {
        ports = try (0..<(store == .postgres ? 2 : 1)).map { _ in try AgentLauncher.freeLoopbackPort() }
        self.store = store
        self.executable = executable
        self.workspace = workspace
        self.repository = repository
        self.timestampKey = timestampKey
        self.agentTokenFile = agentTokenFile
        self.adminTokenFile = adminTokenFile
    }

    deinit { stop() }

    var stateDirectory: URL { workspace.appending(path: "registry-state") }

    /// Each server's base URL, in the order of `ports`.
    var urls: [String] { ports.map { "http://127.0.0.1:\($0)" } }

    /// Starts the servers (and, the first time on PostgreSQL, the cluster and its database) and
    /// waits until each answers `/v1/health`.
    func start() throws {
        if store == .postgres, postgres == nil { postgres = try Self.startPostgres() }
        for port in ports {
            started += 1
            var arguments = [
                "registry", "serve", "--repository", repository.path, "--listen", "127.0.0.1:\(port)",
                "--timestamp-key", timestampKey.path, "--agent-token-file", agentTokenFile.path,
                "--admin-token-file", adminTokenFile.path,
            ]
            if let postgres {
                arguments += ["--database", postgres.url]
            } else {
                arguments += ["--state", stateDirectory.path]
            }
            let process = try spawn(arguments, log: "registry-\(started).log")
            SignalCleanup.track(process: process.processIdentifier)
            replicas.append(Replica(process: process, port: port))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        for replica in replicas {
            while health(replica) == nil {
                guard replica.process.isRunning else {
                    throw BenchError(.internal, "a registry server exited at start (its log is registry-\(started).log)")
                }
                guard ContinuousClock.now < deadline else { throw BenchError(.unavailable, "a registry server did not answer within 60 s") }
                usleep(20_000)
            }
        }
    }

    /// Stops the servers gracefully (SIGTERM, as systemd would), killing one that takes more
    /// than 20 s. The PostgreSQL cluster stays for a later `start()`.
    func stopServers() {
        for replica in replicas where replica.process.isRunning { replica.process.terminate() }
        let deadline = ContinuousClock.now + .seconds(20)
        for replica in replicas {
            while replica.process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
            if replica.process.isRunning {
                kill(replica.process.processIdentifier, SIGKILL)
                replica.process.waitUntilExit()
            }
            SignalCleanup.forget(process: replica.process.processIdentifier)
        }
        replicas = []
    }

    /// The servers, then the PostgreSQL cluster and its directory.
    func stop() {
        stopServers()
        if let postgres {
            Self.stopCluster(postgres.server)
            SignalCleanup.forget(cluster: postgres.server.directory.path)
        }
        postgres = nil
    }

    /// Stops the cluster and removes its directory. Stopped immediately, the server may still be
    /// removing files while the directory is deleted: what is left goes a moment later.
    static func stopCluster(_ server: PostgresServer) {
        server.stop()
        if FileManager.default.fileExists(atPath: server.directory.path) {
            usleep(500_000)
            try? FileManager.default.removeItem(at: server.directory)
        }
    }

    /// The answer of `/v1/health`, or nil when the server does not answer.
    func health(_ replica: Replica) -> [String: Any]? {
        let client = LoopbackHTTPClient(port: replica.port, timeout: .seconds(5))
        defer { client.close() }
        guard let response = try? client.send("GET", "/v1/health"), response.status == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    }

    /// Long-polls waiting on all replicas together (nil when one does not answer).
    func waitingNotifications() -> Int? {
        var total = 0
        for replica in replicas {
            guard let waiting = health(replica)?["waiting_notifications"] as? Int else { return nil }
            total += waiting
        }
        return total
    }

    /// CPU time (user + system) the running servers have used so far, from /proc.
    func cpuSeconds() -> Double {
        replicas.reduce(0) { $0 + Self.cpuSeconds(pid: $1.process.processIdentifier) }
    }

    /// CPU time the PostgreSQL server has used so far: the postmaster, its live processes (the
    /// replicas' connections among them) and those that have exited. Zero on SQLite.
    func databaseCPUSeconds() -> Double {
        guard let postgres,
            let text = try? String(contentsOf: postgres.server.directory.appending(path: "data/postmaster.pid"), encoding: .utf8),
            let line = text.split(separator: "\n").first, let postmaster = Int32(line)
        else { return 0 }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter {
            Self.statFields(pid: $0).map { $0[1] == "\(postmaster)" } ?? false
        }
        let exited =
            Self.statFields(pid: postmaster).map { fields in
                (Double(fields[13]) ?? 0) + (Double(fields[14]) ?? 0)
            } ?? 0
        return children.reduce(Self.cpuSeconds(pid: postmaster) + exited / Double(sysconf(Int32(_SC_CLK_TCK)))) {
            $0 + Self.cpuSeconds(pid: $1)
        }
    }

    static func cpuSeconds(pid: Int32) -> Double {
        guard let fields = statFields(pid: pid), let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of /proc/PID/stat after the command's closing parenthesis: the state first
    /// (field 3), the parent (4), utime and stime (14, 15), the children's cutime and cstime
    /// (16, 17).
    static func statFields(pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = text.lastIndex(of: ")") else {
            return nil
        }
        let fields = text[text.index(after: end)...].split(separator: " ")
        return fields.count > 14 ? fields : nil
    }

    /// The database's size now. SQLite: the database file with its WAL and shared-memory index
    /// (after a graceful stop the WAL has been checkpointed into the file and removed).
    /// PostgreSQL: `pg_database_size`, and the registry's tables with their indexes and TOAST.
    func databaseSize() throws -> (bytes: Int, tables: [(name: String, bytes: Int)]) {
        if let postgres {
            let total = try psql(postgres, "SELECT pg_database_size(current_database())")
            let tables = try psql(
                postgres,
                """
                SELECT relname || '|' || pg_total_relation_size(oid) FROM pg_class
                WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC
                """)
            return (
                Int(total.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
                tables.split(separator: "\n").compactMap { line in
                    let parts = line.split(separator: "|")
                    guard parts.count == 2, let bytes = Int(parts[1]) else { return nil }
                    return (String(parts[0]), bytes)
                }
            )
        }
        let files = ["registry.sqlite", "registry.sqlite-wal", "registry.sqlite-shm"].map { stateDirectory.appending(path: $0).path }
        let sizes = files.map { path in ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        return (sizes.reduce(0, +), zip(["file", "WAL", "shared memory"], sizes).map { ($0, $1) })
    }

    private func psql(_ postgres: (server: PostgresServer, database: String, url: String), _ query: String) throws -> String {
        do { return try postgres.server.query(query, database: postgres.database) } catch {
            throw BenchError(.internal, "psql could not read the database's size: \(error)")
        }
    }

    /// A cluster as the tests start it (`PostgresServer`, on a Unix socket in a temporary
    /// directory), but with `fsync` on: an upload the registry acknowledged must be as durable
    /// here as in SQLite (`synchronous = FULL`).
    private static func startPostgres() throws -> (server: PostgresServer, database: String, url: String) {
        let server: PostgresServer
        do { server = try PostgresServer.start(durable: true) } catch {
            throw BenchError(.unavailable, "PostgreSQL cannot be started: \(error)")
        }
        SignalCleanup.track(cluster: server.directory.path) { stopCluster(server) }
        let name = "lanyard_scale"
        do {
            let url = try server.createDatabase(name)
            return (server, name, url)
        } catch {
            stopCluster(server)
            SignalCleanup.forget(cluster: server.directory.path)
            throw BenchError(.unavailable, "cannot create the benchmark's database: \(error)")
        }
    }

    private func spawn(_ arguments: [String], log: String) throws -> Process {
        let logFile = workspace.appending(path: log)
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil), let handle = FileHandle(forWritingAtPath: logFile.path)
        else {
            throw BenchError(.io, "cannot create \(logFile.path)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("LANYARD_REGISTRY_") && !AgentLauncher.strippedEnvironment.contains($0.key)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        try process.run()
        try? handle.close()
        return process
    }
}
