public import Foundation
import LanyardSupport

// The uploads a kiosk sends the registry server and the answers it gets: one definition, used
// by the agent to send and by the registry to read, in `WireJSON`.

/// How a print job ended on a kiosk, uploaded once it is final.
public struct PrintResultUpload: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case printed
        case deadLetter = "dead_letter"
        case manualReview = "manual_review"
        case cancelled
    }

    public var nonce: String
    /// The agent's job id; agents send it as a number, other clients may send a string.
    public var jobID: String
    public var attendeeID: String?
    public var state: State
    public var template: String?
    public var templateVersion: String?
    public var tier: String?
    public var finishedAt: Date

    enum CodingKeys: String, CodingKey {
        case nonce, jobID = "job_id", attendeeID = "attendee_id", state, template, templateVersion = "template_version", tier
        case finishedAt = "finished_at"
    }

    public init(
        nonce: String, jobID: String, attendeeID: String?, state: State, template: String?, templateVersion: String?,
        tier: String?, finishedAt: Date
    ) {
        self.nonce = nonce
        self.jobID = jobID
        self.attendeeID = attendeeID
        self.state = state
        self.template = template
        self.templateVersion = templateVersion
        self.tier = tier
        self.finishedAt = finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nonce = try container.decode(String.self, forKey: .nonce)
        if let number = try? container.decode(Int64.self, forKey: .jobID) {
            jobID = String(number)
        } else {
            jobID = try container.decode(String.self, forKey: .jobID)
        }
        attendeeID = try container.decodeIfPresent(String.self, forKey: .attendeeID)
        state = try container.decode(State.self, forKey: .state)
        template = try container.decodeIfPresent(String.self, forKey: .template)
        templateVersion = try container.decodeIfPresent(String.self, forKey: .templateVersion)
        tier = try container.decodeIfPresent(String.self, forKey: .tier)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
    }

}

/// One check-in as a kiosk uploads it: which attendee of which event it scanned, when, and a
/// nonce that makes re-sending it harmless.
public struct CheckInUpload: Sendable, Equatable, Codable {
    public var nonce: String
    public var attendeeID: String
    public var event: String
    public var kioskID: String
    public var scannedAt: Date

    enum CodingKeys: String, CodingKey {
        case nonce, attendeeID = "attendee_id", event, kioskID = "kiosk_id", scannedAt = "scanned_at"
    }

    public init(nonce: String, attendeeID: String, event: String, kioskID: String, scannedAt: Date) {
        self.nonce = nonce
        self.attendeeID = attendeeID
        self.event = event
        self.kioskID = kioskID
        self.scannedAt = scannedAt
    }

}

/// Which check-in counts for an attendee of an event: the first scan anywhere (ties: the
/// smaller nonce), so two kiosks that both let someone in agree afterwards on where and when.
public struct CheckInResolution: Sendable, Equatable, Codable {
    public var attendeeID: String
    public var nonce: String
    public var kioskID: String
    public var scannedAt: Date

    enum CodingKeys: String, CodingKey {
        case attendeeID = "attendee_id", nonce, kioskID = "kiosk_id", scannedAt = "scanned_at"
    }

    /// The instant is written as `WireJSON` writes every date, whatever encoder carries the
    /// resolution: kiosks also keep resolutions in their own store and change pages.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        attendeeID = try container.decode(String.self, forKey: .attendeeID)
        nonce = try container.decode(String.self, forKey: .nonce)
        kioskID = try container.decode(String.self, forKey: .kioskID)
        let text = try container.decode(String.self, forKey: .scannedAt)
        guard let date = Timestamps.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: .scannedAt, in: container, debugDescription: "not an ISO-8601 instant: \(text)")
        }
        scannedAt = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attendeeID, forKey: .attendeeID)
        try container.encode(nonce, forKey: .nonce)
        try container.encode(kioskID, forKey: .kioskID)
        try container.encode(Timestamps.iso8601(scannedAt), forKey: .scannedAt)
    }

    public init(attendeeID: String, nonce: String, kioskID: String, scannedAt: Date) {
        self.attendeeID = attendeeID
        self.nonce = nonce
        self.kioskID = kioskID
        self.scannedAt = scannedAt
    }
}

/// The answer to a check-in batch. `resolutions` holds, for every attendee the batch named, the
/// check-in that now counts and the event cursor at which it was decided; a kiosk whose own
/// nonce is not the winner's learns at once that another kiosk scanned the attendee first.
public struct CheckInBatchResult: Sendable, Equatable, Codable {
    public struct Resolved: Sendable, Equatable, Codable {
        public var event: String
        public var cursor: Int64
        public var resolution: CheckInResolution

        enum CodingKeys: String, CodingKey {
            case event, cursor, attendeeID = "attendee_id", nonce, kioskID = "kiosk_id", scannedAt = "scanned_at"
        }

        public init(event: String, cursor: Int64, resolution: CheckInResolution) {
            self.event = event
            self.cursor = cursor
            self.resolution = resolution
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            event = try container.decode(String.self, forKey: .event)
            cursor = try container.decode(Int64.self, forKey: .cursor)
            resolution = CheckInResolution(
                attendeeID: try container.decode(String.self, forKey: .attendeeID),
                nonce: try container.decode(String.self, forKey: .nonce),
                kioskID: try container.decode(String.self, forKey: .kioskID),
                scannedAt: try container.decode(Date.self, forKey: .scannedAt))
        }

        /// Flat: the resolution's fields beside the event and cursor.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(event, forKey: .event)
            try container.encode(cursor, forKey: .cursor)
            try container.encode(resolution.attendeeID, forKey: .attendeeID)
            try container.encode(resolution.nonce, forKey: .nonce)
            try container.encode(resolution.kioskID, forKey: .kioskID)
            try container.encode(resolution.scannedAt, forKey: .scannedAt)
        }
    }

    public var accepted: Int
    public var duplicates: Int
    public var resolutions: [Resolved]

    public init(accepted: Int, duplicates: Int, resolutions: [Resolved]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.resolutions = resolutions
    }
}

/// What every upload endpoint takes: `{"items": [...]}`, each item carrying its own nonce so a
/// batch re-sent after a lost answer changes nothing.
public struct UploadBatch<Item: Codable & Sendable>: Codable, Sendable {
    /// More than this in one request is refused; kiosks send their outbox in pages.
    public static var maximumItems: Int { 1_000 }

    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}

/// How many items of a batch were new and how many had been received before.
public struct UploadBatchResult: Sendable, Equatable, Codable {
    public var accepted: Int
    public var duplicates: Int

    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}
