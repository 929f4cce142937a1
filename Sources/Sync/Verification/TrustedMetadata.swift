public import Foundation

/// How old metadata may be and still be used. The registry signs timestamps for a short time;
/// a kiosk cut off from it keeps using what it has for the grace period after its last fresh
/// refresh, and refuses anything expired beyond that. Expiry never stops a kiosk printing with
/// the version it already runs: it only stops new metadata from being believed.
public struct FreshnessPolicy: Sendable, Equatable {
    public var gracePeriod: TimeInterval

    public static let defaultGracePeriod: TimeInterval = 72 * 3600

    public init(gracePeriod: TimeInterval = Self.defaultGracePeriod) {
        self.gracePeriod = gracePeriod
    }
}

/// Whether a piece of metadata is within its expiry, past it but within grace, or neither.
public enum Freshness: Sendable, Equatable {
    case fresh
    case stale(expiredAt: Date)
    case expired(expiredAt: Date)
}

/// The metadata a kiosk trusts, and the rules for replacing it. Each update takes the bytes as
/// downloaded and either verifies them completely (type, signatures against the trusted root,
/// threshold, version, pinning, expiry) and takes them, or throws and leaves everything as it
/// was. Pure: no I/O and no clock of its own, so every rule is testable with any date.
public struct TrustedMetadata: Sendable {
    public private(set) var root: RootMetadata
    public private(set) var rootEnvelope: SignedEnvelope
    public private(set) var timestamp: TimestampMetadata?
    public private(set) var timestampEnvelope: SignedEnvelope?
    public private(set) var targets: TargetsMetadata?
    public private(set) var targetsEnvelope: SignedEnvelope?
    /// The exact bytes of each trusted file, as downloaded: what is saved, and what the
    /// timestamp's pin is compared with.
    public private(set) var rootData: Data
    public private(set) var timestampData: Data?
    public private(set) var targetsData: Data?
    /// When the last timestamp within its expiry was verified: the start of the grace period.
    public private(set) var lastFreshRefresh: Date?
    public let policy: FreshnessPolicy

    /// Starts from a root provisioned out of band (the trust anchor). It must be signed by a
    /// threshold of its own root keys, which catches a damaged or mislabelled file.
    public init(trustedRoot data: Data, policy: FreshnessPolicy = .init()) throws(SyncError) {
        let envelope = try Self.envelope(data, role: .root)
        let root = try Self.decodeRoot(envelope)
        try Self.requireThreshold(
            envelope, keys: root.publicKeys(for: .root), roleKeys: root.keys(for: .root), role: .root,
            what: "root version \(root.version)")
        self.root = root
        self.rootEnvelope = envelope
        self.rootData = data
        self.policy = policy
    }

    /// Restores state saved from an earlier run. Everything is verified again as if new, so a
    /// file changed on disk is caught the same way as one changed in transit.
    public init(
        trustedRoot: Data, timestamp: Data?, targets: Data?, lastFreshRefresh: Date?, policy: FreshnessPolicy = .init()
    ) throws(SyncError) {
        try self.init(trustedRoot: trustedRoot, policy: policy)
        self.lastFreshRefresh = lastFreshRefresh
        let farPast = Date(timeIntervalSince1970: 0)
        if let timestamp { _ = try acceptTimestamp(timestamp, now: farPast, checkExpiry: false) }
        if let targets { try acceptTargets(targets, now: farPast, checkExpiry: false) }
    }

    // MARK: Root

    /// Takes the next root of the chain: exactly one version up, signed by a threshold of the
    /// trusted root's root keys and by a threshold of its own. When a role's keys change, the
    /// metadata that role signed is dropped, so a compromised old key cannot keep a kiosk on
    /// metadata with an inflated version.
    public mutating func updateRoot(_ data: Data) throws(SyncError) {
        let envelope = try Self.envelope(data, role: .root)
        let next = try Self.decodeRoot(envelope)
        guard next.version == root.version + 1 else {
            throw SyncError(.rootChainBroken, "expected root version \(root.version + 1), got \(next.version)", subject: "root")
        }
        try Self.requireThreshold(
            envelope, keys: root.publicKeys(for: .root), roleKeys: root.keys(for: .root), role: .root,
            what: "root version \(next.version) by the keys of version \(root.version)")
        try Self.requireThreshold(
            envelope, keys: next.publicKeys(for: .root), roleKeys: next.keys(for: .root), role: .root,
            what: "root version \(next.version) by its own keys")
        let timestampKeysChanged =
            root.publicKeys(for: .timestamp) != next.publicKeys(for: .timestamp)
            || root.keys(for: .timestamp)?.threshold != next.keys(for: .timestamp)?.threshold
        let targetsKeysChanged =
            root.publicKeys(for: .targets) != next.publicKeys(for: .targets)
            || root.keys(for: .targets)?.threshold != next.keys(for: .targets)?.threshold
        root = next
        rootEnvelope = envelope
        rootData = data
        if timestampKeysChanged || targetsKeysChanged {
            timestamp = nil
            timestampEnvelope = nil
            timestampData = nil
        }
        if targetsKeysChanged {
            targets = nil
            targetsEnvelope = nil
            targetsData = nil
        }
    }

    /// Checked once the chain has been followed to its end: intermediate roots may have expired.
    public func checkRootExpiry(now: Date) throws(SyncError) {
        if case .expired(let at) = freshness(of: root.expires, now: now) {
            throw SyncError(.expired, "root version \(root.version) expired at \(at) and the grace period is over", subject: "root")
        }
    }

    // MARK: Timestamp

    /// Takes a newer timestamp. Returns true when it names targets metadata other than the
    /// trusted one (the caller should then fetch it).
    @discardableResult
    public mutating func updateTimestamp(_ data: Data, now: Date) throws(SyncError) -> Bool {
        try acceptTimestamp(data, now: now, checkExpiry: true)
    }

    private mutating func acceptTimestamp(_ data: Data, now: Date, checkExpiry: Bool) throws(SyncError) -> Bool {
        let envelope = try Self.envelope(data, role: .timestamp)
        try Self.requireThreshold(
            envelope, keys: root.publicKeys(for: .timestamp), roleKeys: root.keys(for: .timestamp),
            role: .timestamp, what: "timestamp")
        let next = try CanonicalJSON.decode(TimestampMetadata.self, from: envelope.payload, subject: "timestamp")
        try next.validate()
        if let trusted = timestamp {
            guard next.version >= trusted.version else {
                throw SyncError(
                    .versionRollback, "timestamp version \(next.version) is lower than the trusted \(trusted.version)",
                    subject: "timestamp")
            }
            if next.version == trusted.version, envelope.payload != timestampEnvelope?.payload {
                throw SyncError(.versionConflict, "two different timestamps carry version \(next.version)", subject: "timestamp")
            }
            guard next.targets.version >= trusted.targets.version else {
                throw SyncError(
                    .versionRollback,
                    "the timestamp names targets version \(next.targets.version), lower than the trusted \(trusted.targets.version)",
                    subject: "timestamp")
            }
        }
        if let trustedTargets = targets, next.targets.version < trustedTargets.version {
            throw SyncError(
                .versionRollback,
                "the timestamp names targets version \(next.targets.version), lower than the trusted \(trustedTargets.version)",
                subject: "timestamp")
        }
        if checkExpiry {
            switch freshness(of: next.expires, now: now) {
            case .fresh: lastFreshRefresh = now
            case .stale: break
            case .expired(let at):
                throw SyncError(
                    .expired, "timestamp version \(next.version) expired at \(at) and the grace period is over",
                    subject: "timestamp")
            }
        }
        timestamp = next
        timestampEnvelope = envelope
        timestampData = data
        return targetsData.map(SHA256Digest.hex) != next.targets.sha256
    }

    /// The registry answered that the timestamp is the one already trusted: a fresh contact if
    /// that timestamp has not expired, a refusal once it has expired beyond the grace period.
    public mutating func confirmUnchangedTimestamp(now: Date) throws(SyncError) {
        guard let timestamp else { throw SyncError(.metadataInvalid, "no timestamp is trusted yet", subject: "timestamp") }
        switch freshness(of: timestamp.expires, now: now) {
        case .fresh: lastFreshRefresh = now
        case .stale: break
        case .expired(let at):
            throw SyncError(
                .expired, "the registry still serves timestamp version \(timestamp.version), which expired at \(at)",
                subject: "timestamp")
        }
    }

    // MARK: Targets

    /// Takes the targets metadata the trusted timestamp names: same length, same SHA-256, same
    /// version, signed by the targets role, not older than the trusted one.
    public mutating func updateTargets(_ data: Data, now: Date) throws(SyncError) {
        try acceptTargets(data, now: now, checkExpiry: true)
    }

    private mutating func acceptTargets(_ data: Data, now: Date, checkExpiry: Bool) throws(SyncError) {
        guard let pin = timestamp?.targets else {
            throw SyncError(.mixAndMatch, "no trusted timestamp names any targets metadata", subject: "targets")
        }
        guard data.count == pin.length else {
            throw SyncError(
                data.count > pin.length ? .lengthExceeded : .mixAndMatch,
                "targets metadata is \(data.count) bytes, the timestamp says \(pin.length)", subject: "targets")
        }
        guard SHA256Digest.hex(data) == pin.sha256 else {
            throw SyncError(.mixAndMatch, "targets metadata is not the one the timestamp names (SHA-256 differs)", subject: "targets")
        }
        let envelope = try Self.envelope(data, role: .targets)
        try Self.requireThreshold(
            envelope, keys: root.publicKeys(for: .targets), roleKeys: root.keys(for: .targets),
            role: .targets, what: "targets")
        let next = try CanonicalJSON.decode(TargetsMetadata.self, from: envelope.payload, subject: "targets")
        try next.validate()
        guard next.version == pin.version else {
            throw SyncError(
                .mixAndMatch, "targets version \(next.version) but the timestamp names version \(pin.version)", subject: "targets")
        }
        if let trusted = targets, next.version < trusted.version {
            throw SyncError(
                .versionRollback, "targets version \(next.version) is lower than the trusted \(trusted.version)", subject: "targets")
        }
        if checkExpiry, case .expired(let at) = freshness(of: next.expires, now: now) {
            throw SyncError(.expired, "targets version \(next.version) expired at \(at) and the grace period is over", subject: "targets")
        }
        targets = next
        targetsEnvelope = envelope
        targetsData = data
    }

    // MARK: Freshness

    public func freshness(of expires: Date, now: Date) -> Freshness {
        if now <= expires { return .fresh }
        let graceEnds = (lastFreshRefresh ?? .distantPast).addingTimeInterval(policy.gracePeriod)
        return now <= graceEnds ? .stale(expiredAt: expires) : .expired(expiredAt: expires)
    }

    /// The least fresh of the trusted metadata: what status pages and metrics show.
    public func overallFreshness(now: Date) -> Freshness {
        let dates = [root.expires, timestamp?.expires, targets?.expires].compactMap { $0 }
        let states = dates.map { freshness(of: $0, now: now) }
        if let expired = states.first(where: { if case .expired = $0 { true } else { false } }) { return expired }
        if let stale = states.first(where: { if case .stale = $0 { true } else { false } }) { return stale }
        return .fresh
    }

    // MARK: Helpers

    static func envelope(_ data: Data, role: Role) throws(SyncError) -> SignedEnvelope {
        let envelope = try SignedEnvelope.decode(data, subject: role.rawValue)
        guard envelope.payloadType == SignedEnvelope.payloadType(for: role) else {
            throw SyncError(
                .metadataInvalid, "payload type is '\(envelope.payloadType)', expected \(role.rawValue) metadata",
                subject: role.rawValue)
        }
        return envelope
    }

    static func decodeRoot(_ envelope: SignedEnvelope) throws(SyncError) -> RootMetadata {
        let root = try CanonicalJSON.decode(RootMetadata.self, from: envelope.payload, subject: "root")
        try root.validate()
        return root
    }

    static func requireThreshold(
        _ envelope: SignedEnvelope, keys: [String: PublicKeyEntry], roleKeys: RoleKeys?, role: Role,
        what: String
    ) throws(SyncError) {
        let threshold = roleKeys?.threshold ?? Int.max
        let signers = envelope.validSigners(among: keys)
        guard signers.count >= threshold else {
            let listed = envelope.signatures.map(\.keyID)
            let unknown = listed.filter { keys[$0] == nil }
            var detail = "\(signers.count) valid signature(s) of \(threshold) needed"
            if !unknown.isEmpty {
                detail +=
                    "; signed by key(s) not trusted for \(role.rawValue): \(unknown.map { String($0.prefix(12)) }.joined(separator: ", "))"
            }
            let bad = listed.filter { keys[$0] != nil && !signers.contains($0) }
            if !bad.isEmpty { detail += "; signature(s) that do not verify: \(bad.map { String($0.prefix(12)) }.joined(separator: ", "))" }
            throw SyncError(.signatureThreshold, "\(what) is not signed by enough trusted keys", subject: role.rawValue, cause: detail)
        }
    }
}
