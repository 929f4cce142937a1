import Foundation

/// What one replica tells the others with NOTIFY: only that something changed, and up to where.
/// The durable state (the database's change log, the repository directory) stays the truth; a
/// notice only wakes the kiosks waiting on a replica, which then read that state.
enum ReplicaNotice: Equatable {
    /// An event's change log moved to `cursor` (attendees pushed, a check-in winner decided).
    case attendees(event: String, cursor: Int64)
    /// A replica read new versions from `timestamp.json`.
    case repository(RepositoryVersions)

    private struct Wire: Codable {
        var event: String?
        var cursor: Int64?
        var repository: RepositoryVersions?
    }

    /// JSON text, well under NOTIFY's 8,000-byte limit (an event id is at most 128 bytes).
    func encoded() -> String {
        let wire: Wire =
            switch self {
            case .attendees(let event, let cursor): Wire(event: event, cursor: cursor)
            case .repository(let versions): Wire(repository: versions)
            }
        return String(decoding: RegistryJSON.encode(wire), as: UTF8.self)
    }

    /// Nil for a payload this version does not know (a newer replica's): it is ignored.
    init?(payload: String) {
        guard let wire = try? RegistryJSON.decode(Wire.self, from: Data(payload.utf8), what: "notice") else { return nil }
        if let event = wire.event, let cursor = wire.cursor {
            self = .attendees(event: event, cursor: cursor)
        } else if let versions = wire.repository {
            self = .repository(versions)
        } else {
            return nil
        }
    }
}
