public import Attendees
import Foundation
public import LanyardSupport
public import Store

// The operator page's bodies (docs/openapi.yaml, "operator"): Codable, snake_case on the wire.
// The page polls one document, `GET /v1/operator/overview`, every two seconds while it is on
// screen; every list in it is bounded.

/// `GET /v1/operator/overview`.
public struct OperatorOverview: Codable, Sendable, Equatable {
    public var generatedAt: String
    public var health: OperatorHealthView
    /// The newest jobs, newest first.
    public var jobs: [OperatorJobView]
    /// Dead letters not yet replayed, newest first.
    public var deadLetters: [DeadLetterView]
    /// Jobs waiting for an operator's decision, oldest first.
    public var manualReview: [OperatorJobView]
    /// The latest check-ins at this kiosk.
    public var checkIns: [OperatorCheckInView]
    public var series: OutcomeSeriesView
    /// Badges past their deadline with no place left to go, or held where they cannot move.
    public var overdue: [OperatorJobView]
    /// Peer kiosks and office printers off the box.
    public var destinations: [DestinationStatus]
    /// The alert conditions the agent evaluates for a kiosk with no Prometheus.
    public var alerts: OperatorAlertsView

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", health, jobs, deadLetters = "dead_letters", manualReview = "manual_review"
        case checkIns = "check_ins", series, overdue, destinations
        case alerts
    }
}

/// A job as an operator scans a list of them: who it is for and when it reached each step.
public struct OperatorJobView: Codable, Sendable, Equatable {
    public var id: Int64
    public var state: String
    public var printer: String
    public var attempts: Int
    public var attendeeID: String?
    /// The name on the badge, as the job's request has it.
    public var attendeeName: String?
    public var reprintOf: Int64?
    public var lastError: String?
    public var queuedAt: String
    /// The last time every byte reached the printer.
    public var sentAt: String?
    public var printedAt: String?
    /// The last change; for a job in review, when it got there.
    public var updatedAt: String
    /// For a job in manual review: what the worker knew.
    public var diagnostic: JSONValue?

    enum CodingKeys: String, CodingKey {
        case id, state, printer, attempts, attendeeID = "attendee_id", attendeeName = "attendee_name", reprintOf = "reprint_of"
        case lastError = "last_error", queuedAt = "queued_at", sentAt = "sent_at", printedAt = "printed_at"
        case updatedAt = "updated_at", diagnostic
    }

    public init(_ job: PrintJob) {
        id = job.id
        state = job.state.apiName
        printer = job.printerID
        attempts = job.attempts
        attendeeID = job.attendeeID
        attendeeName = (try? JSONDecoder().decode(Attendee.self, from: job.payload)).flatMap(\.displayName)
        reprintOf = job.reprintOf
        lastError = job.lastError
        queuedAt = Timestamps.iso8601(job.createdAt)
        sentAt = job.history.last { $0.to == .sent }.map { Timestamps.iso8601($0.at) }
        printedAt = job.history.first { $0.to == .printed }.map { Timestamps.iso8601($0.at) }
        updatedAt = Timestamps.iso8601(job.updatedAt)
        diagnostic = job.state == .manualReview ? job.diagnostic.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } : nil
    }
}

/// `GET /v1/checkins`.
public struct CheckInList: Codable, Sendable, Equatable {
    public var checkIns: [OperatorCheckInView]

    enum CodingKeys: String, CodingKey { case checkIns = "check_ins" }
}

public struct OperatorCheckInView: Codable, Sendable, Equatable {
    /// Pages the list: `GET /v1/checkins?before=<id>` continues after this one.
    public var id: Int64
    public var attendeeID: String
    /// Nil when the attendee is no longer in this kiosk's list.
    public var attendeeName: String?
    public var kioskID: String
    public var scannedAt: String

    enum CodingKeys: String, CodingKey {
        case id, attendeeID = "attendee_id", attendeeName = "attendee_name", kioskID = "kiosk_id", scannedAt = "scanned_at"
    }

    public init(_ listed: ListedCheckIn, attendee: Attendee?) {
        id = listed.id
        attendeeID = listed.checkIn.attendeeID
        attendeeName = attendee?.displayName
        kioskID = listed.checkIn.kioskID
        scannedAt = ScanTime.text(listed.checkIn.scannedAt)
    }
}

/// Whether the kiosk can print and for how long it can go on: its printers (each one's state,
/// as `GET /v1/printers`, and why it is out of order, as `GET /v1/ready`), the registry
/// metadata's age and the data directory's free space.
public struct OperatorHealthView: Codable, Sendable, Equatable {
    public var printers: [PrinterView]
    public var readiness: ReadyView
    public var registry: RegistryHealthView
    /// Nil when the file system cannot be asked.
    public var disk: DiskSpaceView?
    /// Unfinished jobs on every printer.
    public var queueDepth: Int
    public var simulatedPrinter: Bool?

    enum CodingKeys: String, CodingKey {
        case printers, readiness, registry, disk, queueDepth = "queue_depth", simulatedPrinter = "simulated_printer"
    }
}

public struct RegistryHealthView: Codable, Sendable, Equatable {
    /// False when the kiosk runs on its local templates and list, with no registry.
    public var enabled: Bool
    /// fresh, stale, expired or unknown (before the first refresh).
    public var freshness: String?
    public var lastFreshRefresh: String?
    /// Seconds since the last successful refresh.
    public var ageSeconds: Int?
    /// True when the metadata the kiosk trusts is anything but fresh.
    public var stale: Bool

    enum CodingKeys: String, CodingKey {
        case enabled, freshness, lastFreshRefresh = "last_fresh_refresh", ageSeconds = "age_seconds", stale
    }
}

/// The file system holding the data directory (the spool, the attendee list, the audit trail).
public struct DiskSpaceView: Codable, Sendable, Equatable {
    /// What an unprivileged process may still write.
    public var freeBytes: Int64
    public var totalBytes: Int64
    public var freePercent: Double

    enum CodingKeys: String, CodingKey { case freeBytes = "free_bytes", totalBytes = "total_bytes", freePercent = "free_percent" }
}

/// How jobs ended over the last hours, in buckets of a fixed length aligned to the clock.
public struct OutcomeSeriesView: Codable, Sendable, Equatable {
    public struct Bucket: Codable, Sendable, Equatable {
        public var start: String
        public var printed: Int
        public var deadLettered: Int
        public var manualReview: Int
        /// printed / (printed + dead_lettered + manual_review); absent when no job ended.
        public var successRatio: Double?

        enum CodingKeys: String, CodingKey {
            case start, printed, deadLettered = "dead_lettered", manualReview = "manual_review", successRatio = "success_ratio"
        }

        init(_ bucket: OutcomeBucket) {
            start = Timestamps.iso8601(bucket.start)
            printed = bucket.printed
            deadLettered = bucket.deadLettered
            manualReview = bucket.manualReview
            successRatio = bucket.successRatio
        }
    }

    public var hours: Int
    public var bucketSeconds: Int
    /// Oldest first; the last one holds now.
    public var buckets: [Bucket]
    /// The whole window as one bucket (its start is the first bucket's).
    public var total: Bucket

    enum CodingKeys: String, CodingKey { case hours, bucketSeconds = "bucket_seconds", buckets, total }

    init(hours: Int, bucketSeconds: Int, buckets: [OutcomeBucket]) {
        self.hours = hours
        self.bucketSeconds = bucketSeconds
        self.buckets = buckets.map(Bucket.init)
        var sum = OutcomeBucket(start: buckets.first?.start ?? Date())
        for bucket in buckets {
            sum.printed += bucket.printed
            sum.deadLettered += bucket.deadLettered
            sum.manualReview += bucket.manualReview
        }
        total = Bucket(sum)
    }
}

extension Attendee {
    /// The name an operator knows the attendee by: the preferred or first name and the last.
    var displayName: String? {
        let name = [preferredName ?? firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        return name.isEmpty ? nil : name
    }
}
