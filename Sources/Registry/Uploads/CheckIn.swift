public import Foundation

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

    func validate(_ path: String) throws(RegistryError) {
        try UploadField.identifier(nonce, path + ".nonce")
        try UploadField.identifier(attendeeID, path + ".attendee_id")
        try UploadField.identifier(event, path + ".event")
        try UploadField.identifier(kioskID, path + ".kiosk_id")
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
public struct CheckInBatchResult: Sendable, Equatable, Encodable {
    public struct Resolved: Sendable, Equatable, Encodable {
        public var event: String
        public var cursor: Int64
        public var resolution: CheckInResolution

        enum CodingKeys: String, CodingKey {
            case event, cursor, attendeeID = "attendee_id", nonce, kioskID = "kiosk_id", scannedAt = "scanned_at"
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
}
