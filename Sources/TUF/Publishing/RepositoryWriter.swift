public import Foundation
public import LanyardSupport

/// How long new metadata stays valid. The timestamp is short-lived on purpose: an online key
/// re-signs it (`resignTimestamp`) well before it runs out. A root's expiry is the root's own.
public struct TUFExpiryPolicy: Sendable, Equatable {
    /// Top-level and delegated targets roles.
    public var targets: TimeInterval
    public var snapshot: TimeInterval
    public var timestamp: TimeInterval

    public init(targets: TimeInterval = 90 * 86_400, snapshot: TimeInterval = 90 * 86_400, timestamp: TimeInterval = 86_400) {
        self.targets = targets
        self.snapshot = snapshot
        self.timestamp = timestamp
    }
}

/// The versions one operation published: root, timestamp and snapshot as they now stand, and
/// the targets roles it wrote.
public struct PublishedVersions: Sendable, Equatable {
    public let root: Int64
    public let timestamp: Int64
    public let snapshot: Int64
    /// Role name to the version written, for the targets roles this operation wrote.
    public let targets: [String: Int64]
}

/// Writes a TUF repository (specification 1.0, consistent snapshots) into a directory that a
/// web server serves as is, metadata at the top and target files under `targets/`:
/// - `N.root.json` for every root version, all kept (a client walks them one by one);
/// - `timestamp.json`, the one file replaced, by an atomic rename, and written last;
/// - `N.snapshot.json`, `N.targets.json` and `N.ROLE.json` for delegated roles, the role name
///   percent-encoded as clients request it (every byte but letters, digits and `-._~`);
/// - `targets/DIR/DIGEST.NAME` for target `DIR/NAME`, once per digest its entry lists.
///
/// Every file but the timestamp is written once and never changed: a client that read timestamp
/// N finds everything it names for as long as the files are kept, whatever is published after.
/// Files are written in full and fsync'd under a temporary name, then given theirs, in the order
/// that keeps the repository whole at every instant: target files, targets metadata, snapshot,
/// and last the timestamp that makes them current. A publication that fails before its
/// timestamp leaves only files nothing names; their versions are skipped by the next one.
///
/// Every operation checks what it signs as a client will (each role signed by a threshold of
/// the keys its delegator lists, versions going up, targets within their delegation) and writes
/// nothing when a check fails. It holds an exclusive `flock` on `.publish.lock` in the directory
/// meanwhile, so two publishers cannot interleave: the file name is the one the registry's
/// publisher locks. The API is synchronous and blocks its thread on the disk and the lock: it
/// is for command-line tools, or for `Blocking.run` in a server.
///
/// The signers given to an operation are a key ring: each role is signed by every key of the ring
/// its delegator lists for it, and a role that needs no new signature is not signed.
public struct TUFRepositoryWriter: Sendable {
    public static let lockFileName = ".publish.lock"

    public let directory: URL
    /// Where target files go: `targets/` in the metadata directory unless told otherwise (a
    /// repository that keeps `metadata/` and `targets/` side by side, as python-tuf's examples do).
    public let targetsDirectory: URL
    /// Spaces per level in the metadata files written; 0 writes them compact.
    public let indentation: Int
    let path: String
    let targetsPath: String

    public init(directory: URL, targetsDirectory: URL? = nil, indentation: Int = 0) {
        self.directory = directory
        self.targetsDirectory = targetsDirectory ?? directory.appending(path: "targets", directoryHint: .isDirectory)
        self.indentation = indentation
        path = directory.path(percentEncoded: false)
        targetsPath = self.targetsDirectory.path(percentEncoded: false)
    }

    // MARK: Names

    /// The file name of a role's metadata: `N.ROLE.json`, or `timestamp.json` without a version.
    public static func metadataFileName(role: String, version: Int64?) -> String {
        let encoded = percentEncoded(role)
        return version.map { "\($0).\(encoded).json" } ?? "\(encoded).json"
    }

    /// Where the target `path` is stored under `targets/` for one of its digests: `DIR/DIGEST.NAME`.
    public static func targetFileName(_ path: String, digest: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "\(digest).\(path)" }
        return "\(path[...slash])\(digest).\(path[path.index(after: slash)...])"
    }

    /// Every byte but ASCII letters, digits and `-._~` as `%XX`, as python-tuf's `quote(name, "")`.
    static func percentEncoded(_ name: String) -> String {
        var output = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The bytes stored for target `path` under `digest`, when present: what a publication lists
    /// again under new custom metadata without the publisher holding the file.
    public func storedTarget(_ targetPath: String, digest: String) -> [UInt8]? {
        FileWriting.read(targetFile(Self.targetFileName(targetPath, digest: digest)))
    }
    func targetFile(_ name: String) -> String { name.isEmpty ? targetsPath : "\(targetsPath)/\(name)" }

    // MARK: Reading

    /// The repository as it stands: the newest root, and the timestamp and the snapshot it names
    /// (nil before the first publication).
    public struct State: Sendable {
        public let root: Root
        public let rootEnvelope: SignedEnvelope
        public let timestamp: Timestamp?
        public let timestampEnvelope: SignedEnvelope?
        public let snapshot: Snapshot?
        public let snapshotEnvelope: SignedEnvelope?
    }

    public func state() throws(TUFError) -> State {
        guard let rootVersion = try newestRootVersion() else {
            throw TUFError(.io, "not a repository: there is no N.root.json", context: path)
        }
        let rootEnvelope = try readEnvelope(Self.metadataFileName(role: "root", version: rootVersion))
        let root = try Root(rootEnvelope)
        guard FileWriting.exists(file("timestamp.json")) else {
            return State(
                root: root, rootEnvelope: rootEnvelope, timestamp: nil, timestampEnvelope: nil, snapshot: nil, snapshotEnvelope: nil)
        }
        let timestampEnvelope = try readEnvelope("timestamp.json")
        let timestamp = try Timestamp(timestampEnvelope)
        let snapshotEnvelope = try readEnvelope(Self.metadataFileName(role: "snapshot", version: timestamp.snapshotMeta.version))
        return State(
            root: root, rootEnvelope: rootEnvelope, timestamp: timestamp, timestampEnvelope: timestampEnvelope,
            snapshot: try Snapshot(snapshotEnvelope), snapshotEnvelope: snapshotEnvelope)
    }

    /// A targets role's metadata at a version.
    public func readTargets(role: String, version: Int64) throws(TUFError) -> (targets: Targets, envelope: SignedEnvelope) {
        let envelope = try readEnvelope(Self.metadataFileName(role: role, version: version))
        return (try Targets(envelope), envelope)
    }

    func readEnvelope(_ name: String) throws(TUFError) -> SignedEnvelope {
        guard let bytes = FileWriting.read(file(name)) else { throw TUFError(.io, "cannot read \(name)", context: path) }
        do { return try SignedEnvelope(parsing: bytes) } catch {
            throw TUFError(error.code, error.message, context: name, underlying: error)
        }
    }

    func newestRootVersion() throws(TUFError) -> Int64? {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw TUFError(.io, "cannot list the repository", context: path, underlying: error)
        }
        return names.compactMap { name -> Int64? in
            guard name.hasSuffix(".root.json"), let version = Int64(name.dropLast(".root.json".count)), version >= 1,
                name == Self.metadataFileName(role: "root", version: version)
            else { return nil }
            return version
        }.max()
    }

    /// The first version above `version` with no file yet: a failed publication's files are
    /// skipped, never replaced.
    func nextFreeVersion(role: String, after version: Int64) -> Int64 {
        var next = version + 1
        while FileWriting.exists(file(Self.metadataFileName(role: role, version: next))) { next += 1 }
        return next
    }

    // MARK: Operations

    /// Creates the repository: `1.root.json` (which `root` must be, signed by a threshold of its
    /// root keys), then an empty targets role, a snapshot and a timestamp, so that clients can
    /// refresh at once. Refuses a directory that already has a root.
    @discardableResult
    public func initialize(
        root: Root, signers: [TUFSigningKey], expiry: TUFExpiryPolicy = .init(), now: Date = Date(), wait: Bool = true
    ) throws(TUFError) -> PublishedVersions {
        try FileWriting.createDirectories(path)
        return try FileWriting.withExclusiveLock(file(Self.lockFileName), wait: wait) { () throws(TUFError) -> PublishedVersions in
            guard try newestRootVersion() == nil else { throw TUFError(.publishRefused, "a repository is already here", context: path) }
            guard root.common.version == 1 else {
                throw TUFError(.publishRefused, "a repository starts at root version 1", context: "root")
            }
            let envelope = try signRoot(root, previous: nil, signers: signers)
            var publication = TUFPublication(root: root, writer: self, snapshot: nil)
            publication.resign("targets")
            return try commit(
                publication, rootFile: envelope.fileContents(indentation: indentation), timestamp: nil, signers: signers, expiry: expiry,
                now: now, newSnapshot: true, newTimestamp: true)
        }
    }

    /// Publishes the changes `edit` makes: each changed targets role at its next version, a new
    /// snapshot listing every targets role (versions never going down), then a new timestamp.
    @discardableResult
    public func publish(
        signers: [TUFSigningKey], expiry: TUFExpiryPolicy = .init(), now: Date = Date(), wait: Bool = true,
        _ edit: (inout TUFPublication) throws(TUFError) -> Void
    ) throws(TUFError) -> PublishedVersions {
        try FileWriting.withExclusiveLock(file(Self.lockFileName), wait: wait) { () throws(TUFError) -> PublishedVersions in
            let state = try state()
            var publication = TUFPublication(root: state.root, writer: self, snapshot: state.snapshot)
            try edit(&publication)
            return try commit(
                publication, rootFile: nil, timestamp: state.timestamp, signers: signers, expiry: expiry, now: now, newSnapshot: true,
                newTimestamp: true)
        }
    }

    /// Publishes `next` as the next root, signed by a threshold of the current root's root keys
    /// and of its own (the signers may hold both). Where the new root gives targets, snapshot or
    /// timestamp other keys, what the current keys signed no longer verifies: it is signed again
    /// by the new keys at its next version, right after the root, so the signers must hold those
    /// too (a new targets or snapshot signature means a new snapshot and timestamp as well). A
    /// rotation of the root keys alone needs no other key. Clients that see the new root before the new timestamp (a few milliseconds) fail that
    /// refresh and succeed on the next.
    @discardableResult
    public func rotateRoot(
        to next: Root, signers: [TUFSigningKey], expiry: TUFExpiryPolicy = .init(), now: Date = Date(), wait: Bool = true
    ) throws(TUFError) -> PublishedVersions {
        try FileWriting.withExclusiveLock(file(Self.lockFileName), wait: wait) { () throws(TUFError) -> PublishedVersions in
            let state = try state()
            guard next.common.version == state.root.common.version + 1 else {
                throw TUFError(.publishRefused, "the next root must be version \(state.root.common.version + 1)", context: "root")
            }
            let envelope = try signRoot(next, previous: state.root, signers: signers)
            var publication = TUFPublication(root: next, writer: self, snapshot: state.snapshot)
            var newSnapshot = false
            var newTimestamp = false
            if let snapshot = state.snapshot, let snapshotEnvelope = state.snapshotEnvelope, let timestampEnvelope = state.timestampEnvelope
            {
                if let targetsVersion = snapshot.meta["targets.json"]?.version,
                    !verifies(try readTargets(role: "targets", version: targetsVersion).envelope, root: next, role: "targets")
                {
                    publication.resign("targets")
                }
                newSnapshot = !publication.edits.isEmpty || !verifies(snapshotEnvelope, root: next, role: "snapshot")
                newTimestamp = newSnapshot || !verifies(timestampEnvelope, root: next, role: "timestamp")
            }
            return try commit(
                publication, rootFile: envelope.fileContents(indentation: indentation), timestamp: state.timestamp, signers: signers,
                expiry: expiry, now: now,
                newSnapshot: newSnapshot, newTimestamp: newTimestamp)
        }
    }

    /// Signs the timestamp again, naming the same snapshot, at the next version and with a new
    /// expiry: what an online timestamp key does on a schedule, so that clients see the
    /// repository is alive.
    @discardableResult
    public func resignTimestamp(
        signers: [TUFSigningKey], expiry: TUFExpiryPolicy = .init(), now: Date = Date(), wait: Bool = true
    ) throws(TUFError) -> PublishedVersions {
        try FileWriting.withExclusiveLock(file(Self.lockFileName), wait: wait) { () throws(TUFError) -> PublishedVersions in
            let state = try state()
            guard state.timestamp != nil else { throw TUFError(.publishRefused, "nothing has been published yet", context: "timestamp") }
            return try commit(
                TUFPublication(root: state.root, writer: self, snapshot: state.snapshot), rootFile: nil, timestamp: state.timestamp,
                signers: signers, expiry: expiry, now: now, newSnapshot: false, newTimestamp: true)
        }
    }

    // MARK: Signing and writing

    func verifies(_ envelope: SignedEnvelope, root: Root, role: String) -> Bool {
        guard let keys = root.role(role) else { return false }
        return (try? envelope.verify(keys: root.keys, role: keys, roleName: role)) != nil
    }

    /// Signs a root with every signer the previous root or this one lists for the root role, and
    /// checks both thresholds; a root must also use consistent snapshots, the layout written here.
    func signRoot(_ root: Root, previous: Root?, signers: [TUFSigningKey]) throws(TUFError) -> SignedEnvelope {
        guard root.consistentSnapshot else {
            throw TUFError(.publishRefused, "this repository is written with consistent snapshots; the root must say so", context: "root")
        }
        let signed = root.signedObject
        var signatures: [Signature] = []
        for trusting in [previous, root].compactMap({ $0 }) {
            for signature in try Self.signatures(
                of: signed, keys: trusting.keys, role: trusting.role("root")!, roleName: "root v\(trusting.common.version)",
                signers: signers)
            where !signatures.contains(where: { $0.keyid.utf8.elementsEqual(signature.keyid.utf8) }) {
                signatures.append(signature)
            }
        }
        let envelope = SignedEnvelope(signed: signed, signatures: signatures)
        for trusting in [previous, root].compactMap({ $0 }) {
            try envelope.verify(keys: trusting.keys, role: trusting.role("root")!, roleName: "root")
        }
        return envelope
    }

    /// One signature by each signer whose key the role lists, under the id it is listed by;
    /// refuses when they are fewer than the role's threshold.
    static func signatures(
        of signed: JSONObject, keys: NameMap<PublicKey>, role: RoleKeys, roleName: String, signers: [TUFSigningKey]
    ) throws(TUFError) -> [Signature] {
        let message = TUFJSON.object(signed).canonicalBytes
        var signatures: [Signature] = []
        var used: [[UInt8]] = []
        for keyid in role.keyids {
            guard let identity = keys[keyid]?.verifier.publicKeyIdentity,
                let signer = signers.first(where: { $0.publicKey.verifier.publicKeyIdentity == identity })
            else { continue }
            signatures.append(try signer.sign(message, keyid: keyid))
            if !used.contains(identity) { used.append(identity) }
        }
        guard used.count >= role.threshold else {
            throw TUFError(
                .signatureThreshold, "the signing keys given hold \(used.count) of the \(role.threshold) keys needed to sign \(roleName)",
                context: roleName)
        }
        return signatures
    }

    /// Signs `signed` for a role and checks the signatures as a client will.
    static func envelope(
        _ signed: JSONObject, keys: NameMap<PublicKey>, role: RoleKeys, roleName: String, signers: [TUFSigningKey]
    ) throws(TUFError) -> SignedEnvelope {
        let envelope = SignedEnvelope(
            signed: signed, signatures: try signatures(of: signed, keys: keys, role: role, roleName: roleName, signers: signers))
        try envelope.verify(keys: keys, role: role, roleName: roleName)
        return envelope
    }

    /// Builds, signs and checks everything a publication makes, then writes it (`write`): target
    /// files, the root (when rotating), targets roles, the snapshot (when `newSnapshot` or a role
    /// changed) and the timestamp (when `newTimestamp` or the snapshot is new).
    func commit(
        _ publication: TUFPublication, rootFile: [UInt8]?, timestamp: Timestamp?, signers: [TUFSigningKey], expiry: TUFExpiryPolicy,
        now: Date, newSnapshot: Bool, newTimestamp: Bool
    ) throws(TUFError) -> PublishedVersions {
        var publication = publication
        let root = publication.root
        guard root.common.expiresAt > Int64(now.timeIntervalSince1970.rounded(.down)) else {
            throw TUFError(.publishRefused, "root version \(root.common.version) has expired: clients refuse it", context: "root")
        }
        guard expiry.targets > 0, expiry.snapshot > 0, expiry.timestamp > 0 else {
            throw TUFError(.publishRefused, "metadata would expire as it is published", context: "expiry")
        }
        if publication.snapshot?.meta["targets.json"] == nil, publication.edits[Array("targets".utf8)] == nil {
            publication.resign("targets")
        }
        let targetsExpiry = CommonFields.expiryText(now.addingTimeInterval(expiry.targets))
        var built: [(role: String, targets: Targets)] = []
        var contents: [[UInt8]: Targets] = [:]
        func build(_ role: String) throws(TUFError) {
            let current = publication.snapshot?.meta["\(role).json"]?.version ?? 0
            let version = nextFreeVersion(role: role, after: current)
            guard let targets = try publication.content(of: role, version: version, expires: targetsExpiry) else { return }
            built.append((role, targets))
            contents[Array(role.utf8)] = targets
        }
        for role in publication.editOrder { try build(role) }
        // Roles delegated anew are published empty; roles whose delegated keys changed, again.
        for (role, targets) in built where publication.edits[Array(role.utf8)]?.delegations != nil {
            for child in targets.delegations?.roles ?? [] where publication.edits[Array(child.name.utf8)] == nil {
                if let version = publication.snapshot?.meta["\(child.name).json"]?.version,
                    (try? readTargets(role: child.name, version: version).envelope.verify(
                        keys: targets.delegations!.keys, role: child.keys, roleName: child.name)) != nil
                {
                    continue
                }
                publication.resign(child.name)
                try build(child.name)
            }
        }

        var signedRoles: [SignedFile] = []
        for (role, targets) in built {
            let (keys, roleKeys) = try delegation(of: role, targets: targets, root: root, publication: &publication, contents: contents)
            let envelope = try Self.envelope(targets.signedObject, keys: keys, role: roleKeys, roleName: role, signers: signers)
            signedRoles.append(
                SignedFile(role: role, version: targets.common.version, bytes: envelope.fileContents(indentation: indentation)))
        }

        var snapshotFile: SignedFile? = nil
        var snapshotMeta = timestamp?.snapshotMeta
        if newSnapshot || !built.isEmpty {
            var meta = publication.snapshot?.meta ?? .empty
            for (role, targets) in built { meta = meta.setting("\(role).json", try MetaFile(version: targets.common.version)) }
            let version = nextFreeVersion(role: "snapshot", after: publication.snapshot?.common.version ?? 0)
            let snapshot = try Snapshot(
                version: version, expires: now.addingTimeInterval(expiry.snapshot), meta: meta,
                specVersion: publication.snapshot?.common.specVersion ?? CommonFields.specVersionWritten,
                unrecognized: publication.snapshot?.unrecognized ?? .empty)
            let file = try signTopLevel(snapshot.signedObject, role: "snapshot", version: version, root: root, signers: signers)
            snapshotFile = file
            snapshotMeta = try MetaFile(describing: file.bytes, version: version)
        }
        guard let snapshotMeta else { throw TUFError(.publishRefused, "nothing has been published yet", context: "snapshot") }
        var timestampFile: SignedFile? = nil
        if newTimestamp || snapshotFile != nil {
            let version = (timestamp?.common.version ?? 0) + 1
            let signed = try Timestamp(
                version: version, expires: now.addingTimeInterval(expiry.timestamp), snapshot: snapshotMeta,
                specVersion: timestamp?.common.specVersion ?? CommonFields.specVersionWritten,
                unrecognized: timestamp?.unrecognized ?? .empty)
            timestampFile = try signTopLevel(signed.signedObject, role: "timestamp", version: version, root: root, signers: signers)
        }

        try write(
            targetFiles: publication.files, root: rootFile.map { SignedFile(role: "root", version: root.common.version, bytes: $0) },
            roles: signedRoles, snapshot: snapshotFile, timestamp: timestampFile)
        return PublishedVersions(
            root: root.common.version, timestamp: timestampFile?.version ?? timestamp?.common.version ?? 0, snapshot: snapshotMeta.version,
            targets: Dictionary(signedRoles.map { ($0.role, $0.version) }, uniquingKeysWith: max))
    }

    /// A metadata file signed and ready to write.
    struct SignedFile {
        let role: String
        let version: Int64
        let bytes: [UInt8]
    }

    func signTopLevel(
        _ signed: JSONObject, role: String, version: Int64, root: Root, signers: [TUFSigningKey]
    ) throws(TUFError) -> SignedFile {
        let envelope = try Self.envelope(signed, keys: root.keys, role: root.role(role)!, roleName: role, signers: signers)
        return SignedFile(role: role, version: version, bytes: envelope.fileContents(indentation: indentation))
    }

    /// Writes a publication in the order that keeps the repository whole for readers at every
    /// instant: target files, the root, targets roles, the snapshot, and last the timestamp that
    /// makes them current. Each file but the timestamp is new.
    func write(
        targetFiles: [(path: String, contents: [UInt8], entry: TargetFile)], root: SignedFile?, roles: [SignedFile],
        snapshot: SignedFile?, timestamp: SignedFile?
    ) throws(TUFError) {
        for target in targetFiles {
            let directory = target.path.lastIndex(of: "/").map { String(target.path[..<$0]) } ?? ""
            try FileWriting.createDirectories(targetFile(directory))
            for digest in target.entry.hashes.entries {
                try FileWriting.writeOnce(
                    targetFile(Self.targetFileName(target.path, digest: digest.value)), contents: target.contents)
            }
        }
        for metadata in [root].compactMap({ $0 }) + roles + [snapshot].compactMap({ $0 }) {
            try FileWriting.writeOnce(file(Self.metadataFileName(role: metadata.role, version: metadata.version)), contents: metadata.bytes)
        }
        if let timestamp { try FileWriting.replace(file("timestamp.json"), contents: timestamp.bytes) }
    }

    /// The keys and threshold `role` is signed under: the root's targets role for `targets`, else
    /// the first delegation to it found walking the roles from `targets` depth first, as a client
    /// searches; every target of the role must be within that delegation's paths.
    func delegation(
        of role: String, targets: Targets, root: Root, publication: inout TUFPublication, contents: [[UInt8]: Targets]
    ) throws(TUFError) -> (NameMap<PublicKey>, RoleKeys) {
        if role == "targets" { return (root.keys, root.role("targets")!) }
        var stack = ["targets"]
        var visited: Set<[UInt8]> = []
        while let current = stack.popLast() {
            guard visited.insert(Array(current.utf8)).inserted else { continue }
            var content = contents[Array(current.utf8)]
            if content == nil { content = try publication.published(current) }
            guard let delegations = content?.delegations else { continue }
            if let delegated = delegations.role(named: role) {
                for entry in targets.targets.entries where !delegated.isDelegated(path: entry.name) {
                    throw TUFError(.publishRefused, "\(role) is not delegated the target \(entry.name) by \(current)", context: role)
                }
                return (delegations.keys, delegated.keys)
            }
            stack += delegations.roles.reversed().map(\.name)
        }
        throw TUFError(.publishRefused, "no role delegates to \(role)", context: role)
    }
}
