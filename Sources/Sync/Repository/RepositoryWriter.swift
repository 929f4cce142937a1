public import Foundation

/// Expiry periods for new metadata. The timestamp is short-lived on purpose: the registry
/// server re-signs it (`refreshTimestamp`) well before it runs out.
public struct ExpiryPolicy: Sendable, Equatable {
    public var root: TimeInterval
    public var targets: TimeInterval
    public var timestamp: TimeInterval

    public init(root: TimeInterval = 365 * 86_400, targets: TimeInterval = 90 * 86_400, timestamp: TimeInterval = 86_400) {
        self.root = root
        self.targets = targets
        self.timestamp = timestamp
    }
}

/// The registry side of a repository directory: writes blobs, signs and writes metadata. The
/// order of writes is what keeps a repository consistent for readers at every instant: blobs
/// first, then the targets file, and last the timestamp, replaced by an atomic rename. A reader
/// that sees the new timestamp finds everything it names.
public struct RepositoryWriter: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    // MARK: Reading the current state

    /// The highest root version present.
    public func latestRootVersion() throws(SyncError) -> Int {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.appending(path: "root").path) } catch {
            throw SyncError(.io, "not a repository: it has no root/ directory", subject: directory.path, underlying: error)
        }
        let versions = names.compactMap { $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil }
        guard let latest = versions.max() else { throw SyncError(.io, "not a repository: no root metadata", subject: directory.path) }
        return latest
    }

    public func read(_ relative: String) throws(SyncError) -> Data {
        do { return try Data(contentsOf: directory.appending(path: relative)) } catch {
            throw SyncError(.io, "cannot read \(relative)", subject: directory.path, underlying: error)
        }
    }

    public func currentRoot() throws(SyncError) -> (RootMetadata, SignedEnvelope) {
        let envelope = try TrustedMetadata.envelope(try read(RepositoryLayout.root(version: try latestRootVersion())), role: .root)
        return (try TrustedMetadata.decodeRoot(envelope), envelope)
    }

    public func currentTimestamp() throws(SyncError) -> TimestampMetadata? {
        guard FileManager.default.fileExists(atPath: directory.appending(path: RepositoryLayout.timestamp).path) else { return nil }
        let envelope = try TrustedMetadata.envelope(try read(RepositoryLayout.timestamp), role: .timestamp)
        return try CanonicalJSON.decode(TimestampMetadata.self, from: envelope.payload, subject: "timestamp")
    }

    public func targets(version: Int) throws(SyncError) -> TargetsMetadata {
        let envelope = try TrustedMetadata.envelope(try read(RepositoryLayout.targets(version: version)), role: .targets)
        return try CanonicalJSON.decode(TargetsMetadata.self, from: envelope.payload, subject: "targets")
    }

    /// The targets the timestamp names; nil for a repository with nothing published yet.
    public func currentTargets() throws(SyncError) -> TargetsMetadata? {
        guard let timestamp = try currentTimestamp() else { return nil }
        return try targets(version: timestamp.targets.version)
    }

    // MARK: Writing

    /// Creates a repository: root version 1, signed by the given root keys. Refuses a directory
    /// that already holds one.
    public func initialize(root: RootMetadata, rootKeys: [SigningKey]) throws(SyncError) {
        guard root.version == 1 else { throw SyncError(.metadataInvalid, "a new repository starts at root version 1", subject: "root") }
        if FileManager.default.fileExists(atPath: directory.appending(path: "root").path) {
            throw SyncError(.io, "a repository already exists here", subject: directory.path)
        }
        try writeRoot(root, signers: rootKeys)
    }

    /// Writes the next root, signed by keys of the current root and of the new one (the caller
    /// passes both sets; the threshold rules are checked here the way a kiosk will check them,
    /// so a root kiosks would refuse is never published).
    public func rotateRoot(_ next: RootMetadata, signers: [SigningKey]) throws(SyncError) {
        let (current, currentEnvelope) = try currentRoot()
        guard next.version == current.version + 1 else {
            throw SyncError(.rootChainBroken, "the next root must be version \(current.version + 1)", subject: "root")
        }
        var trust = try TrustedMetadata(trustedRoot: try CanonicalJSON.encode(currentEnvelope))
        let envelope = try sign(next, role: .root, keys: signers)
        try trust.updateRoot(try envelope.encoded())
        try writeOnce(try envelope.encoded(), to: RepositoryLayout.root(version: next.version))
    }

    private func writeRoot(_ root: RootMetadata, signers: [SigningKey]) throws(SyncError) {
        try root.validate()
        let envelope = try sign(root, role: .root, keys: signers)
        _ = try TrustedMetadata(trustedRoot: try envelope.encoded())
        try writeOnce(try envelope.encoded(), to: RepositoryLayout.root(version: root.version))
    }

    /// Stores a file under its hash (a no-op when it is already there) and returns its entry.
    @discardableResult
    public func storeBlob(_ data: Data) throws(SyncError) -> TargetFile {
        let file = TargetFile(sha256: SHA256Digest.hex(data), length: data.count)
        let relative = RepositoryLayout.blob(sha256: file.sha256)
        if FileManager.default.fileExists(atPath: directory.appending(path: relative).path) { return file }
        try writeAtomically(data, to: relative)
        return file
    }

    /// Signs and writes a new targets version, then a timestamp naming it. The targets keys
    /// and the timestamp keys must each meet their role's threshold.
    @discardableResult
    public func publish(
        _ targets: TargetsMetadata, targetsKeys: [SigningKey], timestampKeys: [SigningKey],
        expiry: ExpiryPolicy = .init(), now: Date = Date()
    ) throws(SyncError) -> TimestampMetadata {
        try targets.validate()
        let (root, _) = try currentRoot()
        let previous = try currentTimestamp()
        if let previous, targets.version <= previous.targets.version {
            throw SyncError(
                .versionRollback, "targets version \(targets.version) is not above the published \(previous.targets.version)",
                subject: "targets")
        }
        for (name, target) in targets.targets {
            for release in [target.current] + (target.staged.map { [$0.release] } ?? []) {
                for (path, file) in release.files where !blobExists(file) {
                    throw SyncError(.io, "file \(path) of \(name) is not in the repository's blobs", subject: file.sha256)
                }
            }
        }
        let envelope = try sign(targets, role: .targets, keys: targetsKeys)
        try Self.requireSigners(envelope, root: root, role: .targets)
        let data = try envelope.encoded()
        try writeOnce(data, to: RepositoryLayout.targets(version: targets.version))
        let pin = PinnedMetadata(version: targets.version, sha256: SHA256Digest.hex(data), length: data.count)
        return try writeTimestamp(
            pin: pin, previousVersion: previous?.version ?? 0, keys: timestampKeys, root: root,
            lifetime: expiry.timestamp, now: now)
    }

    /// Re-signs the timestamp with a fresh expiry and the next version, naming the same
    /// targets: what the registry server does on a schedule so kiosks see it is alive.
    @discardableResult
    public func refreshTimestamp(keys: [SigningKey], lifetime: TimeInterval, now: Date = Date()) throws(SyncError) -> TimestampMetadata {
        guard let current = try currentTimestamp() else {
            throw SyncError(.io, "nothing has been published yet", subject: RepositoryLayout.timestamp)
        }
        let (root, _) = try currentRoot()
        return try writeTimestamp(
            pin: current.targets, previousVersion: current.version, keys: keys, root: root, lifetime: lifetime, now: now)
    }

    private func writeTimestamp(
        pin: PinnedMetadata, previousVersion: Int, keys: [SigningKey], root: RootMetadata,
        lifetime: TimeInterval, now: Date
    ) throws(SyncError) -> TimestampMetadata {
        let timestamp = TimestampMetadata(
            version: previousVersion + 1, expires: Self.wholeSeconds(now.addingTimeInterval(lifetime)),
            targets: pin)
        let envelope = try sign(timestamp, role: .timestamp, keys: keys)
        try Self.requireSigners(envelope, root: root, role: .timestamp)
        try writeAtomically(try envelope.encoded(), to: RepositoryLayout.timestamp)
        return timestamp
    }

    public func sign<T: Encodable>(_ metadata: T, role: Role, keys: [SigningKey]) throws(SyncError) -> SignedEnvelope {
        var envelope = SignedEnvelope(payloadType: SignedEnvelope.payloadType(for: role), payload: try CanonicalJSON.encode(metadata))
        try envelope.sign(with: keys)
        return envelope
    }

    static func requireSigners(_ envelope: SignedEnvelope, root: RootMetadata, role: Role) throws(SyncError) {
        try TrustedMetadata.requireThreshold(
            envelope, keys: root.publicKeys(for: role), roleKeys: root.keys(for: role), role: role,
            what: "the new \(role.rawValue) metadata")
    }

    /// Metadata dates are whole seconds, as they are written.
    public static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    func blobExists(_ file: TargetFile) -> Bool {
        let path = directory.appending(path: RepositoryLayout.blob(sha256: file.sha256)).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return false }
        return size == file.length
    }

    private func writeOnce(_ data: Data, to relative: String) throws(SyncError) {
        if FileManager.default.fileExists(atPath: directory.appending(path: relative).path) {
            throw SyncError(.io, "\(relative) already exists; published files are never replaced", subject: directory.path)
        }
        try writeAtomically(data, to: relative)
    }

    private func writeAtomically(_ data: Data, to relative: String) throws(SyncError) {
        let url = directory.appending(path: relative)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw SyncError(.io, "cannot write \(relative)", subject: directory.path, underlying: error)
        }
    }
}
