/// What a token may do on the registry server. A token carries one or more roles; each request
/// needs one permission, which some roles grant (docs/registry-server.md, "Tokens and roles").
public enum AccessRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Central operations: publishes, promotes, rolls back and revokes releases.
    case publisher
    /// The event's operations: pushes attendee lists and manages the fleet's agents.
    case `operator`
    /// Reads the fleet page and the audit log, changes nothing.
    case viewer
    /// A kiosk: uploads check-ins, print results and reports, and follows the attendee log.
    case kiosk

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One thing a request does, and the roles that may do it.
public enum AccessPermission: String, Sendable, CaseIterable {
    /// Uploads of check-ins, print results and agent reports.
    case upload
    /// The attendee change log a kiosk follows.
    case followAttendees
    /// The fleet's reports, as JSON or as the fleet page, and the audit log.
    case view
    /// Changes to an event's attendee list.
    case pushAttendees
    /// Forgetting an agent's key.
    case manageAgents
    /// Publishing, promoting, rolling back and revoking releases.
    case publish

    public var roles: Set<AccessRole> {
        switch self {
        case .upload, .followAttendees: [.kiosk]
        case .view: [.viewer, .operator, .publisher]
        case .pushAttendees, .manageAgents: [.operator]
        case .publish: [.publisher]
        }
    }

    /// True for permissions that change what the registry holds for everyone: they are never
    /// granted to an anonymous request, even on a registry with no tokens at all.
    public var changesSharedState: Bool {
        switch self {
        case .upload, .followAttendees, .view: false
        case .pushAttendees, .manageAgents, .publish: true
        }
    }
}
