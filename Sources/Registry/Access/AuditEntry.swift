public import Foundation
public import Sync

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

extension AuditAction {
    /// The entry a publication's action makes.
    public init(_ action: PublicationAction) {
        switch action {
        case .publish: self = .releasePublished
        case .promote: self = .releasePromoted
        case .rollback: self = .releaseRolledBack
        case .revoke: self = .releaseRevoked
        }
    }
}

extension AuditEntry {
    /// The entry of a publication, made through the server or on the command line: the role and
    /// versions signed, and the release acted on (the one staged by a staged publish, else the
    /// one the fleet now runs; none once revoked).
    public static func publication(
        _ result: PublicationResult, actor: String, tokenID: String? = nil, reason: String?, correlationID: String? = nil,
        at now: Date = Date()
    ) -> AuditEntry {
        AuditEntry(
            at: now, actor: actor, tokenID: tokenID, action: AuditAction(result.action), subject: result.target, reason: reason,
            correlationID: correlationID
        ).with(result)
    }

    /// The entry with what a publication signed.
    func with(_ result: PublicationResult) -> AuditEntry {
        var entry = self
        entry.detail["role"] = result.role
        entry.detail["role_version"] = "\(result.roleVersion)"
        entry.detail["snapshot_version"] = "\(result.snapshotVersion)"
        let release = result.action == .publish ? result.staged ?? result.current : result.current
        if let release {
            entry.detail["label"] = release.label
            entry.detail["digest"] = release.digest
            if let share = release.share { entry.detail["share"] = RegistryPublisher.Publication.percent(share) }
        }
        return entry
    }

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
