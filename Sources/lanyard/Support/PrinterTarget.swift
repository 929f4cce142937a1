import ArgumentParser
import Foundation
import Printers

/// The options every command that talks to a printer takes.
struct PrinterTargetOptions: ParsableArguments {
    @Option(help: """
        The printer: usb, usb:SERIAL, tcp://HOST[:PORT], file:PATH or sim. \
        Default: the one USB printer attached, else the built-in simulator.
        """)
    var printer: String?

    @Option(help: "Printer profile id or YAML file. Default: matched from a USB printer's ids; tcp and file printers need one.")
    var profile: String?

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "Where the built-in simulator keeps the labels it prints, as PNG files.")
    var simOut: String = "out/sim"

    @Option(help: "Seconds a printer may take to accept a job or answer.")
    var timeout: Double = 10

    var timeoutDuration: Duration { .milliseconds(Int(max(0.1, timeout) * 1000)) }

    /// Opens the printer and settles its profile and language (see `PrinterResolver`).
    func connect() async throws -> ConnectedPrinter {
        var resolver = PrinterResolver(address: try printer.map(PrinterAddress.init(parsing:)), profile: profile,
                                       library: try ProfileLibrary.load(directory: profilesDir ?? Resources.profiles.path),
                                       simulatorOutput: URL(filePath: simOut, directoryHint: .isDirectory))
        resolver.timeout = timeoutDuration
        let resolved: ResolvedPrinter, client: PrinterClient
        do {
            (resolved, client) = try await resolver.connect()
        } catch let error as PrintersError {
            // The resolver names what is missing; the command line says which option gives it.
            let option = switch error.code {
            case .profileRequired, .profileUnmatched: " with --profile (see 'lanyard profiles list')"
            case .printerAmbiguous: " with --printer"
            default: ""
            }
            throw CLIError(CLIError(from: error).exit, error.message + option)
        }
        return ConnectedPrinter(client: client, key: resolved.key, name: resolved.name, notes: resolved.notes,
                                simulator: resolved.simulator)
    }
}

/// An open printer, ready for commands.
struct ConnectedPrinter {
    let client: PrinterClient
    /// What per-printer state (tuning) is stored under: the USB serial number, or the address.
    let key: String
    /// For messages: model and address.
    let name: String
    /// Things the user should know (fell back to the simulator, language mismatch).
    let notes: [String]
    /// The in-process simulator behind `sim`, to wait for its labels before the command ends.
    let simulator: PrinterSimulator?

    var profile: PrinterProfile { client.profile }

    /// Fails with exit code 75 unless the printer reports that it can print; a printer whose
    /// state cannot be read (a device file) is trusted, with a warning.
    func requireReady() async throws {
        let reading = try await client.status()
        if reading.status.isReady { return }
        if reading.status.conditions == [.unknown], !client.connection.canRead {
            Terminal.warning("\(name): cannot read the printer's state; sending anyway")
            return
        }
        let what = reading.status.sortedConditions.map(\.rawValue).joined(separator: ", ")
        let details = (reading.status.errors + reading.status.warnings).joined(separator: "; ")
        throw CLIError(.printerNotReady, "\(name) is not ready: \(what)\(details.isEmpty ? "" : " (\(details))")")
    }

    /// For the simulator: waits until it has printed `count` labels (they are decoded on arrival).
    func waitForSimulatedLabels(_ count: Int) async -> [SimulatedLabel] {
        guard let simulator else { return [] }
        return await simulator.waitForLabels(count: count, timeout: .seconds(30))
    }

    func close() async { await client.close() }
}

/// A value for JSONSerialization, which takes NSNull for a missing one, not Optional.none.
func nullable<T>(_ value: T?) -> Any { value.map { $0 as Any } ?? NSNull() }
