public import Foundation

/// A print request as accepted by intake, before the store gives it an id.
public struct NewPrintJob: Sendable, Equatable {
    /// The caller's key for "this badge": a second request with the same key gets the first job
    /// back instead of a second badge.
    public var idempotencyKey: String
    /// Ties the job to the request's log lines.
    public var correlationID: String
    public var attendeeID: String?
    public var printerID: String
    /// The request exactly as received; the store never looks inside.
    public var payload: Data
    public var priority: JobPriority

    public init(
        idempotencyKey: String, correlationID: String, attendeeID: String? = nil, printerID: String, payload: Data,
        priority: JobPriority = .normal
    ) {
        self.idempotencyKey = idempotencyKey
        self.correlationID = correlationID
        self.attendeeID = attendeeID
        self.printerID = printerID
        self.payload = payload
        self.priority = priority
    }
}

/// One state change of a job, as kept in its history.
public struct JobTransition: Sendable, Equatable {
    /// Nil for the entry that created the job.
    public var from: JobState?
    public var to: JobState
    public var at: Date
    public var note: String?

    public init(from: JobState?, to: JobState, at: Date, note: String?) {
        self.from = from
        self.to = to
        self.at = at
        self.note = note
    }
}

/// A spooled print job and everything that happened to it.
public struct PrintJob: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var idempotencyKey: String
    public var correlationID: String
    public var attendeeID: String?
    public var printerID: String
    public var state: JobState
    public var payload: Data
    /// How many times a worker claimed the job.
    public var attempts: Int
    /// A queued job is not claimed before this instant (set by a retry).
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// Why the job went to manual review, as JSON, for the operator.
    public var diagnostic: Data?
    /// Which template rendered the badge (event, track or global) and its version.
    public var templateTier: String?
    public var templateVersion: String?
    /// The registry release that rendered the badge (its digest); nil for a local bundle.
    public var templateRelease: String?
    /// For a reprint: the original job (always the first one, also for a reprint of a reprint).
    public var reprintOf: Int64?
    public var priority: JobPriority
    public var createdAt: Date
    public var updatedAt: Date
    /// Every state change, oldest first; the first entry is the creation.
    public var history: [JobTransition]

    public init(
        id: Int64, idempotencyKey: String, correlationID: String, attendeeID: String?, printerID: String,
        state: JobState, payload: Data, attempts: Int, nextAttemptAt: Date?, lastError: String?,
        diagnostic: Data?, templateTier: String?, templateVersion: String?, templateRelease: String? = nil,
        reprintOf: Int64?, priority: JobPriority = .normal, createdAt: Date, updatedAt: Date, history: [JobTransition]
    ) {
        self.priority = priority
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.correlationID = correlationID
        self.attendeeID = attendeeID
        self.printerID = printerID
        self.state = state
        self.payload = payload
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.diagnostic = diagnostic
        self.templateTier = templateTier
        self.templateVersion = templateVersion
        self.templateRelease = templateRelease
        self.reprintOf = reprintOf
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.history = history
    }
}

/// The answer to an enqueue: a new job, or the one already spooled under the same key.
public enum EnqueueResult: Sendable, Equatable {
    case accepted(PrintJob)
    case duplicate(PrintJob)

    public var job: PrintJob {
        switch self {
        case let .accepted(job), let .duplicate(job): job
        }
    }

    public var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }
}

/// A job that startup reconciliation moved out of an in-flight state.
public struct ReconciledJob: Sendable, Equatable {
    /// The job as it is now (in its terminal state).
    public var job: PrintJob
    /// The state it was left in when the agent stopped.
    public var from: JobState
    public var note: String

    public init(job: PrintJob, from: JobState, note: String) {
        self.job = job
        self.from = from
        self.note = note
    }
}
