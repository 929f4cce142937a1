public import Attendees
public import Foundation
public import Store

/// A file of registrations dropped on the kiosk (`lanyard import`): every record goes through
/// intake; accepted attendees go into the attendee cache, so search and check-in find them
/// offline and their badge prints when they arrive (a QR scan or a search at the kiosk); rejected
/// ones become dead letters with their reason and their original record, to be fixed and replayed.
/// Nothing is printed by the import itself: printing a whole list ahead is `lanyard batch`.
/// Importing the same file again updates the same attendees (their ids are stable).
public struct AttendeeImport: Sendable {
    /// `lanyard import --json` writes it: snake_case, as the agent's API does; the first issues as
    /// line (null when unknown), code and field.
    public struct Summary: Sendable, Equatable, Encodable {
        public var accepted = 0
        public var rejected = 0
        public var deadLetterIDs: [Int64] = []
        /// The first rejections, for the operator: line, code and field.
        public var firstIssues: [IntakeIssue] = []
        /// What the CSV header says about the whole file: columns not mapped (with the header
        /// probably meant), and fields every record needs that no column gives.
        public var headerIssues: [IntakeIssue] = []

        enum CodingKeys: String, CodingKey { case accepted, rejected, deadLetterIDs = "dead_letter_ids", issues }
        enum IssueKeys: String, CodingKey { case line, code, field }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accepted, forKey: .accepted)
            try container.encode(rejected, forKey: .rejected)
            try container.encode(deadLetterIDs, forKey: .deadLetterIDs)
            var issues = container.nestedUnkeyedContainer(forKey: .issues)
            for issue in firstIssues {
                var object = issues.nestedContainer(keyedBy: IssueKeys.self)
                try object.encode(issue.line, forKey: .line)
                try object.encode(issue.code.rawValue, forKey: .code)
                try object.encode(issue.fieldPath, forKey: .field)
            }
        }
    }

    public var event: EventConfiguration
    public var store: LanyardStore

    public init(event: EventConfiguration, store: LanyardStore) {
        self.event = event
        self.store = store
    }

    /// Imports a `.csv` file, else JSON Lines. Attendees are written in batches of 500, each in
    /// one transaction, so a crash midway leaves whole batches and the file can be imported again.
    public func run(file: URL, correlationID: String) throws -> Summary {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw AgentError(.requestInvalid, "cannot read \(file.path)", detail: error.localizedDescription)
        }
        var batch = Batch(job: self, correlationID: correlationID)
        var session = Intake(event: event).makeSession()
        if file.pathExtension.lowercased() == "csv" {
            let headerIssues = try session.forEachCSVRow(in: data) { outcome, row in try batch.take(outcome, payload: row) }
            batch.summary.headerIssues = headerIssues
        } else {
            for line in JSONLReader(data: data) {
                try batch.take(session.accept(jsonObject: line.bytes, line: line.number), payload: line.bytes)
            }
        }
        try batch.flush()
        return batch.summary
    }

    /// The records accepted but not yet written, and the running summary.
    private struct Batch {
        let job: AttendeeImport
        let correlationID: String
        var summary = Summary()
        var pending: [Attendee] = []

        init(job: AttendeeImport, correlationID: String) {
            self.job = job
            self.correlationID = correlationID
        }

        mutating func take(_ outcome: IntakeOutcome, payload: Data?) throws {
            if let attendee = outcome.attendee {
                summary.accepted += 1
                pending.append(attendee)
                if pending.count >= 500 { try flush() }
                return
            }
            summary.rejected += 1
            let first = outcome.errors.first ?? outcome.issues.first
            let letter = try job.store.deadLetter(
                payload: payload ?? Data(), stage: .intake, code: first?.code.rawValue ?? "intake.rejected",
                reason: outcome.issues.map { "\($0.fieldPath): \($0.reason)" }.joined(separator: "; "),
                fieldPath: first?.fieldPath, correlationID: correlationID)
            summary.deadLetterIDs.append(letter.id)
            if summary.firstIssues.count < 20, let first { summary.firstIssues.append(first) }
        }

        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            try job.store.upsertAttendees(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }
}
