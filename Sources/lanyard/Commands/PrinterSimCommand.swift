import Agent
import ArgumentParser
import BadgePipeline
import Foundation
import LanyardSupport
import Printers

/// A simulator state as typed: `ready`, `paper-out`, `head-open`, `paused`,
/// `slow:BYTES_PER_SECOND`, `drop:AFTER_BYTES`.
struct SimulatorModeName: ExpressibleByArgument {
    let mode: SimulatorMode

    init(mode: SimulatorMode) { self.mode = mode }

    init?(argument: String) {
        guard let mode = SimulatorMode(name: argument) else { return nil }
        self.mode = mode
    }

    /// The mode as it is written on the command line (for `--help`).
    var defaultValueDescription: String { mode.name }
}

/// Writes a line at once: the simulator's output is read by scripts through a pipe, where
/// `print` would hold it in a buffer.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct PrinterSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer-sim",
        abstract: "Run a simulated network printer that speaks raw TCP like a ZPL or EPL printer.",
        discussion: """
            It accepts jobs, decodes their graphics (^GF hex, ACS and Z64 with its CRC; EPL GW) into \
            numbered PNG files in --out, and answers ~HS, ~HQES, ~HI and EPL ^ee as the printer in \
            --profile would. Its state can be changed while it runs by typing a mode on its standard \
            input, or by sending a line to the --control port (e.g. 'echo paper-out | nc 127.0.0.1 9101'): \
            ready, paper-out, head-open, paused, slow:BYTES_PER_SECOND, drop:AFTER_BYTES. In paper out, \
            head open and paused it holds labels and stays silent to ~HS as real printers do.
            """)

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen = "127.0.0.1:9100"

    @Option(help: "Printer profile to act as.")
    var profile = "zebra-zd621d-300"

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "Printer language, when the profile speaks more than one (zpl or epl).")
    var language: String?

    @Option(help: "Where printed labels go, as PNG files.")
    var out = "out/sim"

    @Option(help: "Initial state: ready, paper-out, head-open, paused, slow:BYTES_PER_SECOND, drop:AFTER_BYTES.")
    var mode = SimulatorModeName(mode: .ready)

    @Option(help: "HOST:PORT of a line-based control port for changing the state from scripts.")
    var control: String?

    func run() async throws {
        try await withExitCodes {
            let profile = try Installation.profile(profile, directory: profilesDir)
            let language = try language.map { name throws -> PrinterLanguage in
                guard let language = PrinterLanguage(rawValue: name.lowercased()), profile.supports(language) else {
                    throw CLIError(
                        .usage, "--language \(name): \(profile.id) speaks \(profile.languages.map(\.rawValue).joined(separator: ", "))")
                }
                return language
            }
            try Files.makeDirectory(URL(filePath: out, directoryHint: .isDirectory))
            let simulator = try PrinterSimulator(profile: profile, language: language, outputDirectory: out)
            try simulator.setMode(mode.mode)
            let (host, port) = try Self.hostAndPort(listen)
            let server = try SimulatorServer(simulator: simulator, host: host, port: port)
            var controlServer: SimulatorControlServer?
            var controlHost = ""
            if let control {
                let (host, controlPort) = try Self.hostAndPort(control)
                controlHost = host
                controlServer = try SimulatorControlServer(host: host, port: controlPort, simulator: simulator)
            }
            say(
                "simulated \(profile.model) (\(simulator.language.rawValue.uppercased()), \(profile.dpi) dpi) listening on "
                    + "\(host):\(server.port), labels to \(out), state \(simulator.mode)"
                    + (controlServer.map { ", control on \(controlHost):\($0.port)" } ?? ""))
            // Standard input takes the same mode names; the server runs until interrupted.
            while let line = readLine() {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                say(SimulatorControlServer.apply(text, to: simulator))
            }
            // Input closed (a service, or `< /dev/null`): keep serving until killed.
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// `HOST:PORT` as the agent's `listen` reads it; a malformed one is a usage error here.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        do { return try ListenAddress.hostAndPort(text) } catch {
            throw CLIError(.usage, "\(text): expected HOST:PORT")
        }
    }
}
