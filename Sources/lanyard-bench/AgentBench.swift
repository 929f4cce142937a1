import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Dispatch
import Foundation
import Glibc
import LanyardSupport
import Printers
import Raster
import Synchronization

/// `lanyard bench --agent`: the agent as it runs on a kiosk box, measured across real process
/// and network boundaries. The agent is the `lanyard` executable, started as a child process
/// (`lanyard agent`) on a fresh data directory, printing over TCP to a `SimulatorServer` inside
/// the bench process; the clients are plain HTTP/1.1 connections, one thread each.
struct AgentBenchOptions: ParsableArguments {
    @Flag(
        name: .customLong("agent"),
        help: """
            Measure `lanyard agent` instead: start to ready, idle RSS, and request -> last byte at a \
            simulated printer with 1 and 16 clients (build with -c release).
            """)
    var enabled = false

    @Option(name: .customLong("agent-starts"), help: "Agent starts timed from spawn to the first 200 from /v1/health.")
    var starts = 10

    @Option(name: .customLong("agent-requests"), help: "Timed badge requests per scenario, after the warm-up.")
    var requests = 300

    @Option(name: .customLong("agent-warmup"), help: "Untimed badge requests (one client) before the scenarios.")
    var warmup = 30

    @Option(name: .customLong("agent-idle-seconds"), help: "Seconds the agent idles before its memory is read.")
    var idleSeconds = 5.0

    @Option(
        name: .customLong("agent-think-ms"),
        help: """
            Milliseconds each client waits after its badge reached the printer before its next request \
            (a kiosk's next attendee takes seconds; this only lets the agent finish confirming the last badge).
            """)
    var thinkMilliseconds = 100

    @Option(
        name: .customLong("agent-data"),
        help: """
            Directory for the agents' data directories (default: the temporary directory); the \
            database commits with fsync, so the disk under it shows in every figure.
            """)
    var dataParent: String?

    func validate() throws {
        guard starts >= 1, requests >= 1, warmup >= 0, (0...600).contains(idleSeconds), (0...60_000).contains(thinkMilliseconds) else {
            throw ValidationError(
                "--agent-starts and --agent-requests must be at least 1, --agent-warmup at least 0, "
                    + "--agent-idle-seconds from 0 to 600, --agent-think-ms from 0 to 60000")
        }
    }
}

struct AgentBench {
    static let profileID = "zebra-zd621d-300"
    static let clientCounts = [1, 16]
    static let targets = (readyMilliseconds: 300.0, idleRSSMegabytes: 40.0, oneClientP95Milliseconds: 25.0)
    /// Far above what 16 clients with one badge each in flight can queue: no request is refused.
    static let maxQueued = 10_000

    let options: AgentBenchOptions

    func run() throws {
        let executable = try Self.executable()
        let profile = try Installation.profile(Self.profileID, directory: nil)
        let simulator = try PrinterSimulator(profile: profile)
        let server = try SimulatorServer(simulator: simulator)
        defer { server.stop() }
        let parent = options.dataParent.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? FileManager.default.temporaryDirectory
        let workspace = parent.appending(path: "lanyard-bench-agent-\(getpid())")
        try Files.makeDirectory(workspace)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let launcher = AgentLauncher(executable: executable, workspace: workspace, printerPort: server.port, profileID: profile.id)

        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        print(
            "Lanyard agent bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(build) build; "
                + "agent: \(executable.path) agent; printer: simulated \(profile.id) on tcp://127.0.0.1:\(server.port); "
                + "data under \(parent.path)\n")

        // 1. Start to ready.
        var toHealth: [Double] = [], logged: [Double] = [], cleanStops = 0
        for index in 1...options.starts {
            let agent = try launcher.launch(name: "start-\(index)")
            let ready = try agent.waitForHealth(timeout: .seconds(60))
            toHealth.append((ready - agent.spawnedAt).milliseconds)
            logged.append(try agent.loggedStartupMilliseconds(timeout: .seconds(5)))
            if agent.stop() == 0 { cleanStops += 1 }
        }
        print(
            TextTable.render(
                header: ["start to ready, \(options.starts) starts", "p50 ms", "p95 ms", "max ms"],
                rows: [
                    [
                        "spawn -> first 200 from GET /v1/health", BenchCommand.fmt(toHealth.percentile(50)),
                        BenchCommand.fmt(toHealth.percentile(95)), BenchCommand.fmt(toHealth.max() ?? 0),
                    ],
                    [
                        "startup_ms of the agent's \"agent ready\" log line", BenchCommand.fmt(logged.percentile(50)),
                        BenchCommand.fmt(logged.percentile(95)), BenchCommand.fmt(logged.max() ?? 0),
                    ],
                ]))
        print("stopped by SIGTERM with exit status 0: \(cleanStops) of \(options.starts)")

        // 2. and 3. One agent: memory at idle, then the load, then memory again.
        print("")
        let agent = try launcher.launch(name: "load")
        defer { _ = agent.stop() }
        _ = try agent.waitForHealth(timeout: .seconds(60))
        Thread.sleep(forTimeInterval: options.idleSeconds)
        var memory: [(String, AgentProcess.Memory)] = [("idle, \(Self.seconds(options.idleSeconds)) after ready", try agent.memory())]

        let arrivals = LabelArrivals(simulator: simulator)
        arrivals.startWatching()
        defer { arrivals.stop() }
        let load = LoadRunner(
            port: agent.port, arrivals: arrivals, labelBase: simulator.printedLabels.count,
            think: .milliseconds(options.thinkMilliseconds))
        var next = 0
        let warmup = load.run(clients: 1, numbers: next..<(next + options.warmup))
        next += options.warmup
        var scenarios: [LoadRunner.Result] = []
        for clients in Self.clientCounts {
            scenarios.append(load.run(clients: clients, numbers: next..<(next + options.requests)))
            next += options.requests
        }
        memory.append(("after the load", try agent.memory()))
        Thread.sleep(forTimeInterval: options.idleSeconds)
        memory.append(("idle again, \(Self.seconds(options.idleSeconds)) after the load", try agent.memory()))
        let stopStatus = agent.stop()
        arrivals.stop()

        print(
            TextTable.render(
                header: ["agent memory (/proc/PID/status)", "VmRSS MB", "RssAnon MB", "RssFile MB", "VmHWM MB"],
                rows: memory.map { row in
                    [
                        row.0, Self.megabytes(row.1.rssKB), Self.megabytes(row.1.anonKB), Self.megabytes(row.1.fileKB),
                        Self.megabytes(row.1.peakKB),
                    ]
                }))

        // Every label checked against a badge rendered here for the request it was matched to.
        let verification = try Verifier(profile: profile).check(
            warmup.jobs + scenarios.flatMap(\.jobs), labels: simulator.printedLabels,
            labelBase: load.labelBase)
        print("")
        print(
            TextTable.render(
                header: [
                    "request written -> last byte at the printer (\(options.thinkMilliseconds) ms think time)", "requests", "p50 ms",
                    "p95 ms", "max ms",
                    "202 p50 ms", "badges/s", "other", "lost",
                ],
                rows: scenarios.map { result in
                    [
                        result.clients == 1 ? "1 client" : "\(result.clients) clients", "\(result.latencies.count)",
                        BenchCommand.fmt(result.latencies.percentile(50)), BenchCommand.fmt(result.latencies.percentile(95)),
                        BenchCommand.fmt(result.latencies.max() ?? 0), BenchCommand.fmt(result.accepted.percentile(50)),
                        BenchCommand.fmt(Double(result.latencies.count) / max(result.seconds, 0.001)),
                        result.otherStatuses.isEmpty
                            ? "0" : result.otherStatuses.sorted { $0.key < $1.key }.map { "\($0.value)x\($0.key)" }.joined(separator: " "),
                        "\(result.lost)",
                    ]
                }))
        print(
            "labels matched to requests by job id (the worker prints in job order) and checked raster for raster: "
                + "\(verification.matching) of \(verification.checked) match")
        for failure in (warmup.failures + scenarios.flatMap(\.failures)).prefix(5) { print("request failed: \(failure)") }
        print("load agent stopped by SIGTERM with exit status \(stopStatus)")

        let oneClient = scenarios.first { $0.clients == 1 }?.latencies.percentile(95) ?? 0
        let idleRSS = Double(memory[0].1.rssKB) / 1024
        print("")
        print(
            TextTable.render(
                header: ["target", "measured", "met"],
                rows: [
                    [
                        "start to ready <= \(Int(Self.targets.readyMilliseconds)) ms (p95, spawn -> 200)",
                        "\(BenchCommand.fmt(toHealth.percentile(95))) ms",
                        Self.verdict(toHealth.percentile(95) <= Self.targets.readyMilliseconds),
                    ],
                    [
                        "idle RSS <= \(Int(Self.targets.idleRSSMegabytes)) MB", "\(Self.megabytes(memory[0].1.rssKB)) MB",
                        Self.verdict(idleRSS <= Self.targets.idleRSSMegabytes),
                    ],
                    [
                        "1 client, request -> last byte p95 <= \(Int(Self.targets.oneClientP95Milliseconds)) ms",
                        "\(BenchCommand.fmt(oneClient)) ms",
                        Self.verdict(oneClient <= Self.targets.oneClientP95Milliseconds),
                    ],
                ]))
        let incomplete =
            scenarios.contains { $0.lost > 0 || !$0.failures.isEmpty || $0.latencies.count < options.requests }
            || verification.matching != verification.checked || cleanStops != options.starts || stopStatus != 0
        if incomplete {
            throw BenchError(
                .internal,
                "the agent benchmark did not complete cleanly (lost or failed requests, unmatched labels or unclean stops; see above)")
        }
    }

    static func verdict(_ met: Bool) -> String { met ? "yes" : "no" }

    static func megabytes(_ kilobytes: Int) -> String { String(format: "%.1f", Double(kilobytes) / 1024) }

    static func seconds(_ value: Double) -> String { String(format: "%g s", value) }

    /// The `lanyard` executable the benchmarks start: `$LANYARD_EXECUTABLE`, else the one built
    /// beside this benchmark executable (`.build/release/lanyard`).
    static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["LANYARD_EXECUTABLE"], !path.isEmpty { return URL(filePath: path) }
        let sibling = Installation.executable.deletingLastPathComponent().appending(path: "lanyard")
        guard FileManager.default.isExecutableFile(atPath: sibling.path) else {
            throw BenchError(.internal, "no lanyard executable at \(sibling.path): build it (make release) or set LANYARD_EXECUTABLE")
        }
        return sibling
    }
}

/// Starts agents with a generated configuration and a data directory of their own.
struct AgentLauncher {
    let executable: URL
    let workspace: URL
    let printerPort: Int
    let profileID: String

    /// Variables that would override the generated configuration, and systemd's, which would
    /// make the child talk to a service manager that never started it.
    static let strippedEnvironment: Set<String> = [
        "LANYARD_AGENT_LISTEN", "LANYARD_DATA_DIR", "LANYARD_PRINTER", "LANYARD_PRINTER_PROFILE", "LANYARD_EVENT",
        "LANYARD_ATTENDEES", "LANYARD_MAX_QUEUED", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
    ]

    func launch(name: String) throws -> AgentProcess {
        let directory = workspace.appending(path: name)
        let data = directory.appending(path: "data")
        try Files.makeDirectory(data)
        let config = directory.appending(path: "agent.yaml")
        try Files.write(
            Array(
                """
                # Generated by lanyard bench --agent.
                printer:
                  address: "tcp://127.0.0.1:\(printerPort)"
                  profile: "\(profileID)"
                queue:
                  max_queued: \(AgentBench.maxQueued)

                """.utf8), to: config)
        let port = try Self.freeLoopbackPort()
        let log = directory.appending(path: "agent.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil), let stderr = FileHandle(forWritingAtPath: log.path) else {
            throw BenchError(.io, "cannot create \(log.path)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["agent", "--config", config.path, "--data", data.path, "--listen", "127.0.0.1:\(port)"]
        process.environment = ProcessInfo.processInfo.environment.filter { !Self.strippedEnvironment.contains($0.key) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        let spawnedAt = ContinuousClock.now
        do { try process.run() } catch {
            throw BenchError(.internal, "cannot start \(executable.path) agent: \(error)")
        }
        try? stderr.close()
        return AgentProcess(process: process, port: port, log: log, spawnedAt: spawnedAt)
    }

    /// A port nothing listens on now: bound to port 0, read back, released. The agent binds it
    /// moments later; another program taking it in between would make the start fail, not lie.
    static func freeLoopbackPort() throws -> Int {
        let raw = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw BenchError(.internal, "socket: \(String(cString: strerror(errno)))") }
        defer { close(raw) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(raw, $0, length) == 0 && getsockname(raw, $0, &length) == 0 }
        }
        guard bound else { throw BenchError(.internal, "cannot find a free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One running `lanyard agent` child.
final class AgentProcess {
    let process: Process
    let port: Int
    /// The agent's standard error: its JSON log lines.
    let log: URL
    /// Just before the process was spawned.
    let spawnedAt: ContinuousClock.Instant
    private var exitStatus: Int32?

    init(process: Process, port: Int, log: URL, spawnedAt: ContinuousClock.Instant) {
        self.process = process
        self.port = port
        self.log = log
        self.spawnedAt = spawnedAt
    }

    deinit { _ = stop() }

    /// Polls `GET /v1/health` every millisecond until it answers 200; returns when that 200
    /// was read.
    func waitForHealth(timeout: Duration) throws -> ContinuousClock.Instant {
        let deadline = spawnedAt + timeout
        let client = LoopbackHTTPClient(port: port, timeout: .seconds(5))
        while true {
            guard process.isRunning else {
                throw BenchError(.internal, "the agent exited with status \(process.terminationStatus) before it was ready: \(logTail())")
            }
            if let response = try? client.send("GET", "/v1/health"), response.status == 200 {
                return response.completedAt
            }
            client.close()
            guard ContinuousClock.now < deadline else {
                throw BenchError(.unavailable, "the agent did not answer /v1/health within \(timeout): \(logTail())")
            }
            usleep(1000)
        }
    }

    /// `startup_ms` from the agent's "agent ready" log line (written before it serves requests,
    /// so normally already there when health answers).
    func loggedStartupMilliseconds(timeout: Duration) throws -> Double {
        let deadline = ContinuousClock.now + timeout
        while true {
            for line in logLines() where line["message"] as? String == "agent ready" {
                guard let text = line["startup_ms"] as? String, let value = Double(text) else {
                    throw BenchError(.internal, "the \"agent ready\" log line has no startup_ms")
                }
                return value
            }
            guard ContinuousClock.now < deadline else {
                throw BenchError(.internal, "the agent logged no \"agent ready\" line: \(logTail())")
            }
            usleep(1000)
        }
    }

    struct Memory {
        var rssKB = 0, anonKB = 0, fileKB = 0, peakKB = 0
    }

    func memory() throws -> Memory {
        let path = "/proc/\(process.processIdentifier)/status"
        guard process.isRunning, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchError(.internal, "cannot read \(path): the agent is not running")
        }
        var memory = Memory()
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS": memory.rssKB = value
            case "RssAnon": memory.anonKB = value
            case "RssFile": memory.fileKB = value
            case "VmHWM": memory.peakKB = value
            default: break
            }
        }
        return memory
    }

    /// SIGTERM, then up to 20 s for the graceful shutdown, then SIGKILL. Returns the exit status
    /// (-1 when it had to be killed). Idempotent.
    @discardableResult
    func stop() -> Int32 {
        if let exitStatus { return exitStatus }
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { usleep(5000) }
        var status: Int32 = -1
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            process.waitUntilExit()
            status = process.terminationReason == .exit ? process.terminationStatus : -1
        }
        exitStatus = status
        return status
    }

    private func logLines() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: log) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    private func logTail() -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }
}

/// When each simulated label arrived, by sequence number, for client threads to wait on. One
/// watcher thread polls the simulator (its printing happens on the server's threads), so the
/// clients block on semaphores instead of polling; the poll interval only delays a client's next
/// request, never its measurement, which uses the simulator's own arrival time.
final class LabelArrivals: Sendable {
    private struct State {
        var arrivals: [Int: ContinuousClock.Instant] = [:]
        var waiters: [Int: DispatchSemaphore] = [:]
        var seen = 0
        var stopped = false
        var watching = false
    }

    let simulator: PrinterSimulator
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    init(simulator: PrinterSimulator) {
        self.simulator = simulator
    }

    func startWatching() {
        state.withLock { $0.watching = true }
        let thread = Thread { [self] in
            while !state.withLock({ $0.stopped }) {
                let labels = simulator.printedLabels
                let woken = state.withLock { state -> [DispatchSemaphore] in
                    guard labels.count > state.seen else { return [] }
                    var woken: [DispatchSemaphore] = []
                    for label in labels[state.seen...] {
                        state.arrivals[label.sequence] = label.receivedAt
                        if let waiter = state.waiters.removeValue(forKey: label.sequence) { woken.append(waiter) }
                    }
                    state.seen = labels.count
                    return woken
                }
                for waiter in woken { waiter.signal() }
                usleep(500)
            }
            finished.signal()
        }
        thread.name = "lanyard.bench.labels"
        thread.start()
    }

    /// The arrival time of label `sequence`, waiting up to `timeout` for it.
    func wait(forSequence sequence: Int, timeout: Duration) -> ContinuousClock.Instant? {
        let semaphore = DispatchSemaphore(value: 0)
        if let known = state.withLock({ state -> ContinuousClock.Instant? in
            if let arrival = state.arrivals[sequence] { return arrival }
            state.waiters[sequence] = semaphore
            return nil
        }) {
            return known
        }
        _ = semaphore.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds)))
        return state.withLock { state in
            state.waiters[sequence] = nil
            return state.arrivals[sequence]
        }
    }

    /// Stops the watcher and waits for it. Idempotent.
    func stop() {
        let wasWatching = state.withLock { state -> Bool in
            defer {
                state.stopped = true
                state.watching = false
            }
            return state.watching
        }
        if wasWatching { finished.wait() }
    }
}

/// Closed-loop clients: each posts a badge request, waits until its label has reached the
/// printer, pauses for the think time, then posts the next, as a kiosk does; so N clients keep
/// at most N badges in flight.
struct LoadRunner {
    let port: Int
    let arrivals: LabelArrivals
    /// Labels the simulator had printed before this agent started: job `id` is label `labelBase + id`.
    let labelBase: Int
    /// Pause between a badge's arrival and the client's next request.
    let think: Duration

    struct Job: Sendable {
        var id: Int
        var registration: Data
    }

    struct Result: Sendable {
        var clients: Int
        /// Request written -> the label's last byte at the printer, ms.
        var latencies: [Double] = []
        /// Request written -> 202 read, ms.
        var accepted: [Double] = []
        /// Responses other than 202, by status.
        var otherStatuses: [Int: Int] = [:]
        /// Accepted, but no label within a minute.
        var lost = 0
        var failures: [String] = []
        var jobs: [Job] = []
        var seconds = 0.0

        mutating func merge(_ other: Result) {
            latencies += other.latencies
            accepted += other.accepted
            otherStatuses.merge(other.otherStatuses, uniquingKeysWith: +)
            lost += other.lost
            failures += other.failures
            jobs += other.jobs
        }
    }

    /// Requests `numbers` (each a distinct registration), spread round-robin over `clients`
    /// threads.
    func run(clients: Int, numbers: Range<Int>) -> Result {
        let total = ResultBox(Result(clients: clients))
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for client in 0..<clients {
            let mine = numbers.filter { ($0 - numbers.lowerBound) % clients == client }
            guard !mine.isEmpty else { continue }
            group.enter()
            let thread = Thread { [self] in
                let result = runClient(mine, clients: clients)
                total.result.withLock { $0.merge(result) }
                group.leave()
            }
            thread.name = "lanyard.bench.client.\(client)"
            thread.start()
        }
        group.wait()
        return total.result.withLock { total in
            total.seconds = (ContinuousClock.now - start).seconds
            return total
        }
    }

    /// Shared by the client threads of one run.
    final class ResultBox: Sendable {
        let result: Mutex<Result>
        init(_ result: Result) { self.result = Mutex(result) }
    }

    private func runClient(_ numbers: [Int], clients: Int) -> Result {
        var result = Result(clients: clients)
        let client = LoopbackHTTPClient(port: port)
        for number in numbers {
            let registration: Data
            let body: Data
            do {
                registration = try JSONSerialization.data(withJSONObject: Self.registration(number), options: [.sortedKeys])
                body = try JSONSerialization.data(withJSONObject: ["attendee": Self.registration(number)], options: [.sortedKeys])
            } catch {
                result.failures.append("request \(number) could not be encoded: \(error)")
                continue
            }
            let response: LoopbackHTTPClient.Response
            do { response = try client.send("POST", "/v1/badges", json: Array(body)) } catch {
                result.failures.append("request \(number): \(error)")
                client.close()
                continue
            }
            guard response.status == 202,
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], let id = object["id"] as? Int
            else {
                result.otherStatuses[response.status, default: 0] += 1
                if response.status == 429 { Thread.sleep(forTimeInterval: Double(response.headers["retry-after"] ?? "1") ?? 1) }
                continue
            }
            result.accepted.append((response.completedAt - response.writtenAt).milliseconds)
            guard let arrival = arrivals.wait(forSequence: labelBase + id, timeout: .seconds(60)) else {
                result.lost += 1
                continue
            }
            result.latencies.append((arrival - response.writtenAt).milliseconds)
            result.jobs.append(Job(id: id, registration: registration))
            if think > .zero { usleep(UInt32(think.milliseconds * 1000)) }
        }
        return result
    }

    static let firstNames = [
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Tim",
        "Radia", "John", "Hedy", "Niklaus", "Sophie", "Linus",
    ]
    static let lastNames = [
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton",
        "Berners-Lee", "Perlman", "Backus", "Lamarr", "Wirth", "Wilson", "Torvalds", "Ritchie",
    ]
    static let companies = ["Analytical Engines Ltd", "Compiler Works", "Structured Programs BV", "Packet Switching AG", "Kernel & Co"]

    /// A distinct, valid registration of the sample event for each number.
    static func registration(_ number: Int) -> [String: String] {
        [
            "source": "bench", "source_id": "BENCH-\(number)", "event_slug": "devcon-2026",
            "first_name": firstNames[number % firstNames.count], "last_name": lastNames[number % lastNames.count],
            "email": "bench-\(number)@example.org", "company": companies[number % companies.count],
            "ticket_type": "General Admission",
        ]
    }
}

/// Renders, in the bench process, the badge each matched request should have printed and
/// compares it with the label the simulator decoded: proof that the match by job id holds.
struct Verifier {
    let renderer: BadgeRenderer
    let event: EventConfiguration

    init(profile: PrinterProfile) throws {
        event = try Installation.event(nil)
        renderer = try BadgeRenderer(
            bundle: try Installation.bundle(Installation.templates.appending(path: "standard").path),
            dpi: profile.dpi, logger: Installation.quietLogger)
    }

    func check(_ jobs: [LoadRunner.Job], labels: [SimulatedLabel], labelBase: Int) throws -> (checked: Int, matching: Int) {
        var matching = 0
        for job in jobs {
            let index = labelBase + job.id - 1
            guard labels.indices.contains(index), labels[index].sequence == labelBase + job.id,
                let attendee = Intake(event: event).validate(jsonObject: job.registration, line: nil).attendee
            else { continue }
            let expected = try renderer.render(fields: BadgeFields.fields(for: attendee, event: event)).bitmap
            if labels[index].bitmap == expected { matching += 1 }
        }
        return (jobs.count, matching)
    }
}
