public import Attendees

/// The fields a template sees for one attendee of one event: the attendee contract's fields plus
/// what the event adds (its name, the check-in token and the QR payload that carries it).
public enum BadgeFields {
    /// Every field name a template can use: the attendee contract's, the event's, and any
    /// `custom.NAME` (the registration's own extra fields). docs/templates.md lists them.
    public static let names: [String] = [
        "attendee_id", "event_slug", "email", "ticket_type", "access_tier", "sessions", "dietary", "accessibility", "source",
        "source_id", "first_name", "last_name", "preferred_name", "company", "job_title", "track", "pronouns", "locale",
        "registered_at", "event_name", "check_in_token", "qr_payload",
    ]

    /// Whether `name` is a field some attendee may have (the template's own rules aside).
    public static func isKnown(_ name: String) -> Bool { names.contains(name) || name.hasPrefix("custom.") }

    public static func fields(for attendee: Attendee, event: EventConfiguration) -> [String: String] {
        var fields = attendee.fields
        fields["event_name"] = event.name
        fields["check_in_token"] = CheckIn.token(
            eventSlug: attendee.eventSlug, attendeeID: attendee.attendeeID,
            accessTier: attendee.accessTier, secret: event.checkInSecret)
        fields["qr_payload"] = CheckIn.payload(for: attendee, secret: event.checkInSecret)
        return fields
    }

    /// Event fields for a synthetic attendee of `templates check` (raw fields, not an `Attendee`).
    public static func fields(synthetic raw: [String: String], event: EventConfiguration) -> [String: String] {
        var fields = raw
        let tier = AccessTier(rawValue: raw["access_tier"] ?? "") ?? .general
        let id = raw["attendee_id"] ?? ""
        fields["event_slug"] = event.slug
        fields["event_name"] = event.name
        fields["check_in_token"] = CheckIn.token(
            eventSlug: event.slug, attendeeID: id, accessTier: tier, secret: event.checkInSecret)
        fields["qr_payload"] = CheckIn.payload(eventSlug: event.slug, attendeeID: id, accessTier: tier, secret: event.checkInSecret)
        return fields
    }
}
