public import Attendees
import Badges
import Foundation
public import LanyardSupport
import Printers
public import Store
public import Symbols

// The agent API's request and response bodies (docs/openapi.yaml), Codable, snake_case on the
// wire. Routes build these; nothing on a route is `[String: Any]`.

/// `GET /v1/health`.
public struct HealthView: Codable, Sendable, Equatable {
    public var status = "ok"
    public var uptimeSeconds: Int
    /// With sync: how fresh the registry metadata the kiosk trusts is.
    public var registry: String?
    /// Present (true) when badges go to the built-in simulator, not to paper.
    public var simulatedPrinter: Bool?

    enum CodingKeys: String, CodingKey {
        case status, uptimeSeconds = "uptime_seconds", registry, simulatedPrinter = "simulated_printer"
    }
}

/// `GET /v1/ready`: ready when every printer worker has started and no printer is in a state
/// that stops printing (paper out, head open, paused); `not_ready` says why not, per printer.
public struct ReadyView: Codable, Sendable, Equatable {
    public var ready: Bool
    /// Each printer's worker activity.
    public var printers: [String: String]
    public var notReady: [String: [String]]?

    enum CodingKeys: String, CodingKey { case ready, printers, notReady = "not_ready" }
}

/// A print job as the API shows it.
public struct JobView: Codable, Sendable, Equatable {
    public var id: Int64
    public var state: String
    public var printer: String
    public var attempts: Int
    public var idempotencyKey: String
    public var correlationID: String
    public var createdAt: String
    public var updatedAt: String?
    public var attendeeID: String?
    public var templateTier: String?
    public var templateVersion: String?
    public var templateRelease: String?
    public var lastError: String?
    public var reprintOf: Int64?
    public var priority: String
    public var diagnostic: JSONValue?
    public var duplicate: Bool?
    public var alreadyCheckedIn: PriorCheckInView?
    /// For a badge sent off the box (a peer kiosk, an office printer): where it went and where
    /// and when it printed (`GET /v1/jobs/{id}`).
    public var away: AwayView?

    enum CodingKeys: String, CodingKey {
        case id, state, printer, attempts, idempotencyKey = "idempotency_key", correlationID = "correlation_id"
        case createdAt = "created_at", updatedAt = "updated_at", attendeeID = "attendee_id", templateTier = "template_tier"
        case templateVersion = "template_version", templateRelease = "template_release", lastError = "last_error", reprintOf = "reprint_of",
            diagnostic, duplicate, priority
        case alreadyCheckedIn = "already_checked_in", away
    }

    public init(_ job: PrintJob, withUpdatedAt: Bool = false) {
        id = job.id
        state = job.state.apiName
        printer = job.printerID
        attempts = job.attempts
        idempotencyKey = job.idempotencyKey
        correlationID = job.correlationID
        createdAt = Timestamps.iso8601(job.createdAt)
        updatedAt = withUpdatedAt ? Timestamps.iso8601(job.updatedAt) : nil
        attendeeID = job.attendeeID
        templateTier = job.templateTier
        templateVersion = job.templateVersion
        templateRelease = job.templateRelease
        lastError = job.lastError
        reprintOf = job.reprintOf
        priority = job.priority.rawValue
        diagnostic = job.diagnostic.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
    }
}

/// `GET /v1/jobs`.
public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [JobView]
}

/// An earlier check-in a new scan is told about.
public struct PriorCheckInView: Codable, Sendable, Equatable {
    public var kioskID: String
    public var scannedAt: String

    enum CodingKeys: String, CodingKey { case kioskID = "kiosk_id", scannedAt = "scanned_at" }
}

/// An attendee as a kiosk may show one: ids and display fields, never an email.
public struct AttendeeView: Codable, Sendable, Equatable {
    public var attendeeID: String
    public var accessTier: String
    public var firstName: String?
    public var lastName: String?
    public var company: String?
    /// The attendee's language (BCP 47), which the kiosk page switches to.
    public var locale: String?
    public var checkIn: CheckInView?
    /// For the kiosk page: whether the attendee may change how their name is written.
    public var nameCorrections: Bool?

    enum CodingKeys: String, CodingKey {
        case attendeeID = "attendee_id", accessTier = "access_tier", firstName = "first_name", lastName = "last_name", company, locale
        case checkIn = "check_in", nameCorrections = "name_corrections"
    }

    public init(_ attendee: Attendee, checkIn: CheckInView? = nil) {
        attendeeID = attendee.attendeeID
        accessTier = attendee.accessTier.rawValue
        firstName = attendee.preferredName ?? attendee.firstName
        lastName = attendee.lastName
        company = attendee.company
        locale = attendee.locale
        self.checkIn = checkIn
    }
}

public struct AttendeeList: Codable, Sendable, Equatable {
    public var attendees: [AttendeeView]
}

/// Whether the attendee is checked in, as far as this kiosk knows.
public struct CheckInView: Codable, Sendable, Equatable {
    public struct First: Codable, Sendable, Equatable {
        public var kioskID: String
        public var scannedAt: String
        public var confirmedByRegistry: Bool

        enum CodingKeys: String, CodingKey {
            case kioskID = "kiosk_id", scannedAt = "scanned_at", confirmedByRegistry = "confirmed_by_registry"
        }
    }

    public var checkedIn: Bool
    public var scansHere: Int
    public var first: First?

    enum CodingKeys: String, CodingKey { case checkedIn = "checked_in", scansHere = "scans_here", first }

    public init(_ state: CheckInState?) {
        checkedIn = state?.first != nil
        scansHere = state?.local.count ?? 0
        first = state?.first.map { First(kioskID: $0.kioskID, scannedAt: ScanTime.text($0.scannedAt), confirmedByRegistry: $0.resolved) }
    }
}

/// One printer of the agent.
public struct PrinterView: Codable, Sendable, Equatable {
    public var id: String
    public var activity: String
    public var breaker: String
    public var conditions: [String]
    public var errors: [String]
    public var queueDepth: Int

    enum CodingKeys: String, CodingKey { case id, activity, breaker, conditions, errors, queueDepth = "queue_depth" }
}

public struct PrinterList: Codable, Sendable, Equatable {
    public var printers: [PrinterView]
}

public struct DeadLetterView: Codable, Sendable, Equatable {
    public var id: Int64
    public var stage: String
    public var code: String
    public var reason: String
    public var correlationID: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey { case id, stage, code, reason, correlationID = "correlation_id", createdAt = "created_at" }
}

extension DeadLetterView {
    init(_ letter: DeadLetter) {
        self.init(
            id: letter.id, stage: letter.stage.rawValue, code: letter.code, reason: letter.reason, correlationID: letter.correlationID,
            createdAt: Timestamps.iso8601(letter.createdAt))
    }
}

public struct DeadLetterList: Codable, Sendable, Equatable {
    public var deadLetters: [DeadLetterView]

    enum CodingKeys: String, CodingKey { case deadLetters = "dead_letters" }
}

/// `POST /v1/badges`: a raw registration, or an attendee already in the cache.
public struct BadgeRequest: Codable, Sendable, Equatable {
    public var attendee: JSONValue?
    public var attendeeID: String?
    public var idempotencyKey: String?
    public var printer: String?
    /// `high` for a person waiting at the kiosk, `low` for a batch printed ahead; `normal` if absent.
    public var priority: JobPriority?

    enum CodingKeys: String, CodingKey {
        case attendee, attendeeID = "attendee_id", idempotencyKey = "idempotency_key", printer, priority
    }
}

/// `POST /v1/checkins`: the text a scanner read from a ticket's QR code.
public struct CheckInRequest: Codable, Sendable, Equatable {
    public var payload: String
}

/// `POST /v1/manual-review/{id}/decision`.
public struct ReviewDecisionRequest: Codable, Sendable, Equatable {
    public var decision: String
    public var reason: String?
    public var actor: String?
}

public struct ReviewDecisionView: Codable, Sendable, Equatable {
    public var jobID: Int64
    public var decision: String
    public var actor: String
    public var decidedAt: String
    public var reprint: JobView?

    enum CodingKeys: String, CodingKey { case jobID = "job_id", decision, actor, decidedAt = "decided_at", reprint }
}

/// A registration refused by intake (422): the problem with the dead letter it became and every issue.
public struct RejectionProblem: Codable, Sendable, Equatable {
    public struct Issue: Codable, Sendable, Equatable {
        public var code: String
        public var field: String
        public var reason: String
        public var severity: String
    }

    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var correlationID: String
        public var deadLetterID: Int64
        public var issues: [Issue]

        enum CodingKeys: String, CodingKey { case code, message, correlationID = "correlation_id", deadLetterID = "dead_letter_id", issues }
    }

    public var error: Body
}

/// `GET /v1/sync`.
public struct SyncView: Codable, Sendable, Equatable {
    public struct Template: Codable, Sendable, Equatable {
        public var tier: String
        public var name: String
        public var label: String
        public var origin: String
        public var digest: String?
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var subject: String?
    }

    public struct Attendees: Codable, Sendable, Equatable {
        public var event: String
        public var followsChanges: Bool
        public var cursor: Int64?
        public var error: Failure?

        enum CodingKeys: String, CodingKey { case event, followsChanges = "follows_changes", cursor, error }
    }

    public struct RolledBack: Codable, Sendable, Equatable {
        public var target: String
        public var label: String
        public var digest: String
        public var reason: String
        public var at: String
    }

    public var enabled: Bool
    public var templates: [Template]?
    public var lastStable: [Template]?
    public var activatedAt: String?
    public var agentID: String?
    public var freshness: String?
    public var rootVersion: Int?
    public var targetsVersion: Int?
    public var consecutiveFailures: Int?
    public var lastFreshRefresh: String?
    public var lastAttempt: String?
    public var lastError: Failure?
    public var attendees: Attendees?
    public var rolledBack: [RolledBack]?

    public init(enabled: Bool) { self.enabled = enabled }

    enum CodingKeys: String, CodingKey {
        case enabled, templates, lastStable = "last_stable", activatedAt = "activated_at", agentID = "agent_id", freshness
        case rootVersion = "root_version", targetsVersion = "targets_version", consecutiveFailures = "consecutive_failures"
        case lastFreshRefresh = "last_fresh_refresh", lastAttempt = "last_attempt", lastError = "last_error", attendees
        case rolledBack = "rolled_back"
    }
}

/// One event of `GET /v1/jobs/{id}/events`: the job, and whether its printer can print now.
/// A badge's life at a destination off the box, as the handing agent recorded it.
public struct AwayView: Codable, Sendable, Equatable {
    public var destination: String
    /// The destination's own job (the peer's job id, the IPP printer's job id).
    public var remoteJob: String?
    public var remoteState: String?
    /// Which printer printed it there, and where that is.
    public var place: String?
    public var printedAt: String?
    /// When it was last offered (claimed for the destination) and when the destination took it.
    public var offeredAt: String?
    public var handedOverAt: String?

    enum CodingKeys: String, CodingKey {
        case destination, remoteJob = "remote_job", remoteState = "remote_state", place, printedAt = "printed_at"
        case offeredAt = "offered_at", handedOverAt = "handed_over_at"
    }

    init(_ record: DestinationRecord, job: PrintJob) {
        destination = record.destination
        remoteJob = record.remoteRef.flatMap { $0.isEmpty ? nil : $0 }
        remoteState = record.remoteState
        place = record.remotePlace
        printedAt = record.printedAt.map(Timestamps.iso8601)
        offeredAt = job.history.last { $0.to == .sending }.map { Timestamps.iso8601($0.at) }
        handedOverAt = job.history.last { $0.to == .sent }.map { Timestamps.iso8601($0.at) }
    }
}

public struct JobEventView: Codable, Sendable, Equatable {
    public var job: JobView
    public var printer: PrinterReadinessView?
    /// Where the attendee collects the badge, when it prints away from this kiosk (a peer kiosk,
    /// an office printer), in the words of that place's `location`.
    public var collectAt: String?

    enum CodingKeys: String, CodingKey {
        case job, printer, collectAt = "collect_at"
    }
}

/// A printer as a waiting attendee's page needs it: ready or not, and why not.
public struct PrinterReadinessView: Codable, Sendable, Equatable {
    public var ready: Bool
    public var conditions: [String]

    init(_ state: WorkerSnapshot) {
        let blocking = state.status.sortedConditions.filter { $0.blocksPrinting && $0 != .unknown }
        ready = blocking.isEmpty && state.activity != .starting
        conditions = blocking.map(\.rawValue)
    }
}

/// `GET /v1/kiosk/search`: at most a handful of attendees, each only as much as lets a person
/// recognise themselves ("Ada L.", "Example Corp"): no email, no full last name, no ticket.
public struct KioskMatchList: Codable, Sendable, Equatable {
    public var matches: [KioskMatch]
}

public struct KioskMatch: Codable, Sendable, Equatable {
    public var attendeeID: String
    public var name: String
    public var company: String?

    enum CodingKeys: String, CodingKey { case attendeeID = "attendee_id", name, company }

    public init(_ attendee: Attendee) {
        attendeeID = attendee.attendeeID
        let first = attendee.preferredName ?? attendee.firstName ?? ""
        let initial = attendee.lastName?.first.map { "\($0)." }
        name = [first, initial].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        company = attendee.company
    }
}

/// How the attendee wants their name written on the badge (`NameCorrection`); staff give a reason.
public struct NameCorrectionRequest: Codable, Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", reason
    }
}

/// `POST /v1/kiosk/decode`: the QR codes read from a camera frame, none when there is none.
public struct DecodedSymbolList: Codable, Sendable, Equatable {
    public var symbols: [DecodedSymbolView]
}

public struct DecodedSymbolView: Codable, Sendable, Equatable {
    public var text: String
    /// `qr_code`.
    public var format: String

    public init(_ symbol: DecodedSymbol) {
        text = symbol.text
        format = symbol.format.rawValue
    }
}

/// `POST /v1/jobs/{id}/cancel` and `/move`: an operator's action on a queued job, with why.
public struct JobActionRequest: Codable, Sendable, Equatable {
    public var reason: String?
    /// For a move: the printer of this agent the job goes to.
    public var printer: String?

    func requiredReason() throws -> String {
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else {
            throw AgentError(.requestInvalid, "say why, in 1 to 500 characters", detail: "$.reason")
        }
        return reason
    }
}
