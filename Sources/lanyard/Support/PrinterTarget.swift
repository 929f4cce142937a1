import ArgumentParser
import BadgePipeline
import Foundation
import LanyardSupport
import Printers

/// The options every command that talks to a printer takes.
struct PrinterTargetOptions: ParsableArguments {
    @Option(
        help: """
            The printer: usb, usb:SERIAL, tcp://HOST[:PORT], file:PATH or sim. \
            Default: the one USB printer attached, else the built-in simulator.
            """)
    var printer: String?

    @Option(help: "Printer profile id or YAML file. Default: matched from USB ids or a tcp printer's ~HI answer; file printers need one.")
    var profile: String?

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "Where the built-in simulator keeps the labels it prints, as PNG files.")
    var simOut: String = "out/sim"

    @Option(help: "Seconds a printer may take to accept a job or answer.")
    var timeout: Double = 10

    var timeoutDuration: Duration { .milliseconds(Int(max(0.1, timeout) * 1000)) }

    /// Opens the printer and settles its profile and language (`ConnectedPrinter.open`).
    func connect() async throws -> ConnectedPrinter {
        do {
            return try await ConnectedPrinter.open(
                address: printer, profile: profile, profilesDirectory: profilesDir,
                simulatorOutput: URL(filePath: simOut, directoryHint: .isDirectory),
                timeout: timeoutDuration)
        } catch let error as PrintersError {
            // The resolver names what is missing; the command line says which option gives it.
            let option =
                switch error.code {
                case .profileRequired, .profileUnmatched: " with --profile (see 'lanyard profiles list')"
                case .printerAmbiguous: " with --printer"
                default: ""
                }
            throw CLIError(CLIError(from: error).exit, error.message + option)
        }
    }
}
