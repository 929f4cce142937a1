import ArgumentParser
import BadgePipeline
import Foundation
import LanyardSupport
import Printers

struct PrinterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer",
        abstract: "Read, set up and calibrate one printer (for technicians).",
        subcommands: [
            PrinterStatusCommand.self, PrinterApplyCommand.self, PrinterSaveSettingsCommand.self,
            PrinterCalibrateMediaCommand.self, PrinterConfigLabelCommand.self, PrinterLadderCommand.self,
            PrinterTuneCommand.self, PrinterTestCommand.self,
        ])
}

/// Runs `body` with an open printer, closing it afterwards whatever happens.
func withPrinter(_ target: PrinterTargetOptions, _ body: (ConnectedPrinter) async throws -> Void) async throws {
    let printer = try await target.connect()
    for note in printer.notes { Terminal.warning(note) }
    do {
        try await body(printer)
    } catch {
        await printer.close()
        throw error
    }
    await printer.close()
}

struct PrinterStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the printer reports: ready, paused, paper out, head open, ...",
        discussion: "Exit code 0 when the printer is ready, 75 when it is not, 69 when it cannot be reached.")

    @OptionGroup var target: PrinterTargetOptions

    @Flag(help: "Keep polling and print a line whenever the state changes (Ctrl-C to stop).")
    var watch = false

    @Option(help: "Seconds between polls with --watch.")
    var interval: Double = 2

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await withExitCodes {
            if watch { try await watchStatus() }
            try await withPrinter(target) { printer in
                let identification = try await printer.client.identification()
                let reading = try await printer.client.status()
                report(reading, printer: printer, identification: identification)
                if !reading.status.isReady { throw ExitCode(CLIError.Exit.printerNotReady.rawValue) }
            }
        }
    }

    /// Polls until interrupted. A printer that goes away is reported (unplugged for USB,
    /// unknown for the rest) and watched for: when it comes back, by the same serial number or
    /// address, polling resumes.
    private func watchStatus() async throws {
        var target = self.target
        var last: PrinterStatus?
        let pause = Duration.milliseconds(Int(max(0.2, interval) * 1000))
        while true {
            do {
                let printer = try await target.connect()
                // Stay with this printer: a re-plugged USB printer must not turn into the simulator.
                let usb = printer.client.connection as? USBPrinterConnection
                target.printer = (usb?.info.printerAddress ?? printer.client.connection.address).description
                for note in printer.notes where last == nil { Terminal.warning(note) }
                let identification = try await printer.client.identification()
                do {
                    while true {
                        let reading = try await printer.client.status()
                        if reading.status != last {
                            report(reading, printer: printer, identification: identification)
                            last = reading.status
                        }
                        try await Task.sleep(for: pause)
                    }
                } catch {
                    await printer.close()
                    throw error
                }
            } catch let error as TransportError where [.disconnected, .notFound, .timeout, .busy].contains(error.code) {
                let gone: PrinterStatus = target.printer?.hasPrefix("usb") == true ? .unplugged : .unknown
                if gone != last {
                    let name = target.printer ?? "printer"
                    report(
                        StatusReading(status: gone, answered: [], problems: []), name: name, key: name, profile: target.profile ?? "",
                        language: "", identification: nil)
                    Terminal.warning("\(name): \(error.message); waiting for it to come back")
                    last = gone
                }
                try await Task.sleep(for: pause)
            }
        }
    }

    private func report(_ reading: StatusReading, printer: ConnectedPrinter, identification: PrinterIdentification?) {
        report(
            reading, name: printer.name, key: printer.key, profile: printer.profile.id,
            language: printer.client.language.rawValue, identification: identification)
    }

    private func report(
        _ reading: StatusReading, name: String, key: String, profile: String, language: String,
        identification: PrinterIdentification?
    ) {
        let status = reading.status
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let report = PrinterStatusReport(
                reading, name: name, key: key, profile: profile, language: language, identification: identification)
            if let data = try? encoder.encode(report) { say(String(decoding: data, as: UTF8.self)) }
            return
        }
        var line =
            "\(name)" + (profile.isEmpty ? "" : " [\(profile)" + (language.isEmpty ? "" : ", \(language.uppercased())") + "]") + ": "
            + status.sortedConditions.map(\.rawValue).joined(separator: ", ")
        if let formats = status.formatsInBuffer { line += "; \(formats) format(s) in buffer" }
        if let identification { line += "; \(identification.model) \(identification.firmware)" }
        say(line)
        for error in status.errors { say("  error: \(error)") }
        for warning in status.warnings { say("  warning: \(warning)") }
        for problem in reading.problems { say("  note: \(problem.message)") }
    }
}

/// Sends a control command built for the connected printer.
private func sendControl(
    _ target: PrinterTargetOptions, requireReady: Bool = false,
    _ build: (ConnectedPrinter) throws -> ControlCommand
) async throws {
    try await withExitCodes {
        try await withPrinter(target) { printer in
            let command = try build(printer)
            for warning in command.warnings { Terminal.warning(warning.description) }
            if requireReady { try await printer.ensureReady() }
            try await printer.client.send(command, timeout: target.timeoutDuration)
            print("\(command.action.rawValue): sent \(command.bytes.count) bytes to \(printer.name)")
        }
    }
}

struct PrinterApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Send the profile's settings (and the stored tuning) to the printer, without saving them in it.",
        discussion: "The printer keeps them until it is switched off; 'lanyard printer save-settings' makes them permanent.")

    @OptionGroup var target: PrinterTargetOptions

    @Option(help: "Darkness on the ZPL scale 0-30 (clamped to the printer's range).")
    var darkness: Int?

    @Option(help: "Print speed in inches per second (clamped to the printer's range).")
    var speed: Int?

    @Option(help: "Label length in dots (default: 3 in, the sample templates' stock).")
    var lengthDots: Int?

    func run() async throws {
        try await sendControl(target) { printer in
            let (overrides, _) = effectiveOverrides(for: printer, darkness: darkness, speed: speed)
            return try PrinterControl.applySettings(
                profile: printer.profile, language: printer.client.language, labelWidthDots: printer.profile.maxPrintWidthDots,
                labelLengthDots: lengthDots ?? printer.profile.dpi * 3, overrides: overrides)
        }
    }
}

struct PrinterSaveSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save-settings",
        abstract: "Save the printer's current settings in its memory (^JUS), so they survive a power cycle.")

    @OptionGroup var target: PrinterTargetOptions

    func run() async throws {
        try await sendControl(target) { printer in try PrinterControl.saveSettings(language: printer.client.language) }
    }
}

struct PrinterCalibrateMediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate-media",
        abstract: "Make the printer measure its labels and gaps (~JC; EPL xa). It feeds a few labels.")

    @OptionGroup var target: PrinterTargetOptions

    func run() async throws {
        try await sendControl(target, requireReady: true) { printer in
            try PrinterControl.calibrateMedia(language: printer.client.language, mediaTracking: printer.profile.mediaTracking)
        }
    }
}

struct PrinterConfigLabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-label",
        abstract: "Print the printer's own configuration label (~WC; EPL U).")

    @OptionGroup var target: PrinterTargetOptions

    func run() async throws {
        try await sendControl(target, requireReady: true) { printer in
            PrinterControl.printConfigurationLabel(language: printer.client.language)
        }
    }
}
