public import Foundation
public import LanyardSupport

/// A target as the delegation search found it.
public struct TargetInfo: Sendable {
    /// The target path, as the metadata lists it.
    public let path: String
    public let file: TargetFile
    /// The targets role that lists it.
    public let role: String
}

/// The specification's client workflow over a fetcher and a metadata directory, as python-tuf's
/// `ngclient.Updater` runs it: `refresh` brings the top-level metadata up to date, `targetInfo`
/// searches the delegations (loading delegated roles as it goes), `downloadTarget` fetches and
/// verifies a target. Every rule lives in `TrustedState`; this type decides what to read from
/// disk, what to fetch and what to store.
///
/// A value type with mutating methods, so two refreshes can never interleave on one updater.
public struct Updater: Sendable {
    /// Bounds against a repository that never ends; python-tuf's defaults.
    public struct Limits: Sendable {
        /// Newer roots loaded in one refresh at most.
        public var rootRotations = 256
        /// Roles visited beyond the top-level targets role in one target search.
        public var delegations = 32
        /// Bytes of a metadata file whose length no signed metadata gives.
        public var rootLength = 512_000
        public var timestampLength = 16_384
        public var snapshotLength = 2_000_000
        public var targetsLength = 5_000_000

        public init() {}
    }

    public let directory: MetadataDirectory
    /// The URL metadata file names are appended to; ends with `/`.
    public let metadataURL: String
    public let fetcher: any TUFFetcher
    public let limits: Limits
    /// Now, in seconds since 1970; read once at the start of each refresh.
    let clock: @Sendable () -> Int64
    /// The state of the last refresh that succeeded, or of `loadLastVerified`; delegated roles
    /// join it as searches load them.
    public private(set) var state: TrustedState?

    public init(
        directory: URL, metadataURL: String, fetcher: any TUFFetcher, limits: Limits = Limits(),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970.rounded(.down)) }
    ) {
        self.directory = MetadataDirectory(directory)
        self.metadataURL = metadataURL.hasSuffix("/") ? metadataURL : metadataURL + "/"
        self.fetcher = fetcher
        self.limits = limits
        self.clock = clock
    }

    /// 5.2 to 5.6: from the stored root, every newer root (until the repository has none), the
    /// timestamp, the snapshot and the top-level targets, each stored as soon as it is trusted.
    /// A stored timestamp, snapshot or targets file is tried first: it serves for rollback checks
    /// and spares a download when still current. When any step fails, what was stored before it
    /// stays stored and `state` keeps the previous refresh's state.
    public mutating func refresh() async throws(TUFError) {
        guard let trustedRoot = directory.read(role: "root") else {
            throw TUFError(.storageFailed, "no trusted root.json to start from", context: directory.url.path)
        }
        var state = try TrustedState(root: trustedRoot, policy: .current(referenceTime: clock()))
        try await updateRoot(&state)
        try await updateTimestamp(&state)
        try await updateSnapshot(&state)
        _ = try await loadTargets(&state, role: Root.targetsRole, delegator: "root")
        self.state = state
    }

    /// The metadata the last update stored, checked by signatures only (`TrustPolicy.lastVerified`),
    /// for looking targets up without a repository: searches then read delegated roles from disk
    /// and never fetch.
    public mutating func loadLastVerified() throws(TUFError) {
        func stored(_ role: String) throws(TUFError) -> Data {
            guard let data = directory.read(role: role) else {
                throw TUFError(.storageFailed, "no stored \(MetadataDirectory.fileName(role: role))", context: directory.url.path)
            }
            return data
        }
        var state = try TrustedState(root: try stored("root"), policy: .lastVerified)
        if let timestamp = directory.read(role: "timestamp") { _ = try? state.updateTimestamp(timestamp) }
        try state.updateSnapshot(try stored("snapshot"), verifiedBefore: true)
        try state.updateTargets(try stored(Root.targetsRole), role: Root.targetsRole, delegator: "root")
        self.state = state
    }

    /// The target the most trusted role lists for `path` (5.6.7), or nil when the search ends
    /// without one. Refreshes first when nothing is loaded yet.
    public mutating func targetInfo(for path: String) async throws(TUFError) -> TargetInfo? {
        if state == nil { try await refresh() }
        guard var state else { return nil }
        defer { self.state = state }
        var search = DelegationSearch(path: path, maximumRoles: limits.delegations)
        while let next = search.nextRole() {
            let targets = try await loadTargets(&state, role: next.role, delegator: next.delegator)
            if let file = search.visit(targets, role: next.role) { return TargetInfo(path: path, file: file, role: next.role) }
        }
        return nil
    }

    /// Every target some role lists for a path it is trusted for, by path: each role reachable
    /// from the top-level targets role is loaded (no more than the snapshot lists), and each path
    /// is then looked up as `targetInfo` would.
    public mutating func allTargets() async throws(TUFError) -> [TargetInfo] {
        if state == nil { try await refresh() }
        guard var loaded = state, let snapshot = loaded.snapshot else { return [] }
        var pending = [(role: Root.targetsRole, delegator: "root")]
        var reached: Set<ExactName> = []
        var paths: [String] = []
        while let next = pending.popLast(), reached.count < snapshot.meta.count {
            guard reached.insert(ExactName(next.role)).inserted else { continue }
            let targets = try await loadTargets(&loaded, role: next.role, delegator: next.delegator)
            paths += targets.targets.names
            pending += (targets.delegations?.roles ?? []).reversed().map { ($0.name, next.role) }
        }
        state = loaded
        var found: [TargetInfo] = []
        var seen: Set<ExactName> = []
        for path in paths.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where seen.insert(ExactName(path)).inserted {
            if let info = try await targetInfo(for: path) { found.append(info) }
        }
        return found
    }

    /// Whether `file` already holds the target: its length and every hash match.
    public static func isCached(_ target: TargetInfo, at file: URL) -> Bool {
        guard let data = try? Data(contentsOf: file) else { return false }
        return (try? target.file.verify(data, name: target.path)) != nil
    }

    /// Fetches the target from under `baseURL` (as `DIR/HASH.NAME` when the root asks for
    /// consistent snapshots), verifies its length and every hash, and only then writes it to
    /// `file`, atomically.
    public func downloadTarget(_ target: TargetInfo, baseURL: String, to file: URL) async throws(TUFError) {
        let url = (baseURL.hasSuffix("/") ? baseURL : baseURL + "/") + targetURLPath(target)
        guard let data = try await fetcher.fetch(url, maximumLength: Int(clamping: target.file.length)) else {
            throw TUFError(.fetchFailed, "the repository has no such target", context: url)
        }
        try target.file.verify(data, name: target.path)
        try writeAtomically(data, to: file)
    }

    /// The file name a target is kept under in a flat download directory: its path
    /// percent-encoded, as python-tuf names it.
    public static func localFileName(for target: TargetInfo) -> String { percentEncoded(target.path) }

    /// The target's path under the targets URL: each part percent-encoded, and with consistent
    /// snapshots the last part prefixed by a hash of the file (SHA-256 when listed).
    func targetURLPath(_ target: TargetInfo) -> String {
        var parts = target.path.split(separator: "/", omittingEmptySubsequences: false).map { percentEncoded(String($0)) }
        if state?.root.consistentSnapshot == true, let last = parts.popLast() {
            let hash = target.file.hashes["sha256"] ?? target.file.hashes.entries[0].value
            parts.append("\(percentEncoded(hash)).\(last)")
        }
        return parts.joined(separator: "/")
    }

    /// 5.3: newer roots one version at a time, until the repository has no next one.
    func updateRoot(_ state: inout TrustedState) async throws(TUFError) {
        let first = state.root.common.version + 1
        for version in first..<first + Int64(limits.rootRotations) {
            guard let data = try await fetcher.fetch(metadataURL + "\(version).root.json", maximumLength: limits.rootLength) else { return }
            try state.updateRoot(data)
            try directory.write(data, role: "root")
        }
    }

    /// 5.3.11 and 5.4: the stored timestamp (for the rollback checks, even when expired) unless
    /// a new root rotated the timestamp or snapshot keys (then the stored timestamp and snapshot
    /// are deleted), then the repository's; the same version again is not stored.
    func updateTimestamp(_ state: inout TrustedState) async throws(TUFError) {
        if state.keysRotated, (try? state.checkFinalRoot()) != nil {
            try directory.remove(role: "timestamp")
            try directory.remove(role: "snapshot")
        } else if let stored = directory.read(role: "timestamp") {
            _ = try? state.updateTimestamp(stored)
        }
        guard let data = try await fetcher.fetch(metadataURL + "timestamp.json", maximumLength: limits.timestampLength) else {
            throw TUFError(.fetchFailed, "the repository has no timestamp.json", context: metadataURL)
        }
        if try state.updateTimestamp(data) == .updated { try directory.write(data, role: "timestamp") }
    }

    /// 5.5: the stored snapshot when it is still the one the timestamp names; else the
    /// repository's, the stored one (if it verifies) serving for the rollback checks.
    func updateSnapshot(_ state: inout TrustedState) async throws(TUFError) {
        if let stored = directory.read(role: "snapshot"), (try? state.updateSnapshot(stored, verifiedBefore: true)) != nil { return }
        guard let meta = state.timestamp?.snapshotMeta else {
            throw TUFError(.outOfOrder, "a snapshot loaded before the timestamp", context: "snapshot")
        }
        let name = state.root.consistentSnapshot ? "\(meta.version).snapshot.json" : "snapshot.json"
        guard let data = try await fetcher.fetch(metadataURL + name, maximumLength: Self.length(meta, else: limits.snapshotLength)) else {
            throw TUFError(.fetchFailed, "the repository has no \(name)", context: metadataURL)
        }
        try state.updateSnapshot(data)
        try directory.write(data, role: "snapshot")
    }

    /// 5.6: a targets role already loaded (confirmed against this delegator), else the
    /// stored one when it is the version the snapshot names, else the repository's.
    func loadTargets(_ state: inout TrustedState, role: String, delegator: String) async throws(TUFError) -> Targets {
        if let loaded = state.targets(role: role) {
            try state.confirmDelegation(of: role, by: delegator)
            return loaded
        }
        var storedFailure: TUFError? = nil
        if let stored = directory.read(role: role) {
            do {
                return try state.updateTargets(stored, role: role, delegator: delegator)
            } catch {
                storedFailure = error
            }
        }
        if state.policy == .lastVerified {
            throw storedFailure
                ?? TUFError(.storageFailed, "no stored \(MetadataDirectory.fileName(role: role))", context: directory.url.path)
        }
        guard let meta = state.snapshot?.meta["\(role).json"] else {
            throw TUFError(.delegationNotFound, "the snapshot does not list \(role).json", context: role)
        }
        let encoded = percentEncoded(role)
        let name = state.root.consistentSnapshot ? "\(meta.version).\(encoded).json" : "\(encoded).json"
        guard let data = try await fetcher.fetch(metadataURL + name, maximumLength: Self.length(meta, else: limits.targetsLength)) else {
            throw TUFError(.fetchFailed, "the repository has no \(name)", context: metadataURL)
        }
        let loaded = try state.updateTargets(data, role: role, delegator: delegator)
        try directory.write(data, role: role)
        return loaded
    }

    /// The signed length when there is one (python-tuf also takes 0 as none), else the role's limit.
    static func length(_ meta: MetaFile, else limit: Int) -> Int {
        guard let length = meta.length, length > 0 else { return limit }
        return Int(clamping: length)
    }
}
