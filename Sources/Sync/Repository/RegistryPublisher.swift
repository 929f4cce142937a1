public import Foundation

/// What operations publish: whole targets, each change a new targets version. Versions only go
/// up, so "rolling back" a template means publishing its earlier release again under a new
/// version; kiosks never have to accept a lower one.
public struct RegistryPublisher: Sendable {
    public let writer: RepositoryWriter
    public let targetsKeys: [SigningKey]
    public let timestampKeys: [SigningKey]
    public let expiry: ExpiryPolicy

    public init(repository: URL, targetsKeys: [SigningKey], timestampKeys: [SigningKey], expiry: ExpiryPolicy = .init()) {
        self.writer = RepositoryWriter(directory: repository)
        self.targetsKeys = targetsKeys
        self.timestampKeys = timestampKeys
        self.expiry = expiry
    }

    /// The result of one publication: the new targets version and the target as published.
    public struct Publication: Sendable, Equatable {
        public var targetsVersion: Int
        public var name: String
        public var target: Target?

        /// One line for a person: `promoted templates/standard: targets version 7; current v2
        /// (3f2a...); staged v3 (9c1e...) to 25% of the fleet`.
        public func summary(action: String) -> String {
            var line = "\(action) \(name): targets version \(targetsVersion)"
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
            let value = (share * 1000).rounded() / 10
            return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
        }
    }

    /// Publishes the files of `directory` (hidden files left out) as a release of target `name`.
    /// With a share below 1 the release is staged to that share of the fleet and the current
    /// release stays for everyone else; a second staging replaces the first.
    @discardableResult
    public func publishDirectory(
        _ directory: URL, as name: String, kind: TargetKind, scope: TemplateScope?, label: String,
        cursor: Int64? = nil, share: Double = 1, now: Date = Date()
    ) throws(SyncError) -> Publication {
        try TargetName.validate(name)
        guard share > 0, share <= 1 else { throw SyncError(.targetInvalid, "a share is above 0 and at most 1", subject: name) }
        var files: [String: TargetFile] = [:]
        for relative in try Self.listFiles(in: directory) {
            try TargetName.validatePath(relative, in: name)
            let data: Data
            do { data = try Data(contentsOf: directory.appending(path: relative)) } catch {
                throw SyncError(.io, "cannot read \(relative)", subject: directory.path, underlying: error)
            }
            files[relative] = try writer.storeBlob(data)
        }
        guard !files.isEmpty else { throw SyncError(.targetInvalid, "there are no files to publish", subject: directory.path) }
        let release = TargetRelease(label: label, files: files)
        return try change(name, now: now) { existing throws(SyncError) in
            if var target = existing, share < 1 {
                guard target.kind == kind else {
                    throw SyncError(.targetInvalid, "\(name) is a \(target.kind.rawValue) target, not \(kind.rawValue)", subject: name)
                }
                target.staged = StagedRelease(release: release, share: share)
                return target
            }
            if let existing, existing.kind != kind {
                throw SyncError(.targetInvalid, "\(name) is a \(existing.kind.rawValue) target, not \(kind.rawValue)", subject: name)
            }
            return Target(kind: kind, scope: scope ?? existing?.scope, cursor: cursor, current: release, staged: nil)
        }
    }

    /// Makes the staged release the current one for the whole fleet.
    @discardableResult
    public func promote(_ name: String, now: Date = Date()) throws(SyncError) -> Publication {
        try change(name, now: now) { existing throws(SyncError) in
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
        let history = try releaseHistory(of: name)
        return try change(name, now: now) { existing throws(SyncError) in
            guard var target = existing else { throw SyncError(.targetInvalid, "\(name) is not published", subject: name) }
            if target.staged != nil {
                target.staged = nil
                return target
            }
            guard let previous = history.first(where: { $0.digest != target.current.digest }) else {
                throw SyncError(.targetInvalid, "\(name) has no earlier release to roll back to", subject: name)
            }
            target.current = previous
            return target
        }
    }

    /// Removes a target: kiosks stop using it (a template tier then falls through to the next).
    @discardableResult
    public func revoke(_ name: String, now: Date = Date()) throws(SyncError) -> Publication {
        try change(name, now: now) { existing throws(SyncError) in
            guard existing != nil else { throw SyncError(.targetInvalid, "\(name) is not published", subject: name) }
            return nil
        }
    }

    /// Current releases of `name` in earlier targets versions, newest first, without repeats.
    func releaseHistory(of name: String) throws(SyncError) -> [TargetRelease] {
        guard let latest = try writer.currentTimestamp()?.targets.version else { return [] }
        var seen = Set<String>()
        var releases: [TargetRelease] = []
        for version in stride(from: latest, through: 1, by: -1) {
            guard let release = (try? writer.targets(version: version))?.targets[name]?.current else { continue }
            if seen.insert(release.digest).inserted { releases.append(release) }
        }
        return releases
    }

    private func change(_ name: String, now: Date, _ edit: (Target?) throws(SyncError) -> Target?) throws(SyncError) -> Publication {
        let current = try writer.currentTargets()
        var targets = current?.targets ?? [:]
        targets[name] = try edit(targets[name])
        let next = TargetsMetadata(
            version: (current?.version ?? 0) + 1,
            expires: RepositoryWriter.wholeSeconds(now.addingTimeInterval(expiry.targets)), targets: targets)
        try writer.publish(next, targetsKeys: targetsKeys, timestampKeys: timestampKeys, expiry: expiry, now: now)
        return Publication(targetsVersion: next.version, name: name, target: targets[name])
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
