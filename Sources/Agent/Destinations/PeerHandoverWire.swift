public import Attendees
public import Store

/// `POST /v1/peer/handovers`: a badge one agent hands to another (docs/handover.md). The key is
/// the handing agent's idempotency key, kept as it is, so the badge prints once whichever agent
/// prints it and however often the offer is sent again.
public struct PeerOffer: Codable, Sendable, Equatable {
    public var idempotencyKey: String
    public var correlationID: String
    /// The handing agent's kiosk id: named in the receiving agent's history, audit and status.
    public var from: String
    public var attendee: Attendee
    /// The badge's priority at the handing agent; `normal` if absent.
    public var priority: JobPriority?

    enum CodingKeys: String, CodingKey {
        case idempotencyKey = "idempotency_key", correlationID = "correlation_id", from, attendee, priority
    }

    public init(idempotencyKey: String, correlationID: String, from: String, attendee: Attendee, priority: JobPriority? = nil) {
        self.idempotencyKey = idempotencyKey
        self.correlationID = correlationID
        self.from = from
        self.attendee = attendee
        self.priority = priority
    }
}

/// `POST /v1/peer/handovers/{key}/withdraw`: the handing agent takes an offer back.
public struct PeerWithdrawalRequest: Codable, Sendable, Equatable {
    public var from: String

    public init(from: String) { self.from = from }
}

/// What the receiving agent says of a handed-over key: the answer to an offer, a withdrawal and
/// `GET /v1/peer/handovers/{key}`.
public struct PeerHandoverStatus: Codable, Sendable, Equatable {
    /// The job's state on the receiving agent (`queued` ... `printed`, `manual_review`,
    /// `dead_lettered`, `cancelled`), or `withdrawn` when no job exists for the key and none will.
    public var state: String
    public var idempotencyKey: String
    /// The receiving agent's job, when one exists.
    public var jobID: Int64?
    /// The printer or destination holding or having printed it, and where that is.
    public var printer: String?
    public var location: String?
    /// When it printed (ISO 8601), once printed.
    public var printedAt: String?

    public static let withdrawn = "withdrawn"

    enum CodingKeys: String, CodingKey {
        case state, idempotencyKey = "idempotency_key", jobID = "job_id", printer, location, printedAt = "printed_at"
    }

    public init(
        state: String, idempotencyKey: String, jobID: Int64? = nil, printer: String? = nil, location: String? = nil,
        printedAt: String? = nil
    ) {
        self.state = state
        self.idempotencyKey = idempotencyKey
        self.jobID = jobID
        self.printer = printer
        self.location = location
        self.printedAt = printedAt
    }
}
