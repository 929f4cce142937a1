public import Attendees
import Foundation

/// The fields a template sees for one attendee of one event: the attendee contract's fields plus
/// what the event adds (its name, the check-in token and the QR payload that carries it).
public enum BadgeFields {
    /// Every field name a template can use: the attendee contract's, the event's, and any
    /// `custom.NAME` (the registration's own extra fields). docs/templates.md lists them.
    public static let names: [String] = [
        "attendee_id", "event_slug", "email", "ticket_type", "access_tier", "sessions", "dietary", "accessibility", "source",
        "source_id", "first_name", "last_name", "preferred_name", "company", "job_title", "track", "pronouns", "locale",
        "registered_at", "event_name", "check_in_token", "qr_payload", "given_name", "family_name", "full_name",
        "full_name_given_first", "full_name_family_first", "name_order", "sessions_text",
    ]

    /// Whether `name` is a field some attendee may have (the template's own rules aside).
    public static func isKnown(_ name: String) -> Bool { names.contains(name) || name.hasPrefix("custom.") }

    public static func fields(for attendee: Attendee, event: EventConfiguration) -> [String: String] {
        var fields = attendee.fields
        addDerivedFields(to: &fields, sessions: attendee.sessions)
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
        addDerivedFields(to: &fields, sessions: (raw["sessions"] ?? "").split(separator: ",").map(String.init))
        let tier = AccessTier(rawValue: raw["access_tier"] ?? "") ?? .general
        let id = raw["attendee_id"] ?? ""
        fields["event_slug"] = event.slug
        fields["event_name"] = event.name
        fields["check_in_token"] = CheckIn.token(
            eventSlug: event.slug, attendeeID: id, accessTier: tier, secret: event.checkInSecret)
        fields["qr_payload"] = CheckIn.payload(eventSlug: event.slug, attendeeID: id, accessTier: tier, secret: event.checkInSecret)
        return fields
    }

    /// Fields made from others, the same for real and synthetic attendees: the name in the
    /// attendee's customary order (`NameOrder`), with the preferred name standing for the given
    /// name, both fixed orders for templates that choose their own, and the sessions as one line.
    static func addDerivedFields(to fields: inout [String: String], sessions: [String]) {
        let given = [fields["preferred_name"], fields["first_name"]].compactMap { $0 }.first { !$0.isEmpty }
        let family = fields["last_name"]
        let order = NameOrder(locale: fields["locale"])
        let derived: [(String, String)] = [
            ("given_name", given ?? ""),
            ("family_name", family ?? ""),
            ("full_name", order.join(given: given, family: family)),
            ("full_name_given_first", NameOrder.givenFirst.join(given: given, family: family)),
            ("full_name_family_first", NameOrder.familyFirst.join(given: given, family: family)),
            ("name_order", order.rawValue),
            ("sessions_text", sessions.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " · ")),
        ]
        for (name, value) in derived where !value.isEmpty {
            fields[name] = value
        }
    }
}
