public import Foundation
public import LanyardSupport

/// What the registry learns about a finished job. It is written to the outbox in the same
/// transaction that moves the job to its terminal state, so a power cut can never leave a
/// printed badge that the registry will not hear about, nor a report of a badge that did not
/// finish. Ids only: no names or emails leave the kiosk this way.
public struct JobOutcome: Sendable, Equatable, Codable {
    /// The outbox `kind` of these items.
    public static let outboxKind = "job.outcome"

    public var jobID: Int64
    public var idempotencyKey: String
    public var correlationID: String
    public var attendeeID: String?
    public var printerID: String
    public var state: JobState
    public var attempts: Int
    public var templateTier: String?
    public var templateVersion: String?
    public var reprintOf: Int64?
    public var finishedAt: Date

    public init(
        jobID: Int64, idempotencyKey: String, correlationID: String, attendeeID: String?, printerID: String,
        state: JobState, attempts: Int, templateTier: String?, templateVersion: String?, reprintOf: Int64?,
        finishedAt: Date
    ) {
        self.jobID = jobID
        self.idempotencyKey = idempotencyKey
        self.correlationID = correlationID
        self.attendeeID = attendeeID
        self.printerID = printerID
        self.state = state
        self.attempts = attempts
        self.templateTier = templateTier
        self.templateVersion = templateVersion
        self.reprintOf = reprintOf
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", idempotencyKey = "idempotency_key", correlationID = "correlation_id"
        case attendeeID = "attendee_id", printerID = "printer_id", state, attempts, templateTier = "template_tier"
        case templateVersion = "template_version", reprintOf = "reprint_of", finishedAt = "finished_at"
    }

    /// JSON with sorted keys and ISO-8601 instants with milliseconds (what the database keeps),
    /// the form the outbox carries.
    public func encoded() throws(StoreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        do { return try encoder.encode(self) } catch {
            throw StoreError(.invalidValue, "cannot encode the outcome of job \(jobID)", underlying: error)
        }
    }

    public static func decode(_ data: Data) throws(StoreError) -> JobOutcome {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
            return try Date.ISO8601FormatStyle().parse(text)
        }
        do { return try decoder.decode(JobOutcome.self, from: data) } catch {
            throw StoreError(.corruptRecord, "not a job outcome", underlying: error)
        }
    }
}
