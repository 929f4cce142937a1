public import Attendees
import Badges
public import Foundation
import LanyardSupport

/// What a batch did. Encoded (`--json`) with snake_case keys, as the HTTP API writes its own.
public struct BatchSummary: Codable, Sendable {
    public var records = 0
    public var accepted = 0
    public var rejected = 0
    public var rendered = 0
    public var warnings = 0
    public var bytesByFormat: [String: Int] = [:]
    public var rejectedByReason: [String: Int] = [:]
    public var seconds = 0.0
    public var rejectedFile: String

    enum CodingKeys: String, CodingKey {
        case records, accepted, rejected, rendered, warnings, seconds
        case bytesByFormat = "bytes_by_format", rejectedByReason = "rejected_by_reason", rejectedFile = "rejected_file"
    }

    public var text: String {
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

/// One line of `rejected.jsonl`: a record that made no badge, the stage that refused it and
/// every reason. `record` is the record's position in the input, 1-based, the same number its
/// badge files would have carried (`00042-...`); `line` is the physical line of the input where
/// intake found the problem, when it knows one (a CSV record may span lines).
public struct Rejection: Codable, Sendable, Equatable {
    public struct Reason: Codable, Sendable, Equatable {
        public var code: String
        public var fieldPath: String
        public var reason: String

        public init(code: String, fieldPath: String, reason: String) {
            self.code = code
            self.fieldPath = fieldPath
            self.reason = reason
        }

        public init(_ issue: IntakeIssue) {
            self.init(code: issue.code.rawValue, fieldPath: issue.fieldPath, reason: issue.reason)
        }

        enum CodingKeys: String, CodingKey { case code, fieldPath = "field_path", reason }
    }

    public var record: Int
    public var recordID: String
    public var line: Int?
    public var stage: String
    public var reasons: [Reason]

    enum CodingKeys: String, CodingKey { case record, recordID = "record_id", line, stage, reasons }
}

/// Streams a batch: intake, render, encode and write each record in every format, logging
/// rejects to `DIR/rejected.jsonl` as it goes. One bad record never stops the batch; only a
/// failure to read the input or write the output does.
public struct BatchRun {
    public let writer: BadgeWriter
    public let event: EventConfiguration
    public let formats: [BadgeFormat]
    public let directory: URL
    /// Called after each record with the number done and, for JSON Lines, the total.
    public var onProgress: (_ done: Int, _ total: Int?) -> Void = { _, _ in }
    /// Problems with the input as a whole (a CSV header that maps nothing, say).
    public var onInputIssue: (IntakeIssue) -> Void = { _ in }

    public init(writer: BadgeWriter, event: EventConfiguration, formats: [BadgeFormat], directory: URL) {
        self.writer = writer
        self.event = event
        self.formats = formats
        self.directory = directory
    }

    public func run(input: URL) throws -> BatchSummary {
        let start = ContinuousClock.now
        let rejectedURL = directory.appending(path: "rejected.jsonl")
        var summary = BatchSummary(rejectedFile: rejectedURL.path)
        var session = Intake(event: event).makeSession()
        let data: Data
        do { data = try Data(contentsOf: input) } catch {
            throw PipelineError(.inputUnreadable, "cannot read \(input.path): \(error.localizedDescription)", context: input.path)
        }
        guard FileManager.default.createFile(atPath: rejectedURL.path, contents: nil),
            let rejectedLog = FileHandle(forWritingAtPath: rejectedURL.path)
        else {
            throw PipelineError(.outputFailed, "cannot write \(rejectedURL.path)", context: rejectedURL.path)
        }
        defer { try? rejectedLog.close() }
        let isCSV = input.pathExtension.lowercased() == "csv"
        // JSON Lines can be counted up front for progress; CSV records may span lines.
        let total = isCSV ? nil : JSONLReader(data: data).reduce(0) { count, _ in count + 1 }
        let handle = { (outcome: IntakeOutcome) throws -> Void in
            summary.records += 1
            onProgress(summary.records, total)
            try process(outcome, number: summary.records, log: rejectedLog, summary: &summary)
        }
        if isCSV {
            for issue in try session.forEachCSVRecord(in: data, handle) { onInputIssue(issue) }
        } else {
            try session.forEachJSONLine(in: data, handle)
        }
        let elapsed = (ContinuousClock.now - start).components
        summary.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return summary
    }

    /// One record: reject it with its reasons, or render and write it in every format.
    private func process(_ outcome: IntakeOutcome, number: Int, log: FileHandle, summary: inout BatchSummary) throws {
        guard let attendee = outcome.attendee else {
            summary.rejected += 1
            try reject(
                Rejection(
                    record: number, recordID: outcome.issues.first?.recordID ?? "unknown", line: outcome.issues.first?.line,
                    stage: "intake", reasons: outcome.issues.map(Rejection.Reason.init)),
                into: log, summary: &summary)
            return
        }
        summary.accepted += 1
        summary.warnings += outcome.warnings.count
        let fields = BadgeFields.fields(for: attendee, event: event)
        let stem = Self.fileStem(number: number, attendee: attendee)
        for format in formats {
            let url = directory.appending(path: "\(stem).\(format.fileExtension)")
            let written: BadgeWriter.Outcome
            do {
                written = try writer.write(fields: fields, format: format, to: url)
            } catch let error as PipelineError where error.code == .outputFailed {
                throw error
            } catch {
                try rejectAtRender(
                    [Rejection.Reason(code: "render.failed", fieldPath: "$", reason: "\(error)")],
                    attendee: attendee, number: number, log: log, summary: &summary)
                return
            }
            summary.warnings += written.issues.count + written.notes.count
            if written.blockingIssue != nil {
                let reasons = written.issues.filter(\.blocksPrinting).map {
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
    private func rejectAtRender(
        _ reasons: [Rejection.Reason], attendee: Attendee, number: Int, log: FileHandle,
        summary: inout BatchSummary
    ) throws {
        summary.accepted -= 1
        summary.rejected += 1
        try reject(
            Rejection(record: number, recordID: attendee.sourceID, line: nil, stage: "render", reasons: reasons),
            into: log, summary: &summary)
    }

    private func reject(_ rejection: Rejection, into log: FileHandle, summary: inout BatchSummary) throws {
        for reason in rejection.reasons { summary.rejectedByReason[reason.code, default: 0] += 1 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            try log.write(contentsOf: try encoder.encode(rejection) + Data("\n".utf8))
        } catch {
            throw PipelineError(.outputFailed, "cannot append to rejected.jsonl: \(error.localizedDescription)", context: "rejected.jsonl")
        }
    }

    /// Record number and source id, reduced to characters safe in any file name.
    public static func fileStem(number: Int, attendee: Attendee) -> String {
        let id = attendee.sourceID.isEmpty ? attendee.attendeeID : attendee.sourceID
        let safe = String(
            id.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" ? Character($0) : "_" })
        return String(format: "%05d-", number) + safe.prefix(64)
    }
}
