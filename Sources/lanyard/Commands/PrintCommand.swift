import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Printers
import Store

struct PrintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Render one attendee's badge and print it.",
        discussion: """
            The printer's state is read first: paper out, head open or paused ends the command with \
            exit code 75 and nothing is sent. A technician's tuning stored for the printer \
            ('lanyard printer tune') applies; --darkness and --speed override it for this badge.
            """)

    @Option(help: "Template bundle directory (default: the bundled standard template).")
    var template: String?

    @Option(help: "A file holding one raw registration (JSON), a JSONL file with --record, or - for standard input.")
    var attendee: String

    @Option(help: "Line number of the record in a JSONL attendee file (1 = first line).")
    var record: Int?

    @Option(help: "Event configuration YAML (default: the sample event).")
    var event: String?

    @OptionGroup var target: PrinterTargetOptions

    @Option(help: "Darkness on the ZPL scale 0-30 for this badge (clamped to the printer's range).")
    var darkness: Int?

    @Option(help: "Print speed in inches per second for this badge (clamped to the printer's range).")
    var speed: Int?

    func run() async throws {
        try await withExitCodes {
            let event = try Installation.event(event)
            let attendee = try AttendeeRecord(path: attendee, record: record).accept(event: event, report: Terminal.report)
            let bundle = try Installation.bundle(template ?? Installation.templates.appending(path: "standard").path)
            let printer = try await target.connect()
            for note in printer.notes { Terminal.warning(note) }
            do {
                let (overrides, tuning) = effectiveOverrides(for: printer, darkness: darkness, speed: speed)
                let (label, _) = try printerJob(
                    template: bundle, fields: BadgeFields.fields(for: attendee, event: event),
                    printer: printer, overrides: overrides, options: RenderOptions(minimumQRModuleDots: tuning?.qrModuleDots))
                try await sendJob(label, to: printer, what: "badge for \(attendee.attendeeID)", timeout: target.timeoutDuration)
            } catch {
                await printer.close()
                throw error
            }
            await printer.close()
        }
    }
}
