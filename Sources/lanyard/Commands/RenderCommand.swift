import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Printers

/// Options that name a printer profile and tune its job settings.
struct PrinterOptions: ParsableArguments {
    @Option(help: "Printer profile id (see 'lanyard profiles list') or a profile YAML file.")
    var profile: String

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "Darkness on the ZPL scale 0-30 (clamped to the printer's range).")
    var darkness: Int?

    @Option(help: "Print speed in inches per second (clamped to the printer's range).")
    var speed: Int?

    var overrides: JobOverrides {
        var overrides = JobOverrides()
        overrides.darkness = darkness
        overrides.speedIPS = speed
        return overrides
    }

    func load() throws -> PrinterProfile { try Installation.profile(profile, directory: profilesDir) }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one attendee's badge as ZPL, EPL, PNG, PBM or PDF.")

    @Option(help: "Template bundle directory.")
    var template: String

    @Option(help: "A file holding one raw registration (JSON), a JSONL file with --record, or - for standard input.")
    var attendee: String

    @Option(help: "Line number of the record in a JSONL attendee file (1 = first line).")
    var record: Int?

    @OptionGroup var printer: PrinterOptions

    @Option(help: "Output format: \(BadgeFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: BadgeFormat

    @Option(help: "Output file.")
    var out: String

    @Option(help: "Event configuration YAML (default: the sample event that ships with the templates).")
    var event: String?

    func run() throws {
        try withExitCodes {
            let event = try Installation.event(event)
            let attendee = try AttendeeRecord(path: attendee, record: record).accept(event: event, report: Terminal.report)
            let writer = try BadgeWriter(
                bundle: try Installation.bundle(template), profile: try printer.load(), overrides: printer.overrides)
            let written = try writer.write(fields: BadgeFields.fields(for: attendee, event: event), format: format, to: URL(filePath: out))
            for issue in written.issues {
                Terminal.report(issue, isError: issue.isError)
            }
            for note in written.notes { Terminal.warning(note) }
            if let blocking = written.blockingIssue {
                throw CLIError(.contentErrors, "the badge cannot be printed (\(blocking.code.rawValue)); nothing was written")
            }
            print("\(out): \(written.bytes) bytes (\(format.rawValue), \(attendee.attendeeID))")
            if written.hasErrors {
                throw CLIError(.contentErrors, "the badge was written, but the template has errors (see above; 'lanyard templates check')")
            }
        }
    }
}
