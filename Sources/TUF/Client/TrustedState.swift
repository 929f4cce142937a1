public import LanyardSupport

/// How a trusted state judges the metadata it is given.
public enum TrustPolicy: Sendable, Equatable {
    /// The specification's client workflow with every check, expiry judged at `referenceTime`
    /// (seconds since 1970), taken once when the update starts so that no file can expire half
    /// way through it.
    case current(referenceTime: Int64)
    /// Metadata an earlier update verified and stored, read back with no repository to ask:
    /// signatures, thresholds, delegations and the snapshot's list of roles are checked as ever;
    /// expiry is not, nor the versions, lengths and hashes a role's parent names for it (an update
    /// that failed half way leaves a newer timestamp or snapshot beside the roles it verified
    /// before). A grace policy decides from the expiry dates whether to keep using them.
    case lastVerified
}

/// The metadata an update trusts, and every rule of the specification's detailed client workflow
/// (sections 5.2 to 5.6) that does not need the network or the disk: the root chain one version at a
/// time, rollback of the timestamp, of the snapshot and of every targets role, thresholds of the
/// delegator's keys, the versions and hashes each parent names, expiry, and fast-forward
/// recovery. Metadata is offered in the workflow's order: root, timestamp, snapshot, then
/// targets roles, each delegator before the roles it delegates to.
///
/// As in python-tuf, an expired timestamp or snapshot (or a snapshot whose version is not the
/// one the timestamp names) is kept as intermediate state when it is offered, and the method
/// throws: such a file can only serve to check a newer one against it, never to load what comes
/// after it. That is how a stored timestamp that has since expired still stops a rollback of
/// the one downloaded after it.
///
/// Fast-forward recovery (5.3.11): the timestamp and snapshot are loaded only after the last
/// root, so stored ones signed by keys a new root dropped fail their signature check; and when a
/// new root drops a key of the timestamp or snapshot role, `keysRotated` tells the caller to
/// delete both stored files rather than offer them, as the specification says (python-tuf only
/// relies on the failed signature check, so a snapshot-only rotation cannot undo a fast-forwarded
/// snapshot version there).
public struct TrustedState: Sendable {
    public let policy: TrustPolicy
    public private(set) var root: Root
    /// A root loaded in this update no longer lists a key the timestamp or snapshot role had.
    public private(set) var keysRotated = false
    public private(set) var timestamp: Timestamp?
    public private(set) var snapshot: Snapshot?
    private var roles: [ExactName: TrustedTargets] = [:]

    /// A targets role as loaded: its envelope stays so that a second delegator reaching the same
    /// role can check the signatures against its own keys.
    struct TrustedTargets: Sendable {
        let targets: Targets
        let envelope: SignedEnvelope
        /// The delegators whose keys and threshold the signatures were checked against.
        var delegators: [String]
    }

    /// Starts from the trusted root: its own root keys must sign it, to a threshold. It is not
    /// checked for expiry: a newer root may still follow.
    public init(root data: some Collection<UInt8>, policy: TrustPolicy) throws(TUFError) {
        self.policy = policy
        let envelope = try SignedEnvelope(parsing: data)
        let root = try Root(envelope)
        try Self.verify(envelope, keys: root.keys, role: try Self.topLevel(root, "root"), name: "root")
        self.root = root
    }

    /// The top-level targets role, once loaded.
    public var targets: Targets? { roles[ExactName(Root.targetsRole)]?.targets }

    /// A targets role (top-level or delegated), once loaded.
    public func targets(role: String) -> Targets? { roles[ExactName(role)]?.targets }

    /// 5.3: the next root, signed by a threshold of the trusted root's keys and of its own, and
    /// exactly one version above. Expiry is the final root's concern (`updateTimestamp`).
    public mutating func updateRoot(_ data: some Collection<UInt8>) throws(TUFError) {
        guard timestamp == nil else { throw TUFError(.outOfOrder, "a root offered after the timestamp", context: "root") }
        let envelope = try SignedEnvelope(parsing: data)
        let new = try Root(envelope)
        try Self.verify(envelope, keys: root.keys, role: try Self.topLevel(root, "root"), name: "root")
        guard new.common.version == root.common.version + 1 else {
            throw TUFError(
                .badRootVersion, "version \(new.common.version), the next one is \(root.common.version + 1)", context: "root")
        }
        try Self.verify(envelope, keys: new.keys, role: try Self.topLevel(new, "root"), name: "root")
        for role in ["timestamp", "snapshot"] {
            let kept = try Self.topLevel(new, role).keyids
            if try Self.topLevel(root, role).keyids.contains(where: { !kept.contains($0) }) { keysRotated = true }
        }
        root = new
    }

    /// 5.3.10: the last root is not expired.
    public func checkFinalRoot() throws(TUFError) { try checkExpiry(root.common, role: "root") }

    /// What offering a timestamp did.
    public enum TimestampUpdate: Sendable, Equatable {
        case updated
        /// The same version as the trusted one: the trusted one is kept, and this one should not
        /// be stored.
        case unchanged
    }

    /// 5.4: the timestamp, once the root is final (not expired), signed by the root's timestamp
    /// keys, with neither its version nor the snapshot version it names below the trusted
    /// timestamp's. An expired one is kept as intermediate state and refused.
    @discardableResult
    public mutating func updateTimestamp(_ data: some Collection<UInt8>) throws(TUFError) -> TimestampUpdate {
        guard snapshot == nil else { throw TUFError(.outOfOrder, "a timestamp offered after the snapshot", context: "timestamp") }
        try checkFinalRoot()
        let envelope = try SignedEnvelope(parsing: data)
        let new = try Timestamp(envelope)
        try Self.verify(envelope, keys: root.keys, role: try Self.topLevel(root, "timestamp"), name: "timestamp")
        if let old = timestamp {
            guard new.common.version >= old.common.version else {
                throw TUFError(.rollback, "version \(new.common.version), below the trusted \(old.common.version)", context: "timestamp")
            }
            if new.common.version == old.common.version { return .unchanged }
            guard new.snapshotMeta.version >= old.snapshotMeta.version else {
                throw TUFError(
                    .rollback, "names snapshot version \(new.snapshotMeta.version), below the trusted \(old.snapshotMeta.version)",
                    context: "timestamp")
            }
        }
        timestamp = new
        try checkExpiry(new.common, role: "timestamp")
        return .updated
    }

    /// 5.5: the snapshot, once the timestamp is final, with the length and hashes the timestamp
    /// names (unless `verifiedBefore`: a stored snapshot was checked when it was downloaded, and
    /// the timestamp may since name a newer one), signed by the root's snapshot keys, listing
    /// every targets role the trusted snapshot lists at no lower version. One that is expired or
    /// not the version the timestamp names is kept as intermediate state and refused.
    public mutating func updateSnapshot(_ data: some Collection<UInt8>, verifiedBefore: Bool = false) throws(TUFError) {
        guard roles.isEmpty else { throw TUFError(.outOfOrder, "a snapshot offered after targets metadata", context: "snapshot") }
        guard timestamp != nil || policy == .lastVerified else {
            throw TUFError(.outOfOrder, "a snapshot offered before the timestamp", context: "snapshot")
        }
        try checkFinalTimestamp()
        if let timestamp, !verifiedBefore, policy != .lastVerified { try timestamp.snapshotMeta.verify(data, name: "snapshot.json") }
        let envelope = try SignedEnvelope(parsing: data)
        let new = try Snapshot(envelope)
        try Self.verify(envelope, keys: root.keys, role: try Self.topLevel(root, "snapshot"), name: "snapshot")
        if let old = snapshot {
            for entry in old.meta.entries {
                guard let listed = new.meta[entry.name] else {
                    throw TUFError(.rollback, "\(entry.name), listed by the trusted snapshot, is missing", context: "snapshot")
                }
                guard listed.version >= entry.value.version else {
                    throw TUFError(
                        .rollback, "\(entry.name) at version \(listed.version), below the trusted \(entry.value.version)",
                        context: "snapshot")
                }
            }
        }
        snapshot = new
        try checkFinalSnapshot()
    }

    /// 5.6: a targets role (5.6.7.2 for a delegated one), once the snapshot is final, with the length, hashes and
    /// version the snapshot names for it, signed by a threshold of the keys `delegator` gives it
    /// ("root" for the top-level targets role), not expired.
    @discardableResult
    public mutating func updateTargets(_ data: some Collection<UInt8>, role: String, delegator: String) throws(TUFError) -> Targets {
        guard let snapshot else { throw TUFError(.outOfOrder, "targets metadata offered before the snapshot", context: role) }
        try checkFinalSnapshot()
        let (keys, roleKeys) = try delegation(of: role, by: delegator)
        let fileName = "\(role).json"
        guard let meta = snapshot.meta[fileName] else {
            throw TUFError(.delegationNotFound, "the snapshot does not list \(fileName)", context: role)
        }
        if policy != .lastVerified { try meta.verify(data, name: fileName) }
        let envelope = try SignedEnvelope(parsing: data)
        let new = try Targets(envelope)
        try Self.verify(envelope, keys: keys, role: roleKeys, name: role)
        if policy != .lastVerified {
            guard new.common.version == meta.version else {
                throw TUFError(.versionMismatch, "version \(new.common.version), the snapshot names \(meta.version)", context: role)
            }
        }
        try checkExpiry(new.common, role: role)
        roles[ExactName(role)] = TrustedTargets(targets: new, envelope: envelope, delegators: [delegator])
        return new
    }

    /// A loaded role reached again through another delegator: its signatures must meet that
    /// delegator's keys and threshold too, or a role trusted for one branch of the graph would
    /// carry that trust into another.
    public mutating func confirmDelegation(of role: String, by delegator: String) throws(TUFError) {
        guard var trusted = roles[ExactName(role)] else {
            throw TUFError(.outOfOrder, "a delegation confirmed for a role not loaded", context: role)
        }
        guard !trusted.delegators.contains(where: { $0.utf8.elementsEqual(delegator.utf8) }) else { return }
        let (keys, roleKeys) = try delegation(of: role, by: delegator)
        try Self.verify(trusted.envelope, keys: keys, role: roleKeys, name: role)
        trusted.delegators.append(delegator)
        roles[ExactName(role)] = trusted
    }

    /// The timestamp as the final one: not expired.
    func checkFinalTimestamp() throws(TUFError) {
        if let timestamp { try checkExpiry(timestamp.common, role: "timestamp") }
    }

    /// The snapshot as the final one: not expired, and the version the timestamp names.
    func checkFinalSnapshot() throws(TUFError) {
        guard let snapshot else { return }
        try checkExpiry(snapshot.common, role: "snapshot")
        if policy != .lastVerified, let timestamp, snapshot.common.version != timestamp.snapshotMeta.version {
            throw TUFError(
                .versionMismatch, "version \(snapshot.common.version), the timestamp names \(timestamp.snapshotMeta.version)",
                context: "snapshot")
        }
    }

    func checkExpiry(_ common: CommonFields, role: String) throws(TUFError) {
        guard case .current(let referenceTime) = policy, common.isExpired(at: referenceTime) else { return }
        throw TUFError(.expired, "expired at \(common.expires)", context: role)
    }

    /// The keys and threshold `delegator` gives `role`.
    func delegation(of role: String, by delegator: String) throws(TUFError) -> (NameMap<PublicKey>, RoleKeys) {
        if delegator.utf8.elementsEqual("root".utf8) {
            guard role.utf8.elementsEqual(Root.targetsRole.utf8) else {
                throw TUFError(.delegationNotFound, "the root delegates no targets role of this name", context: role)
            }
            return (root.keys, try Self.topLevel(root, role))
        }
        guard let parent = roles[ExactName(delegator)]?.targets else {
            throw TUFError(.outOfOrder, "targets metadata offered before its delegator \(delegator)", context: role)
        }
        guard let delegations = parent.delegations, let delegated = delegations.role(named: role) else {
            throw TUFError(.delegationNotFound, "\(delegator) does not delegate to it", context: role)
        }
        return (delegations.keys, delegated.keys)
    }

    static func topLevel(_ root: Root, _ name: String) throws(TUFError) -> RoleKeys {
        guard let role = root.role(name) else { throw TUFError(.metadataInvalid, "the root has no \(name) role", context: "roles") }
        return role
    }

    /// A threshold of the role's keys, and one signature per key id: the specification says a key
    /// id is unique in the signatures list, and python-tuf refuses a file that repeats one.
    static func verify(_ envelope: SignedEnvelope, keys: NameMap<PublicKey>, role: RoleKeys, name: String) throws(TUFError) {
        var seen: Set<ExactName> = []
        for signature in envelope.signatures where !seen.insert(ExactName(signature.keyid)).inserted {
            throw TUFError(.metadataInvalid, "two signatures under the key id \(signature.keyid)", context: name)
        }
        try envelope.verify(keys: keys, role: role, roleName: name)
    }
}

extension Root {
    /// The top-level targets role's name, which is also the name of its metadata file's role.
    public static let targetsRole = "targets"
}

/// A name compared scalar by scalar (by its UTF-8 bytes), as a dictionary key: Swift's `String`
/// equality would merge role names that differ only in Unicode normalization.
struct ExactName: Hashable, Sendable {
    let utf8: [UInt8]

    init(_ name: String) { utf8 = Array(name.utf8) }
}
