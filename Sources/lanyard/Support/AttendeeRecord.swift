import Badges
import Foundation
import LanyardSupport

/// One raw registration named on the command line: a JSON file, one line of a JSONL file
/// (`--record N`), or standard input (`-`), taken through intake.
struct AttendeeRecord {
    let path: String
    let record: Int?

    /// The accepted attendee, with intake's warnings printed; a rejected record is an error.
    func accept(event: EventConfiguration) throws -> Attendee {
        let (bytes, line) = try read()
        var session = Intake(event: event).makeSession()
        let outcome = session.accept(jsonObject: bytes, line: line)
        for issue in outcome.issues {
            let text = "\(issue.code.rawValue) at \(issue.fieldPath) (record \(issue.recordID)): \(issue.reason)"
            if issue.severity == .error { Terminal.error(text) } else { Terminal.warning(text) }
        }
        guard let attendee = outcome.attendee else {
            throw CLIError(.contentErrors, "the record was rejected; nothing was rendered")
        }
        return attendee
    }

    private func read() throws -> (Data, Int?) {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do { data = try Data(contentsOf: URL(filePath: path)) } catch {
                throw CLIError(.inputMissing, "cannot read the attendee file \(path)")
            }
        }
        if record == nil, (try? JSONSerialization.jsonObject(with: data)) is [String: Any] {
            return (data, nil)  // one object, possibly pretty-printed over several lines
        }
        let lines = Array(JSONLReader(data: data))
        if let record {
            guard let line = lines.first(where: { $0.number == record }) else {
                throw CLIError(.usage, "--record \(record): the file has no record on that line (records on lines \(lines.first?.number ?? 0)-\(lines.last?.number ?? 0))")
            }
            return (line.bytes, line.number)
        }
        guard lines.count <= 1 else {
            throw CLIError(.usage, "the attendee file holds \(lines.count) records; choose one with --record N")
        }
        return (lines.first?.bytes ?? data, lines.first?.number)
    }
}
