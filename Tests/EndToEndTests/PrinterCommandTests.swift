import Foundation
import Glibc
import Testing

/// The printer commands as a technician runs them, against the built-in simulator and against
/// `lanyard printer-sim` over TCP: what reaches the printer, refusals in the states that stop a
/// printer, and tuning that is stored and applied.
@Suite(.serialized) final class PrinterCommandTests {
    let state: URL

    init() throws { state = try temporaryDirectory() }

    deinit { try? FileManager.default.removeItem(at: state) }

    /// Runs `lanyard` with a private state directory, so tuning never leaks between tests.
    func lanyard(_ arguments: [String]) throws -> LanyardRun {
        try runLanyard(arguments, environment: ["LANYARD_STATE_DIR": state.path])
    }

    func pngs(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }

    static let attendee = "Templates/sample-attendees.jsonl"

    @Test func aBadgePrintedOnTheSimulatorIsTheRenderedRaster() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let printed = try lanyard([
            "print", "--attendee", Self.attendee, "--record", "4", "--printer", "sim",
            "--sim-out", directory.appending(path: "sim").path,
        ])
        #expect(printed.status == 0, "\(printed.stderr)")
        let rendered = directory.appending(path: "badge.png")
        let render = try lanyard([
            "render", "--template", "Templates/standard", "--attendee", Self.attendee, "--record", "4",
            "--profile", "zebra-zd621d-300", "--format", "png", "--out", rendered.path,
        ])
        #expect(render.status == 0, "\(render.stderr)")
        let label = directory.appending(path: "sim/label-000001.png")
        #expect(try Data(contentsOf: label) == Data(contentsOf: rendered), "the printer must receive the raster that was rendered")
    }

    @Test func tuningIsStoredPerPrinterAndAppliedToLaterBadges() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sim = ["--printer", "sim", "--sim-out", directory.path]
        let tune = try lanyard(["printer", "tune", "--darkness", "24", "--reason", "faded QR on glossy stock"] + sim)
        #expect(tune.status == 0, "\(tune.stderr)")
        let clamped = try lanyard(["printer", "tune", "--speed", "40", "--reason", "too fast"] + sim)
        #expect(clamped.status == 0 && clamped.stderr.contains("outside"), "out-of-range speed is clamped with a warning")
        let history = try lanyard(["printer", "tune", "--history"] + sim)
        #expect(history.stdout.contains("faded QR on glossy stock") && history.stdout.contains("too fast"))
        let test = try lanyard(["printer", "test"] + sim)
        #expect(test.status == 0, "\(test.stderr)")
        #expect(test.stdout.contains("darkness 24, 6 ips"), "\(test.stdout)")
        let refused = try lanyard(["printer", "tune"] + sim)
        #expect(refused.status == 64)
    }

    @Test func theLadderPrintsOneLabelledCellPerSettingWithCodesThatScan() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ladder = try lanyard([
            "printer", "ladder", "--printer", "sim", "--sim-out", directory.path,
            "--darkness", "12", "22", "--speeds", "2", "5",
        ])
        #expect(ladder.status == 0, "\(ladder.stderr)")
        let labels = pngs(in: directory)
        #expect(labels.count == 4)
        guard CrossCheck.enabled, labels.count == 4 else { return }
        let results = try CrossCheck.check(labels.map { ["id": $0, "kind": "decode", "png": directory.appending(path: $0).path] })
        var seen: Set<String> = []
        for (_, result) in results {
            for symbol in (result["symbols"] as? [[String: Any]]) ?? [] { seen.insert(symbol["text"] as? String ?? "") }
        }
        for (darkness, speed) in [(12, 2), (22, 2), (12, 5), (22, 5)] {
            #expect(seen.contains("LADDER-D\(darkness)-S\(speed)"), "Code 128 of cell D\(darkness) S\(speed)")
            #expect(seen.contains("lanyard-ladder|D\(darkness)|S\(speed)|Psim"), "QR of cell D\(darkness) S\(speed), naming the printer")
        }
    }

    @Test func theNetworkSimulatorHoldsBadgesWhileOutOfPaper() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try SimulatorProcess(out: directory)
        defer { simulator.stop() }
        let target = ["--printer", "tcp://127.0.0.1:\(simulator.port)", "--profile", "zebra-zd621d-300"]

        let ready = try lanyard(["printer", "status"] + target)
        #expect(ready.status == 0 && ready.stdout.contains("ready"), "\(ready.stdout) \(ready.stderr)")

        #expect(try simulator.control("paper-out").hasPrefix("ok"))
        let out = try lanyard(["printer", "status", "--json"] + target)
        #expect(out.status == 75)
        let status = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(status?["conditions"] as? [String] == ["paper_out"])
        let refused = try lanyard(["print", "--attendee", Self.attendee, "--record", "2"] + target)
        #expect(refused.status == 75 && refused.stderr.contains("paper_out"), "\(refused.stderr)")
        #expect(pngs(in: directory).isEmpty, "nothing may print while the paper is out")

        #expect(try simulator.control("ready").hasPrefix("ok"))
        let printed = try lanyard(["print", "--attendee", Self.attendee, "--record", "2"] + target)
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(try simulator.control("status").contains("1 label(s) printed"))
        #expect(pngs(in: directory) == ["label-000001.png"])
        #expect(try simulator.control("sideways").hasPrefix("error"))
    }

    /// `status --watch` reports each change, reports a printer that went away, and picks it up
    /// again when it is back on the same address.
    @Test func watchingFollowsTheStateAndAPrinterThatComesBack() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var simulator = try SimulatorProcess(out: directory)
        let port = simulator.port
        let log = directory.appending(path: "watch.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let watcher = Process()
        let executable = try #require(CommandLineTests.executable)
        watcher.executableURL = executable
        watcher.arguments = [
            "printer", "status", "--watch", "--interval", "0.2", "--printer", "tcp://127.0.0.1:\(port)",
            "--profile", "zebra-zd621d-300",
        ]
        watcher.currentDirectoryURL = repositoryRoot
        watcher.standardOutput = FileHandle(forWritingAtPath: log.path)
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer {
            watcher.terminate()
            watcher.waitUntilExit()
            simulator.stop()
        }
        /// Waits (bounded, so a broken watcher fails instead of hanging) for the log's `count`-th line with `text`.
        func waitFor(_ text: String, count: Int = 1) -> Bool {
            for _ in 0..<300 {
                let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
                if lines.filter({ $0.contains(text) }).count >= count { return true }
                usleep(100_000)
            }
            return false
        }
        #expect(waitFor(": ready"))
        _ = try simulator.control("head-open")
        #expect(waitFor(": head_open"))
        _ = try simulator.control("ready")
        #expect(waitFor(": ready", count: 2))
        simulator.stop()
        #expect(waitFor(": unknown"), "a printer that went away is reported")
        simulator = try SimulatorProcess(out: directory, listenPort: port)
        #expect(waitFor(": ready", count: 3), "and picked up again when it is back")
    }

    /// Without `--profile` a network printer is asked `~HI`: the simulator's answer names its
    /// profile, and the command says where the profile came from. One in EPL does not answer, and
    /// the command asks for `--profile`.
    @Test func aNetworkPrinterWithoutAProfileIsIdentifiedByItsHI() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zpl = try SimulatorProcess(out: directory, options: ["--profile", "zebra-zd421d-203"])
        defer { zpl.stop() }
        let status = try lanyard(["printer", "status", "--printer", "tcp://127.0.0.1:\(zpl.port)"])
        #expect(status.status == 0 && status.stdout.contains("ready"), "\(status.stdout) \(status.stderr)")
        #expect(status.stderr.contains("profile zebra-zd421d-203 chosen from the printer's ~HI answer: ZD421-203dpi"), "\(status.stderr)")

        let epl = try SimulatorProcess(out: directory, options: ["--profile", "zebra-gk420d-203", "--language", "epl"])
        defer { epl.stop() }
        let silent = try lanyard(["printer", "status", "--printer", "tcp://127.0.0.1:\(epl.port)", "--timeout", "0.5"])
        #expect(silent.status == 64, "\(silent.stderr)")
        #expect(silent.stderr.contains("did not answer ~HI") && silent.stderr.contains("with --profile"), "\(silent.stderr)")
    }

    @Test func unreachableAndMisnamedPrintersAreClearErrors() throws {
        let refused = try lanyard(["printer", "status", "--printer", "tcp://127.0.0.1:1", "--profile", "zebra-zd621d-300"])
        #expect(refused.status == 69 && refused.stderr.contains("transport.not_found"), "\(refused.stderr)")
        let noProfile = try lanyard(["printer", "status", "--printer", "file:/dev/null"])
        #expect(noProfile.status == 64 && noProfile.stderr.contains("--profile"), "\(noProfile.stderr)")
        let badAddress = try lanyard(["printer", "status", "--printer", "lpt1"])
        #expect(badAddress.status == 64 && badAddress.stderr.contains("transport.invalid_address"))
        let missingUSB = try lanyard(["printer", "status", "--printer", "usb:NO-SUCH-SERIAL"])
        #expect(missingUSB.status == 69, "\(missingUSB.stderr)")
    }
}

/// `lanyard printer-sim` in the background, on ephemeral ports, with its control port.
final class SimulatorProcess {
    let process = Process()
    let port: Int
    let controlPort: Int

    /// `options` go to `printer-sim` as they are (`--profile`, `--language`).
    init(out: URL, listenPort: Int = 0, options: [String] = []) throws {
        let executable = try #require(CommandLineTests.executable)
        let output = Pipe()
        process.executableURL = executable
        process.arguments =
            ["printer-sim", "--listen", "127.0.0.1:\(listenPort)", "--control", "127.0.0.1:0", "--out", out.path] + options
        process.currentDirectoryURL = repositoryRoot
        process.standardInput = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line names both ports.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        func number(after marker: String) -> Int? {
            guard let range = text.range(of: marker) else { return nil }
            let rest = text[range.upperBound...]
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
        }
        port = try #require(number(after: "listening on "), "printer-sim said: \(text)")
        controlPort = try #require(number(after: "control on "), "printer-sim said: \(text)")
    }

    /// Sends one line to the control port and returns the reply.
    func control(_ line: String) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(controlPort).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "cannot reach the control port")
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !reply.contains(0x0A) {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return String(decoding: reply, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
