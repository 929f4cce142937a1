public import Foundation
public import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL 15 server from Debian's packages (`postgresql-15`, which `make deps` installs) for
/// the tests of one suite: a new cluster in a temporary directory, reached only on a Unix socket
/// there (`listen_addresses=''`, no TCP port), trusting local connections. PostgreSQL refuses to
/// run as root, so as root the cluster belongs to the `postgres` user and `initdb` and `pg_ctl`
/// run as that user (`runuser`); the tests themselves connect as the database user `postgres`.
/// Starting takes a few seconds; each test then makes a database of its own (`createDatabase`).
public final class PostgresServer: Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"

    /// Why the tests that need PostgreSQL cannot run here; nil when they can.
    public static let unavailableReason: String? = {
        guard FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb") else {
            return "needs PostgreSQL 15 at \(binaries) (Debian's postgresql-15; `make deps` installs it)"
        }
        if geteuid() == 0, getpwnam("postgres") == nil { return "as root, needs the postgres user to run the server" }
        return nil
    }()

    /// Whether the tests that need PostgreSQL run: when it is here, or when `make test` requires
    /// every external tool (LANYARD_REQUIRE_EXTERNAL_TOOLS=1), so that a missing one fails them.
    public static var enabled: Bool { unavailableReason == nil || PythonTools.required }
    public static var skipReason: Comment { Comment(rawValue: unavailableReason ?? "PostgreSQL is available") }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The cluster's directory; the server's socket is in it.
    public let directory: URL
    private var data: String { directory.appending(path: "data").path }
    public var socketDirectory: String { directory.path }

    private init(directory: URL) {
        self.directory = directory
    }

    /// initdb, then the server, waiting until it accepts connections. The tests run it without
    /// fsync for speed; `durable` keeps it on, so an acknowledged write is as safe as in
    /// production (the benchmarks).
    public static func start(durable: Bool = false) throws -> PostgresServer {
        if let unavailableReason { throw Failure(description: unavailableReason) }
        // A short path: the socket's, inside it, must fit in 107 bytes.
        let directory = URL(filePath: "/tmp").appending(path: "lanyard-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if geteuid() == 0, let account = getpwnam("postgres") {
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw Failure(description: "cannot give \(directory.path) to the postgres user")
            }
        }
        let server = PostgresServer(directory: directory)
        do {
            try server.runAsOwner(
                "initdb", ["-D", server.data, "--auth=trust", "--username=postgres", "--no-sync", "--encoding=UTF8", "--no-locale"])
            let options = "-c listen_addresses='' -k \(directory.path)\(durable ? "" : " -c fsync=off") -c max_connections=200"
            try server.runAsOwner(
                "pg_ctl", ["-D", server.data, "-l", directory.appending(path: "server.log").path, "-w", "-o", options, "start"])
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// A new, empty database, and the URL `lanyard registry serve --database` takes for it.
    public func createDatabase(_ name: String = "lanyard_\(UUID().uuidString.prefix(8).lowercased())") throws -> String {
        try Self.run("\(Self.binaries)/createdb", ["-h", socketDirectory, "-U", "postgres", name], owner: false, in: directory)
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgresql:///\(database)?host=\(socketDirectory)&user=postgres"
    }

    /// The answer of `psql -At` to `sql` in `database`: one line per row, columns split by `|`.
    public func query(_ sql: String, database: String) throws -> String {
        let output = directory.appending(path: "query-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let command = ["\(Self.binaries)/psql", "-h", socketDirectory, "-U", "postgres", "-d", database, "-Atc", sql]
        let status = try Self.spawnAndWait(command, output: output.path)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "psql exited with \(status): \(text)") }
        return text
    }

    /// Stops the server at once and removes the cluster.
    public func stop() {
        if FileManager.default.fileExists(atPath: "\(data)/postmaster.pid") {
            try? runAsOwner("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's own log, for a failing test's message.
    public var log: String { (try? String(contentsOf: directory.appending(path: "server.log"), encoding: .utf8)) ?? "" }

    private func runAsOwner(_ tool: String, _ arguments: [String]) throws {
        try Self.run("\(Self.binaries)/\(tool)", arguments, owner: true, in: directory)
    }

    private static func run(_ executable: String, _ arguments: [String], owner: Bool, in directory: URL) throws {
        // In the cluster's directory: the postgres user may not enter the one the tests run in.
        let user = owner && geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        let command = ["/usr/bin/env", "--chdir=\(directory.path)"] + user + [executable] + arguments
        let output = directory.appending(path: "tool-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try spawnAndWait(command, output: output.path)
        guard status == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw Failure(description: "\(command.joined(separator: " ")) exited with \(status): \(text)")
        }
    }

    /// posix_spawn and waitpid, not Foundation's Process: `pg_ctl start` leaves the server running
    /// in the background holding descriptors it inherited, and Process would wait for them too.
    private static func spawnAndWait(_ command: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(command[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "waiting for \(command[0]) failed") }
        }
        // WIFEXITED and WEXITSTATUS, which are macros Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }
}

/// A suite trait: one PostgreSQL server for the whole suite, started before its first test and
/// stopped after its last; its tests find it as `PostgresServer.current`.
public struct PostgresSuite: SuiteTrait, TestScoping {
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await PostgresServer.$scoped.withValue(server) { try await function() }
    }
}

extension PostgresServer {
    @TaskLocal static var scoped: PostgresServer?

    /// The server of the running suite (`.postgres`).
    public static var current: PostgresServer {
        get throws {
            guard let scoped else { throw Failure(description: "the suite has no PostgreSQL server: give it the .postgres trait") }
            return scoped
        }
    }
}

extension Trait where Self == PostgresSuite {
    /// One PostgreSQL server for the suite (`PostgresServer`).
    public static var postgres: Self { PostgresSuite() }
}
