import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Printers
import Raster

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanyard-bench",
        abstract: "Measure rendering, encoding and batch throughput (build with -c release).",
        discussion: """
            1. render + ZPL encode of the standard 4x3 in badge at 300 dpi, timed per badge; \
            2. the size of that ZPL next to zebrafy's Z64 encoding of the same raster (needs Python \
            with zebrafy: $LANYARD_PYTHON or python3); 3. the 1,200-record fixture batch run as a \
            child process, for wall time and peak RSS; 4. sending that badge to a printer and polling \
            its status: by default a simulated printer on a loopback TCP port, or the printer named by \
            --printer (Benchmarks/usb-emulated.sh runs it against the emulated USB printer). \
            --agent measures `lanyard agent` instead: start to ready, memory, and request to printed badge; \
            --sync the verification of a published template bundle and publish-to-active latency; \
            --attendee-sync applying a 100,000-attendee snapshot and 1,000-change deltas in the store; \
            --camera reading QR codes from the kiosk camera's 640 x 480 frames; --fleet-scale a thousand \
            simulated kiosks against the registry on SQLite and on two PostgreSQL replicas (docs/benchmarks.md).
            """)

    @Option(help: "Timed render + encode iterations.")
    var iterations = 1000

    @Option(help: "Registrations for the batch measurement (default: the test fixture).")
    var batchInput: String?

    @Option(help: "Printer for the transport measurement (default: a simulator on a loopback TCP port).")
    var printer: String?

    @Option(help: "Profile of --printer (default: matched, or zebra-zd621d-300).")
    var printerProfile: String?

    @Flag(help: "Measure only the printer transport.")
    var printerOnly = false

    @OptionGroup(title: "Agent")
    var agent: AgentBenchOptions

    @OptionGroup(title: "Registry sync")
    var sync: SyncBenchOptions

    @OptionGroup(title: "Attendee sync")
    var attendeeSync: AttendeeSyncBenchOptions

    @OptionGroup(title: "Kiosk camera")
    var camera: CameraBenchOptions

    @OptionGroup(title: "Fleet scale")
    var fleetScale: FleetScaleBenchOptions

    func run() async throws {
        if fleetScale.enabled {
            try await withExitCodes { try await FleetScaleBench(options: fleetScale).run() }
            return
        }
        if sync.enabled {
            try await withExitCodes { try await SyncBench(options: sync).run() }
            return
        }
        if agent.enabled {
            try withExitCodes { try AgentBench(options: agent).run() }
            return
        }
        if attendeeSync.enabled {
            try withExitCodes { try AttendeeSyncBench(options: attendeeSync).run() }
            return
        }
        if camera.enabled {
            try withExitCodes { try CameraBench(options: camera).run() }
            return
        }
        if printerOnly {
            try await withExitCodes { try await measurePrinter(job: nil) }
            return
        }
        var badgeJob: [UInt8] = []
        try withExitCodes {
            let event = try Installation.event(nil)
            let profile = try Installation.profile("zebra-zd621d-300", directory: nil)
            let bundle = try Installation.bundle(Installation.templates.appending(path: "standard").path)
            let output = try BadgeWriter(bundle: bundle, profile: profile)
            var session = Intake(event: event).makeSession()
            let attendees = try session.acceptJSONLines(in: Installation.sampleAttendees).outcomes.compactMap(\.attendee)
            guard let attendee = attendees.first else { throw BenchError(.internal, "no sample attendee") }
            let fields = BadgeFields.fields(for: attendee, event: event)

            print("Lanyard bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(iterations) iterations\n")
            // 1. Render + encode.
            var render: [Double] = [], encode: [Double] = [], total: [Double] = []
            var zpl: [UInt8] = []
            var bitmap = Bitmap(width: 0, height: 0)
            for index in 0..<(iterations + 50) {
                let start = ContinuousClock.now
                let badge = try output.renderer.render(fields: fields)
                let rendered = ContinuousClock.now
                zpl = try output.encode(badge, as: .zpl).bytes
                let end = ContinuousClock.now
                bitmap = badge.bitmap
                guard index >= 50 else { continue }  // warm-up
                render.append((rendered - start).milliseconds)
                encode.append((end - rendered).milliseconds)
                total.append((end - start).milliseconds)
            }
            // The same, cycling through every sample attendee (names in 14 scripts, every tier).
            var mixed: [Double] = []
            let sampleFields = attendees.map { BadgeFields.fields(for: $0, event: event) }
            for index in 0..<(iterations + 50) {
                let start = ContinuousClock.now
                let badge = try output.renderer.render(fields: sampleFields[index % sampleFields.count])
                _ = try output.encode(badge, as: .zpl)
                if index >= 50 { mixed.append((ContinuousClock.now - start).milliseconds) }
            }
            print(
                TextTable.render(
                    header: ["standard 4x3 in @ 300 dpi (\(bitmap.width)x\(bitmap.height))", "p50 ms", "p95 ms", "min ms"],
                    rows: [
                        [
                            "render (cairo/Pango -> 1-bit)", Self.fmt(render.percentile(50)), Self.fmt(render.percentile(95)),
                            Self.fmt(render.min() ?? 0),
                        ],
                        ["ZPL encode", Self.fmt(encode.percentile(50)), Self.fmt(encode.percentile(95)), Self.fmt(encode.min() ?? 0)],
                        ["render + encode", Self.fmt(total.percentile(50)), Self.fmt(total.percentile(95)), Self.fmt(total.min() ?? 0)],
                        [
                            "render + encode, \(sampleFields.count) sample attendees in turn", Self.fmt(mixed.percentile(50)),
                            Self.fmt(mixed.percentile(95)), Self.fmt(mixed.min() ?? 0),
                        ],
                    ]))

            // 2. Size against zebrafy.
            print("")
            try compareWithZebrafy(bitmap: bitmap, zpl: zpl)

            // 3. Batch.
            print("")
            try measureBatch()
            badgeJob = zpl
        }
        // 4. Transport.
        print("")
        try await withExitCodes { try await measurePrinter(job: badgeJob) }
    }

    /// Job ready to last byte written, and a status poll, `iterations / 10` times each.
    private func measurePrinter(job: [UInt8]?) async throws {
        var arguments: [String] = []
        var server: SimulatorServer?
        if let printer {
            arguments = ["--printer", printer] + (printerProfile.map { ["--profile", $0] } ?? [])
        } else {
            let profile = try Installation.profile(printerProfile ?? "zebra-zd621d-300", directory: nil)
            let started = try SimulatorServer(simulator: try PrinterSimulator(profile: profile))
            server = started
            arguments = ["--printer", "tcp://127.0.0.1:\(started.port)", "--profile", profile.id]
        }
        defer { server?.stop() }
        let connected = try await ConnectedPrinter.open(
            address: arguments[1], profile: arguments[3], profilesDirectory: nil,
            simulatorOutput: FileManager.default.temporaryDirectory.appending(path: "lanyard-bench-sim"), timeout: .seconds(10))
        let bytes: [UInt8]
        if let job {
            bytes = job
        } else {
            let output = try BadgeWriter(
                bundle: try Installation.bundle(Installation.templates.appending(path: "standard").path),
                profile: connected.profile)
            let event = try Installation.event(nil)
            var session = Intake(event: event).makeSession()
            guard let attendee = try session.acceptJSONLines(in: Installation.sampleAttendees).outcomes.compactMap(\.attendee).first else {
                throw BenchError(.internal, "no sample attendee")
            }
            bytes = try output.encode(
                try output.renderer.render(fields: BadgeFields.fields(for: attendee, event: event)),
                as: connected.client.language == .epl ? .epl : .zpl
            ).bytes
        }
        let rounds = max(20, iterations / 10)
        var sends: [Double] = [], polls: [Double] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try await connected.client.send(job: bytes, timeout: .seconds(10))
            sends.append((ContinuousClock.now - start).milliseconds)
            // The first poll after a job also waits while the printer takes the job in.
            _ = try await connected.client.status()
        }
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            _ = try await connected.client.status()
            polls.append((ContinuousClock.now - start).milliseconds)
        }
        await connected.close()
        print(
            TextTable.render(
                header: ["\(connected.name): \(bytes.count)-byte badge job, \(rounds) rounds", "p50 ms", "p95 ms", "min ms"],
                rows: [
                    [
                        "job ready -> last byte written", Self.fmt(sends.percentile(50)), Self.fmt(sends.percentile(95)),
                        Self.fmt(sends.min() ?? 0),
                    ],
                    [
                        "status poll of an idle printer (\(StatusPoll(language: connected.client.language, profile: connected.profile).queries.map(\.rawValue).joined(separator: " + ")))",
                        Self.fmt(polls.percentile(50)), Self.fmt(polls.percentile(95)), Self.fmt(polls.min() ?? 0),
                    ],
                ]))
    }

    private func compareWithZebrafy(bitmap: Bitmap, zpl: [UInt8]) throws {
        let temp = FileManager.default.temporaryDirectory.appending(path: "lanyard-bench-\(getpid())")
        try Files.makeDirectory(temp)
        defer { try? FileManager.default.removeItem(at: temp) }
        let png = temp.appending(path: "badge.png"), report = temp.appending(path: "zebrafy.json")
        try Files.write(try bitmap.png(), to: png)
        let script = Installation.home.appending(path: "Benchmarks/zebrafy_reference.py")
        let python = ProcessInfo.processInfo.environment["LANYARD_PYTHON"] ?? "python3"
        let status = try Self.runProcess(python, [script.path, png.path], stdout: report)
        guard status == 0, let data = try? Data(contentsOf: report),
            let theirs = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let theirBytes = theirs["job_bytes"] as? Int
        else {
            print("zebrafy comparison skipped: \(python) could not run zebrafy and zplkit (install them with 'make tools')")
            return
        }
        let ours = try ZPLGraphicDecoder.decodeLabel(zpl)
        print(
            TextTable.render(
                header: ["ZPL for the same raster", "bytes", "largest ^GF field", "same raster"],
                rows: [
                    [
                        "lanyard (settings + ^GFA stripes, Z64 or ACS)", "\(zpl.count)",
                        "\(bitmap.bytesPerRow * ((bitmap.height + 1) / 2))",
                        "\(ours == bitmap)",
                    ],
                    [
                        "zebrafy Z64 (complete_zpl)", "\(theirBytes)", "\(theirs["largest_field_bytes"] ?? "?")",
                        (theirs["matches_raster"] as? Bool).map { "\($0)" } ?? "?",
                    ],
                ]))
        print(
            "lanyard / zebrafy = \(String(format: "%.3f", Double(zpl.count) / Double(theirBytes)))  "
                + "(ZPL allows at most 99,999 bytes in one ^GF field)")
    }

    private func measureBatch() throws {
        let input = batchInput ?? Installation.home.appending(path: "Tests/BadgesTests/Fixtures/registrations.jsonl").path
        let out = FileManager.default.temporaryDirectory.appending(path: "lanyard-bench-batch-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        let executable = try AgentBench.executable().path
        let start = ContinuousClock.now
        let status = try Self.runProcess(
            executable,
            [
                "batch", "--template", Installation.templates.appending(path: "standard").path, "--attendees", input,
                "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", out.path,
            ], quiet: true)
        let seconds = (ContinuousClock.now - start).seconds
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".zpl") }.count) ?? 0
        print(
            TextTable.render(
                header: ["batch: \(URL(filePath: input).lastPathComponent) -> standard ZPL @ 300 dpi", "value"],
                rows: [
                    ["exit status", "\(status)"],
                    ["badges written", "\(files)"],
                    ["wall time", "\(Self.fmt(seconds)) s"],
                    ["peak RSS of the batch process", "\(usage.ru_maxrss / 1024) MB"],
                ]))
    }

    @discardableResult
    static func runProcess(_ path: String, _ arguments: [String], quiet: Bool = false, stdout: URL? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(filePath: path.contains("/") ? path : "/usr/bin/env")
        process.arguments = path.contains("/") ? arguments : [path] + arguments
        if quiet { process.standardOutput = FileHandle.nullDevice }
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: stdout.path)
        }
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func fmt(_ value: Double) -> String { String(format: value < 10 ? "%.3f" : "%.1f", value) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

extension Array where Element == Double {
    /// Nearest-rank percentile.
    func percentile(_ p: Double) -> Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}
