import Agent
import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Printers
import Store

struct PrinterLadderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ladder",
        abstract: "Print a darkness x speed test ladder: one labelled cell per setting.",
        discussion: """
            Each cell is a label printed at its own darkness and speed (a printer applies those per \
            label), showing its settings, a solid block, hairlines, small text, a Code 128 and a QR \
            code of known data. Pick the lightest cell whose codes scan and lines are whole, then store \
            it with 'lanyard printer tune'. Default: five darkness steps around the profile's default \
            at the profile's lowest, default and highest speed.
            """)

    @OptionGroup var target: PrinterTargetOptions

    @Option(parsing: .upToNextOption, help: "Darkness values (ZPL scale 0-30).")
    var darkness: [Int] = []

    @Option(parsing: .upToNextOption, help: "Speeds in inches per second.")
    var speeds: [Int] = []

    @Option(help: "Ladder cell template (default: the bundled calibration-ladder).")
    var template: String?

    func run() async throws {
        try await withExitCodes {
            let bundle = try Installation.bundle(template ?? Installation.templates.appending(path: "calibration-ladder").path)
            try await withPrinter(target) { printer in
                let defaults = LadderCode.defaultSteps(for: printer.profile)
                let darknessSteps = darkness.isEmpty ? defaults.darkness : darkness
                let speedSteps = speeds.isEmpty ? defaults.speeds : speeds
                let cells = darknessSteps.count * speedSteps.count
                guard cells <= 60 else { throw CLIError(.usage, "\(cells) cells is too long a ladder; at most 60") }
                print("ladder: \(darknessSteps.count) darkness x \(speedSteps.count) speed steps = \(cells) labels on \(printer.name)")
                try await printer.ensureReady()
                var number = 0
                for speed in speedSteps {
                    for level in darknessSteps {
                        number += 1
                        let code = LadderCode(darkness: level, speedIPS: speed, printerKey: printer.key)
                        let fields = [
                            "darkness": "\(level)", "speed": "\(speed)", "cell": "\(number)", "cells": "\(cells)",
                            "printer": printer.key, "code": code.caption, "payload": code.payload,
                        ]
                        let (label, _) = try printerJob(
                            template: bundle, fields: fields, printer: printer,
                            overrides: JobOverrides(darkness: level, speedIPS: speed))
                        try await printer.client.send(job: label.bytes, timeout: target.timeoutDuration)
                        print(
                            "  cell \(number): darkness \(label.settings.darkness), \(label.settings.speedIPS) ips, \(label.bytes.count) bytes"
                        )
                    }
                }
                if printer.simulator != nil {
                    let printed = await printer.waitForSimulatedLabels(cells)
                    print("simulator printed \(printed.count) labels in \(target.simOut)")
                }
            }
        }
    }
}

struct PrinterTuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Store a darkness and speed for this printer (by serial number) and apply them now.",
        discussion: """
            Every badge for this printer then uses them. Each change is kept with its time and reason: \
            '--history' lists them. Values outside the model's range are clamped, with a warning.
            """)

    @OptionGroup var target: PrinterTargetOptions

    @Option(help: "Darkness on the ZPL scale 0-30.")
    var darkness: Int?

    @Option(help: "Print speed in inches per second.")
    var speed: Int?

    @Option(help: "Why (kept in the history): 'faded QR on glossy stock'.")
    var reason: String?

    @Option(help: "Who tunes, for the audit trail: a technician id, not a name.")
    var actor = "technician"

    @Flag(help: "List the printer's tuning history instead of changing it.")
    var history = false

    @Option(
        help: """
            The agent's data directory, where the tuning is kept (default: $LANYARD_STATE_DIR, else \
            /var/lib/lanyard when writable, else ~/.local/state/lanyard).
            """)
    var data: String?

    func validate() throws {
        if !history, darkness == nil, speed == nil {
            throw ValidationError("give --darkness, --speed or both (or --history)")
        }
    }

    func run() async throws {
        try await withExitCodes {
            try await withPrinter(target) { printer in
                let store = try StateDirectory.openStore(data)
                if history {
                    let changes = try store.tuningHistory(printerKey: printer.key)
                    if changes.isEmpty { print("\(printer.name): never tuned; the profile's defaults apply") }
                    let formatter = ISO8601DateFormatter()
                    for change in changes {
                        print(
                            "\(formatter.string(from: change.recordedAt))  darkness \(change.darkness.map(String.init) ?? "-")"
                                + "  speed \(change.speedIPS.map(String.init) ?? "-")  \(change.reason ?? "")")
                    }
                    return
                }
                StateDirectory.noAgentWarning(on: URL(filePath: store.path).deletingLastPathComponent(), what: "the tuning").map(
                    Terminal.warning)
                // Clamp to the model first, so the stored values are the ones the printer runs at.
                let check = try PrinterControl.applySettings(
                    profile: printer.profile, language: printer.client.language, labelLengthDots: printer.profile.dpi * 3,
                    overrides: JobOverrides(darkness: darkness, speedIPS: speed))
                for warning in check.warnings { Terminal.warning(warning.description) }
                let tuning = try store.recordTuning(
                    printerKey: printer.key, profileID: printer.profile.id,
                    darkness: darkness.map { _ in check.settings?.darkness ?? 0 },
                    speedIPS: speed.map { _ in check.settings?.speedIPS ?? 0 },
                    reason: reason, actor: actor)
                let apply = try PrinterControl.applySettings(
                    profile: printer.profile, language: printer.client.language, labelLengthDots: printer.profile.dpi * 3,
                    overrides: JobOverrides(darkness: tuning.darkness, speedIPS: tuning.speedIPS))
                try await printer.client.send(apply, timeout: target.timeoutDuration)
                print(
                    "\(printer.name), tuning key \(printer.key): darkness \(tuning.darkness.map(String.init) ?? "profile default"), "
                        + "speed \(tuning.speedIPS.map { "\($0) ips" } ?? "profile default"); stored in \(store.path) and applied")
            }
        }
    }
}

struct PrinterTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Print the test badge: the standard template for the first sample attendee, with the printer's tuning.")

    @OptionGroup var target: PrinterTargetOptions

    func run() async throws {
        try await withExitCodes {
            let event = try Installation.event(nil)
            var session = Intake(event: event).makeSession()
            guard let attendee = try session.acceptJSONLines(in: Installation.sampleAttendees).outcomes.compactMap(\.attendee).first else {
                throw CLIError(.internalError, "the sample attendees are missing")
            }
            let bundle = try Installation.bundle(Installation.templates.appending(path: "standard").path)
            try await withPrinter(target) { printer in
                let (overrides, tuning) = effectiveOverrides(for: printer, darkness: nil, speed: nil)
                if tuning != nil { print("using the stored tuning for \(printer.key)") }
                let (label, _) = try printerJob(
                    template: bundle, fields: BadgeFields.fields(for: attendee, event: event),
                    printer: printer, overrides: overrides, options: RenderOptions(minimumQRModuleDots: tuning?.qrModuleDots))
                try await sendJob(label, to: printer, what: "test badge", timeout: target.timeoutDuration)
            }
        }
    }
}
