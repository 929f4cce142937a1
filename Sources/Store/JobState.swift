/// Where a print job is in its life. The state machine is deliberately narrow: the only ways back
/// to `queued` start from `sending` (a retry the worker chose because nothing reached the
/// printer), and nothing leaves a terminal state, so a job that may have printed can never be
/// sent again by accident.
///
/// ```
/// queued ──claim──> sending ──markSent──> sent ──markPrinted──> printed
///   │  ^              │  │                  │
///   │  └─scheduleRetry┘  └─> manualReview <─┘
///   ├─> cancelled        └─> deadLettered
///   └─> deadLettered
/// ```
public enum JobState: String, Sendable, Codable, CaseIterable, Hashable {
    /// Waiting for the printer's worker (possibly not before `nextAttemptAt`).
    case queued
    /// Claimed by the worker: rendering, or bytes going to the printer.
    case sending
    /// The printer accepted every byte; its status has not confirmed the badge yet.
    case sent
    /// The printer confirmed the badge.
    case printed
    /// Outcome unknown (interrupted mid-send, printer fault after sending): an operator decides,
    /// typically by asking for an explicit reprint.
    case manualReview
    /// The job can never succeed as given (its data does not render, say); the request is kept
    /// as a dead letter.
    case deadLettered
    /// Withdrawn before anything was sent.
    case cancelled

    /// Terminal states never change.
    public var isTerminal: Bool {
        switch self {
        case .queued, .sending, .sent: false
        case .printed, .manualReview, .deadLettered, .cancelled: true
        }
    }

    /// The states a job in this state may move to.
    public var successors: Set<JobState> {
        switch self {
        case .queued: [.sending, .cancelled, .deadLettered]
        // Back to queued only through a retry the worker decides on (the printer was unreachable,
        // nothing was written); cancelling is refused once bytes may be on their way.
        case .sending: [.sent, .queued, .manualReview, .deadLettered]
        // Every byte was accepted: re-queueing could print a second badge, so only a confirmation
        // or a review can follow.
        case .sent: [.printed, .manualReview]
        case .printed, .manualReview, .deadLettered, .cancelled: []
        }
    }

    public func canMove(to next: JobState) -> Bool { successors.contains(next) }

    /// The states that still count against a printer's queue bound.
    static let unfinished: [JobState] = allCases.filter { !$0.isTerminal }
}

/// How soon a job is taken from its printer's queue: `high` before `normal` before `low`, each in
/// the order accepted. A person waiting at the kiosk is `high`; a batch printed ahead of the day is
/// `low`. Printers may also be kept for some priorities (`printers[].priorities`).
public enum JobPriority: String, Sendable, Codable, CaseIterable, Hashable {
    case high, normal, low

    /// As stored: the claim orders by it, highest first.
    var rank: Int {
        switch self {
        case .high: 1
        case .normal: 0
        case .low: -1
        }
    }

    init(rank: Int) {
        self = rank > 0 ? .high : rank < 0 ? .low : .normal
    }
}
