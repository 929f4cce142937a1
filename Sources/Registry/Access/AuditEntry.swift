public import Foundation

/// One change made through the registry, with who made it and why: every publication, promotion,
/// rollback and revocation of a release, every attendee push, every agent key forgotten and every
/// token made, rotated or revoked. Entries are only ever added.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Assigned by the store, in the order entries were written; 0 before.
    public var id: Int64
    public var at: Date
    /// The holder of the token used, or the name of the bootstrap credential.
    public var actor: String
    /// The token used; nil for a bootstrap credential or the command line on the server's host.
    public var tokenID: String?
    public var action: AuditAction
    /// What the action was about: a unit, an event, an agent or a token id.
    public var subject: String
    /// Why, as the person or system said.
    public var reason: String?
    /// What came of it, as short key/value facts (versions, counts, digests).
    public var detail: [String: String]
    public var correlationID: String?

    public init(
        at: Date, actor: String, tokenID: String? = nil, action: AuditAction, subject: String, reason: String?,
        detail: [String: String] = [:], correlationID: String? = nil
    ) {
        self.id = 0
        self.at = at
        self.actor = actor
        self.tokenID = tokenID
        self.action = action
        self.subject = subject
        self.reason = reason
        self.detail = detail
        self.correlationID = correlationID
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, tokenID = "token_id", action, subject, reason, detail, correlationID = "correlation_id"
    }

    /// The longest reason kept; longer ones are refused rather than cut.
    public static let maximumReasonLength = 500
}

/// What an audit entry records.
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case releasePublished = "release.published"
    case releasePromoted = "release.promoted"
    case releaseRolledBack = "release.rolled_back"
    case releaseRevoked = "release.revoked"
    case attendeesPushed = "attendees.pushed"
    case agentForgotten = "agent.forgotten"
    case tokenCreated = "token.created"
    case tokenRotated = "token.rotated"
    case tokenRevoked = "token.revoked"
}

extension AuditEntry {
    /// The entry with what a push changed.
    func with(_ result: AttendeePushResult) -> AuditEntry {
        var entry = self
        entry.detail["cursor"] = "\(result.cursor)"
        entry.detail["upserted"] = "\(result.upserted)"
        entry.detail["removed"] = "\(result.removed)"
        entry.detail["unchanged"] = "\(result.unchanged)"
        return entry
    }
}
