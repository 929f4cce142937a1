/// The canonical input field names of the attendee contract (snake_case, as in JSON records),
/// which CSV columns map onto.
public enum AttendeeField: String, Sendable, CaseIterable, Codable {
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
    case track
    case sessions
    case dietary
    case accessibility
    case pronouns
    case locale
    case registeredAt = "registered_at"
    case custom

    /// Longest accepted value, in Unicode scalars after normalisation. Company and job title are
    /// tighter because they are laid out on one or two badge lines at a large size.
    var maximumLength: Int {
        switch self {
        case .company, .jobTitle: 256
        default: 512
        }
    }

    /// True for fields holding a list of strings.
    public var isList: Bool {
        switch self {
        case .sessions, .dietary, .accessibility: true
        default: false
        }
    }

    /// True when `name` is a canonical field or a `custom.<key>` field, as allowed in CSV column
    /// mappings.
    static func isMappable(_ name: String) -> Bool {
        if name.hasPrefix("custom.") { return name.count > "custom.".count }
        guard let field = AttendeeField(rawValue: name) else { return false }
        return field != .custom
    }
}
