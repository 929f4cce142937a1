public import Foundation

/// What an attendee's ticket entitles them to; drives badge colour bands and kiosk checks.
public enum AccessTier: String, Sendable, Codable, CaseIterable, Hashable {
    case general, vip, speaker, staff, sponsor, press, student
}

/// One attendee after intake: every string is normalised, validated and bounded in length, so
/// templates and the renderer can trust it without re-checking.
public struct Attendee: Sendable, Codable, Equatable, Hashable {
    /// Lower-case UUID; stable across re-imports of the same (source, source_id).
    public var attendeeID: String
    /// Registration system the record came from. Empty only when the record carried an explicit
    /// `attendee_id` and no source.
    public var source: String
    /// The record's id within `source`. Empty only when the record carried an explicit
    /// `attendee_id` and no source_id.
    public var sourceID: String
    public var eventSlug: String
    public var firstName: String?
    public var lastName: String?
    public var preferredName: String?
    /// Local part as given, domain lower-cased.
    public var email: String
    public var company: String?
    public var jobTitle: String?
    /// The ticket type as the registration system wrote it, after text normalisation.
    public var ticketType: String
    public var accessTier: AccessTier
    public var track: String?
    public var sessions: [String]
    public var dietary: [String]
    public var accessibility: [String]
    public var pronouns: String?
    public var locale: String?
    /// The registration instant (UTC internally).
    public var registeredAt: Date?
    /// The UTC offset the data was written in, when it had one; nil for naive timestamps.
    public var registeredAtUTCOffsetSeconds: Int?
    public var custom: [String: String]

    public init(
        attendeeID: String,
        source: String,
        sourceID: String,
        eventSlug: String,
        firstName: String? = nil,
        lastName: String? = nil,
        preferredName: String? = nil,
        email: String,
        company: String? = nil,
        jobTitle: String? = nil,
        ticketType: String,
        accessTier: AccessTier,
        track: String? = nil,
        sessions: [String] = [],
        dietary: [String] = [],
        accessibility: [String] = [],
        pronouns: String? = nil,
        locale: String? = nil,
        registeredAt: Date? = nil,
        registeredAtUTCOffsetSeconds: Int? = nil,
        custom: [String: String] = [:]
    ) {
        self.attendeeID = attendeeID
        self.source = source
        self.sourceID = sourceID
        self.eventSlug = eventSlug
        self.firstName = firstName
        self.lastName = lastName
        self.preferredName = preferredName
        self.email = email
        self.company = company
        self.jobTitle = jobTitle
        self.ticketType = ticketType
        self.accessTier = accessTier
        self.track = track
        self.sessions = sessions
        self.dietary = dietary
        self.accessibility = accessibility
        self.pronouns = pronouns
        self.locale = locale
        self.registeredAt = registeredAt
        self.registeredAtUTCOffsetSeconds = registeredAtUTCOffsetSeconds
        self.custom = custom
    }

    /// The same snake_case names the intake contract uses, so stored attendees read like the input.
    enum CodingKeys: String, CodingKey {
        case attendeeID = "attendee_id"
        case source
        case sourceID = "source_id"
        case eventSlug = "event_slug"
        case firstName = "first_name"
        case lastName = "last_name"
        case preferredName = "preferred_name"
        case email
        case company
        case jobTitle = "job_title"
        case ticketType = "ticket_type"
        case accessTier = "access_tier"
        case track
        case sessions
        case dietary
        case accessibility
        case pronouns
        case locale
        case registeredAt = "registered_at"
        case registeredAtUTCOffsetSeconds = "registered_at_utc_offset_seconds"
        case custom
    }

    /// Every scalar field by its snake_case contract name, as templates address them in
    /// placeholders. Absent optional fields are left out (not mapped to ""), so a template can tell
    /// "missing" from "empty"; list fields are comma-joined; custom fields appear as `custom.<key>`.
    public var fields: [String: String] {
        var result: [String: String] = [
            "attendee_id": attendeeID,
            "event_slug": eventSlug,
            "email": email,
            "ticket_type": ticketType,
            "access_tier": accessTier.rawValue,
            "sessions": sessions.joined(separator: ","),
            "dietary": dietary.joined(separator: ","),
            "accessibility": accessibility.joined(separator: ","),
        ]
        let optional: [(String, String?)] = [
            ("source", source.isEmpty ? nil : source),
            ("source_id", sourceID.isEmpty ? nil : sourceID),
            ("first_name", firstName),
            ("last_name", lastName),
            ("preferred_name", preferredName),
            ("company", company),
            ("job_title", jobTitle),
            ("track", track),
            ("pronouns", pronouns),
            ("locale", locale),
            (
                "registered_at",
                registeredAt.map {
                    RegistrationTimestamp.format($0, utcOffsetSeconds: registeredAtUTCOffsetSeconds)
                }
            ),
        ]
        for case let (name, value?) in optional {
            result[name] = value
        }
        for (key, value) in custom {
            result["custom.\(key)"] = value
        }
        return result
    }
}
