import Agent
import ArgumentParser
import Attendees
import BadgePipeline
import Foundation
import LanyardSupport
import Store

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a registrations file (CSV or JSONL) into the agent's attendee cache.",
        discussion: """
            Valid records go into the attendee cache of the agent's data directory, where search and \
            check-in find them (the agent may be running). Records that cannot become a badge are \
            kept as dead letters with their reason (GET /v1/dead-letters, replay after a fix). \
            Nothing is printed. Exit code 1 when some records were rejected.
            """)

    @Option(help: "Registrations: .csv (mapped by the event's columns) or JSON Lines.")
    var attendees: String?

    @Argument(help: ArgumentHelp("The registrations file alone (the same as --attendees).", valueName: "file"))
    var positionalFile: String?

    /// One vocabulary with `batch` and `registry publish`: `--attendees FILE`; the file alone
    /// after the command, as before, still works.
    var file: String { attendees ?? positionalFile ?? "" }

    func validate() throws {
        guard (attendees == nil) != (positionalFile == nil) else {
            throw ValidationError("give the registrations file once: --attendees FILE (or FILE alone)")
        }
    }

    @Option(help: "Agent configuration YAML (for its data directory and event).")
    var config: String?

    @Option(help: "Data directory (overrides the configuration).")
    var data: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try withExitCodes {
            var configuration = try AgentConfiguration.load(file: config)
            if let data { configuration.dataDirectory = data }
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw CLIError(.inputMissing, "cannot read \(file)")
            }
            let directory = configuration.dataDirectory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? StateDirectory.url
            StateDirectory.noAgentWarning(on: directory, what: "the attendees").map(Terminal.warning)
            let store = try LanyardStore(dataDirectory: directory)
            let event = try Installation.event(configuration.event)
            let summary = try AttendeeImport(event: event, store: store)
                .run(file: URL(filePath: file), correlationID: "import-\(UUID().uuidString.lowercased())")
            for issue in summary.headerIssues { Terminal.report(issue, isError: issue.severity == .error) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print("\(summary.accepted) attendees imported into \(directory.path); \(summary.rejected) rejected (dead letters).")
                for issue in summary.firstIssues {
                    print("  line \(issue.line.map(String.init) ?? "?"): \(issue.code.rawValue) at \(issue.fieldPath): \(issue.reason)")
                }
                if summary.rejected > summary.firstIssues.count {
                    print("  ... and \(summary.rejected - summary.firstIssues.count) more (lanyard agent: GET /v1/dead-letters)")
                }
            }
            if summary.rejected > 0 { throw ExitCode(CLIError.Exit.contentErrors.rawValue) }
        }
    }
}
