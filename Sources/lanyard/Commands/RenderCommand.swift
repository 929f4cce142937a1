import ArgumentParser
import Badges
import Foundation
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

    func load() throws -> PrinterProfile { try Resources.profile(profile, directory: profilesDir) }
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

    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat

    @Option(help: "Output file.")
    var out: String

    @Option(help: "Event configuration YAML (default: the sample event that ships with the templates).")
    var event: String?

    func run() throws {
        try withExitCodes {
            let event = try Resources.event(event)
            let attendee = try AttendeeRecord(path: attendee, record: record).accept(event: event)
            let output = try BadgeOutput(bundle: try Resources.bundle(template), profile: try printer.load(), overrides: printer.overrides)
            let (summary, written) = try output.write(
                fields: BadgeFields.fields(for: attendee, event: event), format: format, to: URL(filePath: out))
            for issue in summary.issues {
                Terminal.report(issue, isError: issue.severity == .error)
            }
            for note in written.notes { Terminal.warning(note) }
            if summary.blocksPrinting {
                throw CLIError(.contentErrors, "the badge cannot be printed: a symbol could not be made; nothing was written")
            }
            print("\(out): \(written.bytes) bytes (\(format.rawValue), \(attendee.attendeeID))")
        }
    }
}
