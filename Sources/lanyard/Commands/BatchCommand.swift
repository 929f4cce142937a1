import ArgumentParser
import Badges
import Foundation
import Printers

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Render badges for every record of a JSONL or CSV file.",
        discussion: """
            Each accepted record becomes DIR/<line>-<source id>.<format>. Rejected records, with the \
            stage and every reason, go to DIR/rejected.jsonl. One bad record never stops the batch; \
            the exit code is non-zero only for a usage or I/O failure.
            """)

    @Option(help: "Template bundle directory.")
    var template: String

    @Option(help: "Registrations: a .jsonl file of raw records or a .csv ticketing export.")
    var input: String

    @OptionGroup var printer: PrinterOptions

    @Option(parsing: .upToNextOption, help: "One or more output formats: zpl, epl, png, pdf, pbm.")
    var format: [OutputFormat]

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Event configuration YAML (default: the sample event).")
    var event: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try withExitCodes {
            let event = try Resources.event(event)
            let output = try BadgeOutput(bundle: try Resources.bundle(template), profile: try printer.load(), overrides: printer.overrides)
            let directory = URL(filePath: out, directoryHint: .isDirectory)
            try makeDirectory(directory)
            let runner = BatchRunner(output: output, event: event, formats: format, directory: directory)
            let summary = try runner.run(input: URL(filePath: input))
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

/// What a batch did.
struct BatchSummary: Codable {
    var records = 0
    var accepted = 0
    var rejected = 0
    var rendered = 0
    var warnings = 0
    var bytesByFormat: [String: Int] = [:]
    var rejectedByReason: [String: Int] = [:]
    var seconds = 0.0
    var rejectedFile: String

    var text: String {
        var lines = [
            "records   \(records)",
            "accepted  \(accepted)",
            "rejected  \(rejected)  (reasons in \(rejectedFile))",
            "rendered  \(rendered) badges in \(String(format: "%.2f", seconds)) s",
            "warnings  \(warnings)",
        ]
        for (format, bytes) in bytesByFormat.sorted(by: { $0.key < $1.key }) {
            lines.append("\(format.padding(toLength: 9, withPad: " ", startingAt: 0)) \(bytes) bytes")
        }
        for (reason, count) in rejectedByReason.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(count) × \(reason)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Streams a batch: intake, render, encode and write each record, logging rejects as it goes.
struct BatchRunner {
    let output: BadgeOutput
    let event: EventConfiguration
    let formats: [OutputFormat]
    let directory: URL

    func run(input: URL) throws -> BatchSummary {
        let start = ContinuousClock.now
        let rejectedURL = directory.appending(path: "rejected.jsonl")
        var summary = BatchSummary(rejectedFile: rejectedURL.path)
        var session = Intake(event: event).makeSession()
        let data: Data
        do { data = try Data(contentsOf: input) } catch {
            throw CLIError(.inputMissing, "cannot read \(input.path): \(error.localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: rejectedURL.path, contents: nil),
              let rejectedLog = FileHandle(forWritingAtPath: rejectedURL.path) else {
            throw CLIError(.io, "cannot write \(rejectedURL.path)")
        }
        defer { try? rejectedLog.close() }
        let isCSV = input.pathExtension.lowercased() == "csv"
        // JSON Lines can be counted up front for the progress bar; CSV records may span lines.
        let progress = Progress(total: isCSV ? nil : JSONLReader(data: data).reduce(0) { count, _ in count + 1 })
        let handle = { (outcome: IntakeOutcome) throws -> Void in
            summary.records += 1
            progress.update(summary.records)
            try process(outcome, index: summary.records, log: rejectedLog, summary: &summary)
        }
        if isCSV {
            for issue in try session.forEachCSVRecord(in: data, handle) { Terminal.report(issue, isError: issue.severity == .error) }
        } else {
            try session.forEachJSONLine(in: data, handle)
        }
        progress.finish()
        summary.seconds = (ContinuousClock.now - start).seconds
        return summary
    }

    /// One record: reject it with its reasons, or render and write it in every format.
    /// `number` is the record's position in the input, 1-based.
    private func process(_ outcome: IntakeOutcome, index number: Int, log: FileHandle, summary: inout BatchSummary) throws {
        guard let attendee = outcome.attendee else {
            summary.rejected += 1
            try reject(outcome.issues.map(Rejection.Reason.init), stage: "intake", record: outcome.issues.first?.recordID,
                       line: outcome.issues.first?.line, into: log, summary: &summary)
            return
        }
        summary.accepted += 1
        summary.warnings += outcome.warnings.count
        let fields = BadgeFields.fields(for: attendee, event: event)
        let stem = Self.fileStem(line: number, attendee: attendee)
        for format in formats {
            let url = directory.appending(path: "\(stem).\(format.fileExtension)")
            let (report, written): (RenderReportSummary, BadgeOutput.Written)
            do {
                (report, written) = try output.write(fields: fields, format: format, to: url)
            } catch let error as CLIError where error.exit == .io {
                throw error
            } catch {
                try rejectAtRender([Rejection.Reason(code: "render.failed", fieldPath: "$", reason: CLIError(from: error).message)],
                                   attendee: attendee, number: number, log: log, summary: &summary)
                return
            }
            summary.warnings += report.issues.count + written.notes.count
            if report.blocksPrinting {
                let reasons = report.issues.filter { $0.severity == .error }.map {
                    Rejection.Reason(code: $0.code.rawValue, fieldPath: "template", reason: $0.message)
                }
                try rejectAtRender(reasons, attendee: attendee, number: number, log: log, summary: &summary)
                return
            }
            summary.bytesByFormat[format.rawValue, default: 0] += written.bytes
            summary.rendered += 1
        }
    }

    /// A record that passed intake but whose badge cannot be made counts as rejected, not accepted.
    private func rejectAtRender(_ reasons: [Rejection.Reason], attendee: Attendee, number: Int, log: FileHandle,
                                summary: inout BatchSummary) throws {
        summary.accepted -= 1
        summary.rejected += 1
        try reject(reasons, stage: "render", record: attendee.sourceID, line: number, into: log, summary: &summary)
    }

    private func reject(_ reasons: [Rejection.Reason], stage: String, record: String?, line: Int?,
                        into log: FileHandle, summary: inout BatchSummary) throws {
        for reason in reasons { summary.rejectedByReason[reason.code, default: 0] += 1 }
        let rejection = Rejection(recordID: record ?? "unknown", line: line, stage: stage, reasons: reasons)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            try log.write(contentsOf: try encoder.encode(rejection) + Data("\n".utf8))
        } catch {
            throw CLIError(.io, "cannot append to rejected.jsonl: \(error.localizedDescription)")
        }
    }

    /// Line number and source id, reduced to characters safe in any file name.
    static func fileStem(line: Int, attendee: Attendee) -> String {
        let id = attendee.sourceID.isEmpty ? attendee.attendeeID : attendee.sourceID
        let safe = String(id.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" ? Character($0) : "_" })
        return String(format: "%05d-", line) + safe.prefix(64)
    }
}

/// One line of rejected.jsonl.
struct Rejection: Codable {
    struct Reason: Codable {
        var code: String
        var fieldPath: String
        var reason: String

        init(code: String, fieldPath: String, reason: String) {
            self.code = code
            self.fieldPath = fieldPath
            self.reason = reason
        }

        init(_ issue: IntakeIssue) {
            self.init(code: issue.code.rawValue, fieldPath: issue.fieldPath, reason: issue.reason)
        }

        enum CodingKeys: String, CodingKey { case code, fieldPath = "field_path", reason }
    }

    var recordID: String
    var line: Int?
    var stage: String
    var reasons: [Reason]

    enum CodingKeys: String, CodingKey { case recordID = "record_id", line, stage, reasons }
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
final class Progress {
    private let total: Int?
    private let enabled = Terminal.stderrIsTerminal
    private var lastDrawn = -1

    /// Without a total (CSV, whose records may span lines) it counts records instead.
    init(total: Int?) { self.total = total }

    func update(_ done: Int) {
        guard enabled else { return }
        guard let total, total > 0 else {
            if done % 25 == 0 { FileHandle.standardError.write(Data("\r\(done) records".utf8)) }
            return
        }
        let percent = done * 100 / total
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
