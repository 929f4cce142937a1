public import Attendees
import Foundation
import LanyardSupport

/// One raw registration named on the command line: a JSON file, one line of a JSONL file
/// (`--record N`), or standard input (`-`), taken through intake.
public struct AttendeeRecord {
    public let path: String
    public let record: Int?

    public init(path: String, record: Int?) {
        self.path = path
        self.record = record
    }

    /// The accepted attendee; `report` hears every issue intake found (a rejected record's
    /// errors too, before it is refused with `pipeline.badge_blocked`).
    public func accept(event: EventConfiguration, report: (IntakeIssue) -> Void) throws -> Attendee {
        let (bytes, line) = try read()
        var session = Intake(event: event).makeSession()
        let outcome = session.accept(jsonObject: bytes, line: line)
        outcome.issues.forEach(report)
        guard let attendee = outcome.attendee else {
            throw PipelineError(.badgeBlocked, "the record was rejected; nothing was rendered", context: path)
        }
        return attendee
    }

    private func read() throws -> (Data, Int?) {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do { data = try Data(contentsOf: URL(filePath: path)) } catch {
                throw PipelineError(.inputUnreadable, "cannot read the attendee file \(path)", context: path)
            }
        }
        if record == nil, (try? JSONSerialization.jsonObject(with: data)) is [String: Any] {
            return (data, nil)  // one object, possibly pretty-printed over several lines
        }
        let lines = Array(JSONLReader(data: data))
        if let record {
            guard let line = lines.first(where: { $0.number == record }) else {
                throw PipelineError(
                    .recordNotChosen,
                    "--record \(record): the file has no record on that line (records on lines \(lines.first?.number ?? 0)-\(lines.last?.number ?? 0))"
                )
            }
            return (line.bytes, line.number)
        }
        guard lines.count <= 1 else {
            throw PipelineError(.recordNotChosen, "the attendee file holds \(lines.count) records; choose one with --record N")
        }
        return (lines.first?.bytes ?? data, lines.first?.number)
    }
}
