public import Foundation
public import LanyardSupport

// A publication sent to the registry server (`POST /v1/publications`) and its answer: one
// definition, used by `lanyard registry publish --registry` to send and by the server to read,
// in `WireJSON` (docs/registry-server.md, "Publishing through the server").

/// What a publication does to a unit, as `lanyard registry` names its commands.
public enum PublicationAction: String, Sendable, Codable, CaseIterable {
    case publish
    case promote
    case rollback
    case revoke

    /// The word of the summary line: `published`, `staged`, `promoted`, `rolled back`, `revoked`.
    public func done(share: Double = 1) -> String {
        switch self {
        case .publish: share < 1 ? "staged" : "published"
        case .promote: "promoted"
        case .rollback: "rolled back"
        case .revoke: "revoked"
        }
    }
}

/// One publication: the action, the unit it changes and the targets role it is signed into; for
/// `publish`, the release itself, its files as base64 in JSON.
public struct PublicationRequest: Sendable, Equatable, Codable {
    public var action: PublicationAction
    /// The unit: `templates/NAME`, `profiles/NAME` or `attendees/EVENT`.
    public var target: String
    /// `targets`, or a delegated role such as a venue's.
    public var role: String
    // Only for `publish`:
    public var kind: TargetKind?
    /// A template's scope; nil keeps the one it had (or global).
    public var scope: TemplateScope?
    public var label: String?
    /// The share of the fleet to stage the release to; nil or 1 publishes it to everyone.
    public var share: Double?
    /// The cursor an attendee snapshot is at.
    public var cursor: Int64?
    /// Relative path inside the release to the file's bytes.
    public var files: [String: Data]?

    public static let defaultRole = "targets"
    /// Files one release may have; a template bundle has a few dozen.
    public static let maximumFiles = 10_000

    public init(
        action: PublicationAction, target: String, role: String = defaultRole, kind: TargetKind? = nil, scope: TemplateScope? = nil,
        label: String? = nil, share: Double? = nil, cursor: Int64? = nil, files: [String: Data]? = nil
    ) {
        self.action = action
        self.target = target
        self.role = role
        self.kind = kind
        self.scope = scope
        self.label = label
        self.share = share
        self.cursor = cursor
        self.files = files
    }

    /// A `publish` of the files of `directory`, read as `RegistryPublisher.publishDirectory` reads
    /// them (hidden files left out).
    public static func publish(
        directory: URL, target: String, kind: TargetKind, scope: TemplateScope?, label: String, share: Double = 1,
        cursor: Int64? = nil, role: String = defaultRole
    ) throws(SyncError) -> PublicationRequest {
        PublicationRequest(
            action: .publish, target: target, role: role, kind: kind, scope: scope, label: label, share: share, cursor: cursor,
            files: try RegistryPublisher.releaseFiles(in: directory))
    }

    enum CodingKeys: String, CodingKey {
        case action, target, role, kind, scope, label, share, cursor, files
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(PublicationAction.self, forKey: .action)
        target = try container.decode(String.self, forKey: .target)
        role = try container.decodeIfPresent(String.self, forKey: .role) ?? Self.defaultRole
        kind = try container.decodeIfPresent(TargetKind.self, forKey: .kind)
        scope = try container.decodeIfPresent(TemplateScope.self, forKey: .scope)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        share = try container.decodeIfPresent(Double.self, forKey: .share)
        cursor = try container.decodeIfPresent(Int64.self, forKey: .cursor)
        files = try container.decodeIfPresent([String: Data].self, forKey: .files)
    }

    /// Refuses a request that is not a whole, safe publication, before anything is signed: the
    /// unit's and role's names, the fields of a `publish` (and only of a `publish`), and every
    /// file path as the catalog takes it (relative, no `..`, no empty or hidden part, at most
    /// `TargetCatalog.maximumPathDepth` parts). The error's subject is the field or path at fault.
    public func validate() throws(SyncError) {
        do { try TargetName.validate(target) } catch { throw SyncError(.targetInvalid, error.message, subject: "target") }
        guard Self.isRoleName(role) else {
            throw SyncError(.targetInvalid, "a role is named with 1 to 64 letters, digits, '-', '_' or '.'", subject: "role")
        }
        guard action == .publish else {
            let given =
                [("kind", kind != nil), ("scope", scope != nil), ("label", label != nil), ("share", share != nil)]
                + [("cursor", cursor != nil), ("files", files != nil)]
            if let field = given.first(where: \.1)?.0 {
                throw SyncError(.targetInvalid, "\(field) is for a publish, not a \(action.rawValue)", subject: field)
            }
            return
        }
        guard let kind else { throw SyncError(.targetInvalid, "a publish says the release's kind", subject: "kind") }
        guard let label else { throw SyncError(.targetInvalid, "a publish gives the release a label", subject: "label") }
        guard let files, !files.isEmpty else { throw SyncError(.targetInvalid, "a publish has at least one file", subject: "files") }
        guard files.count <= Self.maximumFiles else {
            throw SyncError(.targetInvalid, "a release has at most \(Self.maximumFiles) files", subject: "files")
        }
        if scope != nil, kind != .template { throw SyncError(.targetInvalid, "only a template has a scope", subject: "scope") }
        do {
            try RegistryPublisher.checkRelease(name: target, kind: kind, label: label, cursor: cursor, share: share ?? 1)
        } catch {
            throw SyncError(.targetInvalid, error.message, subject: "publish")
        }
        for path in files.keys.sorted() {
            do { try TargetCatalog.validatePath(path, in: target) } catch {
                throw SyncError(.targetInvalid, error.message, subject: path)
            }
            // "a" and "a/b" cannot both be files of one release unpacked on a kiosk.
            if files.keys.contains(where: { $0.hasPrefix(path + "/") }) {
                throw SyncError(.targetInvalid, "file path '\(path)' is also a directory of another file", subject: path)
            }
        }
    }

    static func isRoleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name != "." && name != ".."
            && name.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
                    || byte == 0x5F || byte == 0x2E
            }
    }
}

/// What a publication made: the versions signed, the unit's releases as they now stand and the
/// summary line the command line prints, as `RegistryPublisher.Publication` says it.
public struct PublicationResult: Sendable, Equatable, Codable {
    /// A release as people name it: its label and digest, and the share of a staged one.
    public struct Release: Sendable, Equatable, Codable {
        public var label: String
        public var digest: String
        public var share: Double?

        public init(label: String, digest: String, share: Double? = nil) {
            self.label = label
            self.digest = digest
            self.share = share
        }
    }

    public var action: PublicationAction
    public var target: String
    public var role: String
    public var roleVersion: Int64
    public var snapshotVersion: Int64
    /// Nil once the unit is revoked.
    public var current: Release?
    public var staged: Release?
    /// `published templates/standard: targets version 7 (snapshot 9); current 1.0.0 (3f2a...)`.
    public var summary: String
    /// What the person should know but that did not stop the publication (another template in
    /// the same scope, an audit entry that could not be written).
    public var warnings: [String]

    public init(
        action: PublicationAction, target: String, role: String, roleVersion: Int64, snapshotVersion: Int64, current: Release?,
        staged: Release?, summary: String, warnings: [String] = []
    ) {
        self.action = action
        self.target = target
        self.role = role
        self.roleVersion = roleVersion
        self.snapshotVersion = snapshotVersion
        self.current = current
        self.staged = staged
        self.summary = summary
        self.warnings = warnings
    }

    /// The result of `publication`, made by `action` (with `share` for a publish) in `role`.
    public init(_ publication: RegistryPublisher.Publication, action: PublicationAction, share: Double = 1, role: String) {
        self.init(
            action: action, target: publication.name, role: role, roleVersion: publication.roleVersion,
            snapshotVersion: publication.snapshotVersion,
            current: publication.target.map { Release(label: $0.current.label, digest: $0.current.digest) },
            staged: publication.target?.staged.map { Release(label: $0.release.label, digest: $0.release.digest, share: $0.share) },
            summary: publication.summary(action: action.done(share: share), role: role))
    }

    enum CodingKeys: String, CodingKey {
        case action, target, role, roleVersion = "role_version", snapshotVersion = "snapshot_version", current, staged, summary
        case warnings
    }
}
