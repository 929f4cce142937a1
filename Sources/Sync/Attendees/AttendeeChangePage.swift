public import Foundation
public import LanyardSupport
public import TUF

/// One page of an event's attendee change log, as the registry server signs it for kiosks
/// (`GET /v1/events/{event}/attendee-changes?since=N`, docs/registry-protocol.md).
///
/// Cursors are the registry's: one sequence for every change it records (attendee upserts and
/// removals, check-in resolutions), so an event's cursors rise but are not consecutive. A page
/// holds the changes after `fromCursor` up to and including `toCursor`, oldest first; `more`
/// says the log goes on past `toCursor`. A page with no changes has `toCursor == fromCursor`.
///
/// The page travels inside a `SignedEnvelope` of type `payloadType`, signed by the timestamp
/// role's keys (the registry's online keys): an attendee list decides whose name goes on a
/// badge, so a kiosk takes no change that a trusted key did not sign. The envelope's type keeps
/// a page from passing for timestamp metadata and the other way round.
public struct AttendeeChangePage: Sendable, Equatable, Codable {
    public static let payloadType = "application/vnd.lanyard.attendee-changes+json"

    public var event: String
    public var fromCursor: Int64
    public var toCursor: Int64
    public var more: Bool
    public var changes: [AttendeeChangeEntry]

    public init(event: String, fromCursor: Int64, toCursor: Int64, more: Bool, changes: [AttendeeChangeEntry]) {
        self.event = event
        self.fromCursor = fromCursor
        self.toCursor = toCursor
        self.more = more
        self.changes = changes
    }

    enum CodingKeys: String, CodingKey {
        case event, fromCursor = "from_cursor", toCursor = "to_cursor", more, changes
    }

    /// The page as a signed envelope, one signature per key.
    public func signed(with keys: [TUFSigningKey]) throws(SyncError) -> SignedEnvelope {
        var envelope = SignedEnvelope(payloadType: Self.payloadType, payload: try CanonicalJSON.encode(self))
        try envelope.sign(with: keys)
        return envelope
    }

    /// Verifies a signed page against the trusted root's timestamp keys and threshold, then
    /// checks that it is the page asked for: this event, starting exactly at `since`, its
    /// changes in rising order inside (`since`, `toCursor`], each complete for its operation.
    /// A page replayed from another event or another cursor is refused here, before any change
    /// is looked at.
    public static func verified(_ data: Data, root: Root, event: String, since: Int64) throws(SyncError) -> AttendeeChangePage {
        let subject = "attendee changes of \(event)"
        let envelope = try SignedEnvelope.decode(data, subject: subject)
        guard envelope.payloadType == payloadType else {
            throw SyncError(.metadataInvalid, "payload type is '\(envelope.payloadType)', expected attendee changes", subject: subject)
        }
        try envelope.requireThreshold(of: "timestamp", in: root, what: "the attendee change page")
        let page = try CanonicalJSON.decode(AttendeeChangePage.self, from: envelope.payload, subject: subject)
        guard page.event == event else {
            throw SyncError(.metadataInvalid, "the page is for event \"\(page.event)\"", subject: subject)
        }
        guard page.fromCursor == since, page.toCursor >= since else {
            throw SyncError(
                .metadataInvalid, "the page runs from cursor \(page.fromCursor) to \(page.toCursor), not from \(since)",
                subject: subject)
        }
        var previous = since
        for (index, change) in page.changes.enumerated() {
            guard change.cursor > previous, change.cursor <= page.toCursor else {
                throw SyncError(
                    .metadataInvalid, "change \(index) has cursor \(change.cursor), out of order or outside the page",
                    subject: subject)
            }
            previous = change.cursor
            try change.validate(subject: subject, index: index)
        }
        if page.changes.isEmpty, page.toCursor != since {
            throw SyncError(.metadataInvalid, "an empty page moves the cursor", subject: subject)
        }
        return page
    }
}

/// One recorded change, flat: `attendee_id` always, then what its operation needs.
///
/// - `upsert`: `registration`, the registration's JSON text in the attendee contract. Kiosks
///   run those exact bytes through their own intake, as they do the lines of a snapshot, so an
///   attendee reads the same whichever way it arrived.
/// - `remove`: nothing more; the attendee left the event.
/// - `check_in_resolved`: `nonce`, `kiosk_id` and `scanned_at` (ISO-8601 in UTC with
///   milliseconds, the one date encoding of every contract, `WireJSON`) of the check-in the
///   registry keeps for the attendee, the earliest scan anywhere.
///
/// An unknown `op` fails decoding, so the whole page is refused: a kiosk that skipped a change
/// it did not understand would claim a cursor whose list it does not hold.
public struct AttendeeChangeEntry: Sendable, Equatable, Codable {
    public enum Operation: String, Sendable, Codable {
        case upsert, remove, checkInResolved = "check_in_resolved"
    }

    public var cursor: Int64
    public var op: Operation
    public var attendeeID: String
    public var registration: String?
    public var nonce: String?
    public var kioskID: String?
    public var scannedAt: Date?

    public init(
        cursor: Int64, op: Operation, attendeeID: String, registration: String? = nil, nonce: String? = nil,
        kioskID: String? = nil, scannedAt: Date? = nil
    ) {
        self.cursor = cursor
        self.op = op
        self.attendeeID = attendeeID
        self.registration = registration
        self.nonce = nonce
        self.kioskID = kioskID
        self.scannedAt = scannedAt
    }

    enum CodingKeys: String, CodingKey {
        case cursor, op, attendeeID = "attendee_id", registration, nonce, kioskID = "kiosk_id", scannedAt = "scanned_at"
    }

    /// The instant is text in `Timestamps` form whatever encoder carries the page (the signed
    /// page is canonical JSON, whose own dates have no fraction).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cursor = try container.decode(Int64.self, forKey: .cursor)
        op = try container.decode(Operation.self, forKey: .op)
        attendeeID = try container.decode(String.self, forKey: .attendeeID)
        registration = try container.decodeIfPresent(String.self, forKey: .registration)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        kioskID = try container.decodeIfPresent(String.self, forKey: .kioskID)
        if let text = try container.decodeIfPresent(String.self, forKey: .scannedAt) {
            guard let date = Timestamps.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .scannedAt, in: container, debugDescription: "not an ISO-8601 instant: \(text)")
            }
            scannedAt = date
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cursor, forKey: .cursor)
        try container.encode(op, forKey: .op)
        try container.encode(attendeeID, forKey: .attendeeID)
        try container.encodeIfPresent(registration, forKey: .registration)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(kioskID, forKey: .kioskID)
        try container.encodeIfPresent(scannedAt.map(Timestamps.iso8601), forKey: .scannedAt)
    }

    func validate(subject: String, index: Int) throws(SyncError) {
        func missing(_ field: String) -> SyncError {
            SyncError(.metadataInvalid, "change \(index) (\(op.rawValue)) has no \(field)", subject: subject)
        }
        if attendeeID.isEmpty { throw missing("attendee_id") }
        switch op {
        case .upsert:
            if registration?.isEmpty ?? true { throw missing("registration") }
        case .remove:
            break
        case .checkInResolved:
            if nonce?.isEmpty ?? true { throw missing("nonce") }
            if kioskID?.isEmpty ?? true { throw missing("kiosk_id") }
            if scannedAt == nil { throw missing("scanned_at") }
        }
    }
}
