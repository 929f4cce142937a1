public import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Printers

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Render badges for every record of a JSONL or CSV file.",
        discussion: """
            Each accepted record becomes DIR/<record number>-<source id>.<format>. Rejected records, \
            with their record number, the stage and every reason, go to DIR/rejected.jsonl. One bad record never stops the batch; \
            the exit code is non-zero only for a usage or I/O failure.
            """)

    @Option(help: "Template bundle directory.")
    var template: String

    @Option(
        name: [.customLong("attendees"), .customLong("input")],
        help: "Registrations: a .jsonl file of raw records or a .csv ticketing export (--input: its former name).")
    var attendees: String

    @OptionGroup var printer: PrinterOptions

    @Option(parsing: .upToNextOption, help: "One or more output formats: zpl, epl, png, pdf, pbm.")
    var format: [BadgeFormat]

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Event configuration YAML (default: the sample event).")
    var event: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try withExitCodes {
            let event = try Installation.event(event)
            let writer = try BadgeWriter(
                bundle: try Installation.bundle(template), profile: try printer.load(), overrides: printer.overrides)
            let directory = URL(filePath: out, directoryHint: .isDirectory)
            try Files.makeDirectory(directory)
            var run = BatchRun(writer: writer, event: event, formats: format, directory: directory)
            let progress = ProgressBar()
            run.onProgress = progress.update
            run.onInputIssue = { issue in Terminal.report(issue, isError: issue.severity == .error) }
            let summary = try run.run(input: URL(filePath: attendees))
            progress.finish()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
        }
    }
}

extension BadgeFormat: ExpressibleByArgument {}
