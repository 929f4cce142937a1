public import Foundation
public import LanyardSupport
public import TUF

/// What operations publish: whole Lanyard targets (a template, printer profiles, an event's
/// attendee snapshot) as releases in one TUF targets role, each change a new version of that
/// role, then a new snapshot and timestamp (docs/registry-protocol.md). Versions only go up, so
/// "rolling back" a template means listing its earlier release again under a new version;
/// kiosks never have to accept a lower one.
///
/// The role is the top-level `targets` unless told otherwise: a venue publishes into the
/// delegated role its key signs, and the writer refuses a unit outside that role's paths.
public struct RegistryPublisher: Sendable {
    public let repository: URL
    public let writer: TUFRepositoryWriter
    /// The key ring: the role's keys, and the snapshot and timestamp keys.
    public let signers: [TUFSigningKey]
    public let role: String
    public let expiry: TUFExpiryPolicy

    public init(repository: URL, signers: [TUFSigningKey], role: String = "targets", expiry: TUFExpiryPolicy = .init()) {
        self.repository = repository
        self.writer = Self.writer(repository)
        self.signers = signers
        self.role = role
        self.expiry = expiry
    }

    /// The writer of a repository directory: metadata in `metadata/`, target files in `targets/`.
    public static func writer(_ repository: URL) -> TUFRepositoryWriter {
        TUFRepositoryWriter(
            directory: repository.appending(path: RepositoryLayout.metadataDirectory, directoryHint: .isDirectory),
            targetsDirectory: repository.appending(path: RepositoryLayout.targetsDirectory, directoryHint: .isDirectory))
    }

    /// The result of one publication: the new versions and the target as published.
    public struct Publication: Sendable, Equatable {
        /// The version of the role published into, and of the snapshot that lists it.
        public var roleVersion: Int64
        public var snapshotVersion: Int64
        public var name: String
        public var target: Target?

        /// One line for a person: `promoted templates/standard: targets version 7 (snapshot 9);
        /// current v2 (3f2a...); staged v3 (9c1e...) to 25% of the fleet`.
        public func summary(action: String, role: String = "targets") -> String {
            var line = "\(action) \(name): \(role) version \(roleVersion) (snapshot \(snapshotVersion))"
            if let target {
                line += "; current \(target.current.label) (\(target.current.digest.prefix(12)))"
                if let staged = target.staged {
                    line +=
                        "; staged \(staged.release.label) (\(staged.release.digest.prefix(12))) to \(Self.percent(staged.share)) of the fleet"
                }
            }
            return line
        }

        public static func percent(_ share: Double) -> String {
            let value = (share * 10_000).rounded() / 100
            return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
        }
    }

    /// Publishes the files of `directory` (hidden files left out) as a release of target `name`
    /// (`publishFiles`).
    @discardableResult
    public func publishDirectory(
        _ directory: URL, as name: String, kind: TargetKind, scope: TemplateScope?, label: String,
        cursor: Int64? = nil, share: Double = 1, now: Date = Date()
    ) throws(SyncError) -> Publication {
        try publishFiles(
            try Self.releaseFiles(in: directory), as: name, kind: kind, scope: scope, label: label, cursor: cursor, share: share,
            now: now)
    }

    /// Publishes `files` (relative path to contents) as a release of target `name`. With a share
    /// below 1 the release is staged to that share of the fleet and the current release stays for
    /// everyone else; a second staging replaces the first. A template without a scope keeps the
    /// one it had, or is global. Everything a kiosk's catalog would refuse (a kind that is not the
    /// unit's, an empty label, a cursor on anything but an attendee snapshot, a path that is not
    /// plain) is refused here, before anything is signed: one bad release would otherwise make
    /// the whole role unreadable to kiosks.
    @discardableResult
    public func publishFiles(
        _ files: [String: Data], as name: String, kind: TargetKind, scope: TemplateScope?, label: String,
        cursor: Int64? = nil, share: Double = 1, now: Date = Date()
    ) throws(SyncError) -> Publication {
        try Self.checkRelease(name: name, kind: kind, label: label, cursor: cursor, share: share)
        var listed: [String: TargetFile] = [:]
        var contents: [String: [UInt8]] = [:]
        for (relative, data) in files {
            try TargetCatalog.validatePath(relative, in: name)
            let file = TargetFile(sha256: SHA256Digest.hex(data), length: data.count)
            listed[relative] = file
            contents[file.sha256] = Array(data)
        }
        guard !listed.isEmpty else { throw SyncError(.targetInvalid, "there are no files to publish", subject: name) }
        let release = TargetRelease(label: label, files: listed)
        return try change(name, now: now, contents: contents) { existing, _ throws(SyncError) in
            if let existing, existing.kind != kind {
                throw SyncError(.targetInvalid, "\(name) is a \(existing.kind.rawValue) target, not \(kind.rawValue)", subject: name)
            }
            let scope = kind == .template ? scope ?? existing?.scope ?? .global : nil
            guard share < 1 else { return Target(kind: kind, scope: scope, cursor: cursor, current: release, staged: nil) }
            // A staged release is offered beside the current one; without one, "staging" would
            // give the release to the whole fleet at once.
            guard var target = existing else {
                throw SyncError(
                    .targetInvalid, "\(name) has no current release to stage beside: publish it to the whole fleet first", subject: name)
            }
            target.staged = StagedRelease(release: release, share: share)
            return target
        }
    }

    /// The longest label kept: a label is for people, in one line.
    public static let maximumLabelLength = 200

    /// What `publishFiles` refuses before reading anything of the repository.
    static func checkRelease(name: String, kind: TargetKind, label: String, cursor: Int64?, share: Double) throws(SyncError) {
        try TargetName.validate(name)
        _ = try TargetCatalog.basisPoints(share, unit: name)
        let expected: TargetKind = name.hasPrefix("templates/") ? .template : name.hasPrefix("profiles/") ? .profiles : .attendeeSnapshot
        guard kind == expected else {
            throw SyncError(.targetInvalid, "\(name) holds \(expected.rawValue) releases, not \(kind.rawValue)", subject: name)
        }
        guard !label.isEmpty, label.count <= maximumLabelLength, !label.contains(where: \.isNewline) else {
            throw SyncError(.targetInvalid, "a label is 1 to \(maximumLabelLength) characters on one line", subject: name)
        }
        if let cursor {
            guard kind == .attendeeSnapshot, cursor >= 0 else {
                throw SyncError(.targetInvalid, "only an attendee snapshot has a cursor, a whole number", subject: name)
            }
        }
    }

    /// The files of a release directory as `publishDirectory` publishes them: every regular file
    /// but hidden ones, by its path relative to the directory.
    public static func releaseFiles(in directory: URL) throws(SyncError) -> [String: Data] {
        var files: [String: Data] = [:]
        for relative in try listFiles(in: directory) {
            do { files[relative] = try Data(contentsOf: directory.appending(path: relative)) } catch {
                throw SyncError(.io, "cannot read \(relative)", subject: directory.path, underlying: error)
            }
        }
        return files
    }

    /// A warning when other templates are published for `scope` than `name`: kiosks take one
    /// template per scope (event, then track, then global), so a second one there is usually a
    /// mistake, worth naming but not refusing.
    public func scopeWarning(for name: String, scope: TemplateScope) throws(SyncError) -> String? {
        let others = try currentTargets().filter { other in
            other.key != name && other.value.kind == .template && other.value.scope == scope
        }.keys.sorted()
        guard !others.isEmpty else { return nil }
        return "\(name) is not the only template for scope \(scope): \(others.joined(separator: ", ")) "
            + "also applies there, and a kiosk takes one per tier (docs/registry-protocol.md, scope)"
    }

    /// Makes the staged release the current one for the whole fleet.
    @discardableResult
    public func promote(_ name: String, now: Date = Date()) throws(SyncError) -> Publication {
        try change(name, now: now) { existing, _ throws(SyncError) in
            guard var target = existing, let staged = target.staged else {
                throw SyncError(.targetInvalid, "\(name) has no staged release to promote", subject: name)
            }
            target.current = staged.release
            target.staged = nil
            return target
        }
    }

    /// Withdraws a staged release if there is one; otherwise makes the release that was
    /// current before the present one current again.
    @discardableResult
    public func rollback(_ name: String, now: Date = Date()) throws(SyncError) -> Publication {
        try change(name, now: now) { existing, history throws(SyncError) in
            guard var target = existing else { throw SyncError(.targetInvalid, "\(name) is not published", subject: name) }
            if target.staged != nil {
                target.staged = nil
                return target
            }
            guard let previous = try history().first(where: { $0.digest != target.current.digest }) else {
                throw SyncError(.targetInvalid, "\(name) has no earlier release to roll back to", subject: name)
            }
            target.current = previous
            return target
        }
    }

    /// Removes a target: kiosks stop using it (a template tier then falls through to the next).
    @discardableResult
    public func revoke(_ name: String, now: Date = Date()) throws(SyncError) -> Publication {
        try change(name, now: now) { existing, _ throws(SyncError) in
            guard existing != nil else { throw SyncError(.targetInvalid, "\(name) is not published", subject: name) }
            return nil
        }
    }

    /// The Lanyard targets the role lists now.
    public func currentTargets() throws(SyncError) -> [String: Target] {
        let state = try Self.tuf { () throws(TUFError) in try writer.state() }
        guard let version = state.snapshot?.meta["\(role).json"]?.version else { return [:] }
        return try targets(version: version)
    }

    func targets(version: Int64) throws(SyncError) -> [String: Target] {
        let targets = try Self.tuf { () throws(TUFError) in try writer.readTargets(role: role, version: version).targets }
        return try TargetCatalog.targets(from: targets.targets.entries.map { ($0.name, $0.value) })
    }

    /// Current releases of `name` in earlier versions of the role, newest first, without repeats.
    func releaseHistory(of name: String, before version: Int64) -> [TargetRelease] {
        var seen = Set<String>()
        var releases: [TargetRelease] = []
        for earlier in stride(from: version, through: 1, by: -1) {
            guard let release = (try? targets(version: earlier))?[name]?.current else { continue }
            if seen.insert(release.digest).inserted { releases.append(release) }
        }
        return releases
    }

    /// One publication changing the unit `name`: its entries are replaced by those of the edited
    /// target. Files of new releases come from `contents`; files of releases already published
    /// (a promotion, a rollback) are read back from the repository.
    private func change(
        _ name: String, now: Date, contents: [String: [UInt8]] = [:],
        _ edit: (Target?, () throws(SyncError) -> [TargetRelease]) throws(SyncError) -> Target?
    ) throws(SyncError) -> Publication {
        var edited: Target?
        var failure: SyncError?
        let versions = try Self.tuf { () throws(TUFError) -> PublishedVersions in
            try writer.publish(signers: signers, expiry: expiry, now: now) { publication throws(TUFError) in
                do {
                    let published = try publication.published(role)
                    let entries = published?.targets.entries.map { ($0.name, $0.value) } ?? []
                    let existing = try TargetCatalog.targets(from: entries)[name]
                    let version = published?.common.version ?? 0
                    edited = try edit(existing) { () throws(SyncError) in releaseHistory(of: name, before: version) }
                    let next = try edited.map { target throws(SyncError) in try TargetCatalog.entries(for: [name: target]) } ?? []
                    let kept = Set(next.map(\.name))
                    for (path, _) in entries where path.hasPrefix("\(name)/") && !kept.contains(path) {
                        publication.removeTarget(path, role: role)
                    }
                    for entry in next {
                        guard let bytes = contents[entry.file.sha256] ?? writer.storedTarget(entry.name, digest: entry.file.sha256) else {
                            throw SyncError(.io, "the repository lacks the file of \(entry.name)", subject: entry.file.sha256)
                        }
                        try publication.setTarget(entry.name, contents: bytes, custom: entry.custom, role: role)
                    }
                } catch let error as SyncError {
                    failure = error
                    throw TUFError(.publishRefused, error.message, context: name)
                } catch let error as TUFError {
                    throw error
                } catch {
                    throw TUFError(.publishRefused, "\(error)", context: name)
                }
            }
        }
        if let failure { throw failure }
        return Publication(
            roleVersion: versions.targets[role] ?? 0, snapshotVersion: versions.snapshot, name: name, target: edited)
    }

    /// Runs a TUF operation, its refusal carried as a `SyncError` with the TUF error underneath.
    static func tuf<T>(_ body: () throws(TUFError) -> T) throws(SyncError) -> T {
        do { return try body() } catch { throw SyncError(tuf: error) }
    }

    static func listFiles(in directory: URL) throws(SyncError) -> [String] {
        let root = directory.standardizedFileURL.path
        guard
            let enumerator = FileManager.default.enumerator(
                at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            throw SyncError(.io, "cannot list the directory", subject: directory.path)
        }
        var result: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var relative = String(url.standardizedFileURL.path.dropFirst(root.count))
            while relative.hasPrefix("/") { relative.removeFirst() }
            result.append(relative)
        }
        return result.sorted()
    }
}

extension CodedError where Code == SyncErrorCode {
    /// A TUF refusal in the registry protocol's terms, the TUF error kept underneath: the code a
    /// kiosk's status and the operator's command show.
    public init(tuf error: TUFError) {
        let code: SyncErrorCode =
            switch error.code {
            case .expired: .expired
            case .lengthExceeded: .lengthExceeded
            case .hashMismatch, .lengthMismatch: .hashMismatch
            case .versionMismatch: .mixAndMatch
            case .badRootVersion: .rootChainBroken
            case .rollback: .versionRollback
            case .signatureThreshold: .signatureThreshold
            case .keyInvalid: .keyInvalid
            case .io, .fileExists, .repositoryBusy, .storageFailed: .io
            case .publishRefused, .targetNotFound, .delegationNotFound: .targetInvalid
            case .fetchFailed: .transport
            default: .metadataInvalid
            }
        self.init(code, error.message, subject: error.context, underlying: error)
    }
}
