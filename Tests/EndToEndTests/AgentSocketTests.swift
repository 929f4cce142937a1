import Foundation
import Testing

/// `lanyard agent --listen unix:PATH` as a process: the API answers on the socket (mode 0660),
/// a stale socket file left by a killed agent does not stop the next start, and SIGTERM stops
/// the agent cleanly and removes its socket.
@Suite(.serialized) struct AgentSocketTests {
    static let adminToken = "socket-admin-token"

    func startAgent(socket: String, data: URL) throws -> Process {
        let executable: URL = try #require(CommandLineTests.executable, "the lanyard executable must be built beside the tests")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["agent", "--listen", "unix:\(socket)", "--data", data.path, "--log-level", "warning"]
        process.currentDirectoryURL = repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging([
            "LANYARD_PRINTER": "sim", "LANYARD_ADMIN_TOKEN": Self.adminToken,
        ]) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// One HTTP/1.1 request over the socket; nil until the agent listens.
    func get(_ path: String, socket: String, host: String = "localhost", token: String? = nil) -> String? {
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: socket.utf8.prefix($0.count - 1)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\(authorization)\r\n".utf8)
        guard write(descriptor, request, request.count) == request.count else { return nil }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    func waitForAnswer(_ path: String, socket: String, process: Process) async throws -> String {
        for _ in 0..<600 where process.isRunning {
            if let reply = get(path, socket: socket), !reply.isEmpty { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the agent did not answer on \(socket)")
        return ""
    }

    @Test func theAPIAnswersOnAUnixSocketAndTheSocketIsRemovedOnStop() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appending(path: "agent.sock").path

        // A killed agent leaves its socket file behind; the next one must still start.
        let first = try startAgent(socket: socket, data: directory.appending(path: "data"))
        _ = try await waitForAnswer("/v1/health", socket: socket, process: first)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: socket), "SIGKILL leaves the socket file")

        let agent = try startAgent(socket: socket, data: directory.appending(path: "data"))
        let health = try await waitForAnswer("/v1/health", socket: socket, process: agent)
        #expect(health.hasPrefix("HTTP/1.1 200"), "\(health.prefix(200))")
        #expect(health.contains(#""status":"ok""#))
        let printers = get("/v1/printers", socket: socket) ?? ""
        #expect(printers.contains(#""id":"sim""#))
        // A name the box does not have is refused on the socket too (a proxy in front passes
        // the browser's Host on): the DNS-rebinding check does not depend on the listener.
        let foreign = get("/v1/printers", socket: socket, host: "rebind.attacker.example") ?? ""
        #expect(foreign.hasPrefix("HTTP/1.1 421"), "\(foreign.prefix(200))")
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o660)

        // A second agent on the same socket is refused while the first answers.
        let intruder = try runLanyard(
            ["agent", "--listen", "unix:\(socket)", "--data", directory.appending(path: "other").path],
            environment: ["LANYARD_PRINTER": "sim"])
        #expect(intruder.status != 0)
        #expect(intruder.stderr.contains("another process is listening"))

        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        #expect(agent.terminationReason == .exit && agent.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    /// One agent per data directory: a second `lanyard agent` on a directory in use (the systemd
    /// unit and a manual run, say) exits with 73 naming the directory and the running agent, while
    /// `lanyard import` and `lanyard printer tune` keep working beside the running agent.
    @Test func aSecondAgentOnTheSameDataDirectoryIsRefusedButImportAndTuneWork() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appending(path: "data")
        let socket = directory.appending(path: "agent.sock").path
        let agent = try startAgent(socket: socket, data: data)
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        _ = try await waitForAnswer("/v1/health", socket: socket, process: agent)

        let second = try runLanyard(
            ["agent", "--listen", "unix:\(directory.appending(path: "second.sock").path)", "--data", data.path],
            environment: ["LANYARD_PRINTER": "sim"])
        #expect(second.status == 73, "\(second.stderr)")
        #expect(second.stderr.contains("agent.data_directory_in_use"), "\(second.stderr)")
        #expect(second.stderr.contains(data.path), "the refusal names the directory: \(second.stderr)")
        #expect(second.stderr.contains("process \(agent.processIdentifier)"), "the refusal names the running agent: \(second.stderr)")
        #expect(agent.isRunning, "the first agent is not disturbed")

        // Beside the running agent: an import and a stored tuning, through SQLite's own locking.
        let registrations = directory.appending(path: "drop.jsonl")
        try Data(
            #"{"source":"crm","source_id":"LOCK-1","event_slug":"devcon-2026","first_name":"Grace","last_name":"Hopper","email":"grace@example.org","ticket_type":"Staff"}"#
                .utf8 + [0x0A]
        )
        .write(to: registrations)
        let imported = try runLanyard(["import", registrations.path, "--data", data.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!imported.stderr.contains("no agent is running"), "\(imported.stderr)")
        let tuned = try runLanyard([
            "printer", "tune", "--printer", "sim", "--darkness", "20", "--reason", "beside a running agent",
            "--data", data.path,
        ])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(!tuned.stderr.contains("no agent is running"), "\(tuned.stderr)")
        let tunedByEnvironment = try runLanyard(
            ["printer", "tune", "--printer", "sim", "--speed", "4"],
            environment: ["LANYARD_STATE_DIR": data.path])
        #expect(tunedByEnvironment.status == 0, "\(tunedByEnvironment.stderr)")
        let search = get("/v1/attendees?q=Hopper", socket: socket, token: Self.adminToken) ?? ""
        #expect(search.contains("Grace"), "the running agent sees the import: \(search.prefix(300))")

        kill(agent.processIdentifier, SIGTERM)
        agent.waitUntilExit()
        #expect(agent.terminationReason == .exit && agent.terminationStatus == 0)

        // With no agent on the directory, an import still lands there, and says who will see it.
        let later = try runLanyard(["import", "--attendees", registrations.path, "--data", data.path])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stderr.contains("no agent is running on \(data.path)"), "\(later.stderr)")
    }

    /// A misspelt setting stops `lanyard agent` before it starts anything, with the invalid
    /// configuration's exit code and the key named.
    @Test func aMisspeltSettingStopsTheAgentWithExit65() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appending(path: "agent.yaml")
        try Data("printer:\n  adress: tcp://127.0.0.1:9\n  profile: zebra-zd421d-300\n".utf8).write(to: config)
        let run = try runLanyard(["agent", "--config", config.path, "--data", directory.appending(path: "data").path])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("\(config.path) at printer.adress: unknown setting; did you mean 'address'?"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "data").path), "nothing was created")
    }

    /// A listen address another process holds stops the agent with exit 69 and says so, instead
    /// of the socket call's internals.
    @Test func aListenAddressInUseStopsTheAgentWithExit69() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // This process holds a loopback port, as another service would.
        let holder = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(holder >= 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let run = try runLanyard(
            ["agent", "--listen", "127.0.0.1:\(port)", "--data", directory.appending(path: "data").path],
            environment: ["LANYARD_PRINTER": "sim"])
        #expect(run.status == 69, "\(run.stderr)")
        #expect(run.stderr.contains("agent.listen_address_in_use: cannot listen on 127.0.0.1:\(port)"), "\(run.stderr)")
    }

    /// `--listen localhost` (no port) is a usage mistake: exit 64, with the forms it takes.
    @Test func aListenAddressWithoutAPortIsAUsageError() throws {
        let run = try runLanyard(["agent", "--listen", "localhost"])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("--listen takes HOST:PORT"), "\(run.stderr)")
        // So is a log level that does not exist, which used to fall back to info without a word.
        let verbose = try runLanyard(["agent", "--log-level", "verbose"])
        #expect(verbose.status == 64, "\(verbose.stderr)")
        #expect(verbose.stderr.contains("'verbose' is invalid for '--log-level"), "\(verbose.stderr)")
    }
}
