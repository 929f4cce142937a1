public import LanyardSupport

/// One signature of an envelope: the key id it claims and the signature bytes, hex in the file.
public struct Signature: Sendable, Equatable {
    public let keyid: String
    /// The signature as written: hex, decoded only when checked.
    public let sig: String
    /// Fields other than keyid and sig, kept as read.
    public let unrecognized: JSONObject
}

/// The signed envelope every metadata file is: `{"signatures": [...], "signed": {...}}`. The bytes a
/// signature covers are the canonical JSON of the `signed` object exactly as read, unknown fields
/// included, so decoding keeps the object and never re-encodes a model type.
public struct SignedEnvelope: Sendable {
    public let signatures: [Signature]
    public let signed: JSONObject
    /// Fields of the envelope other than signatures and signed.
    public let unrecognized: JSONObject

    public init(parsing bytes: some Collection<UInt8>) throws(TUFError) {
        try self.init(try TUFJSON(parsing: bytes))
    }

    /// Signatures that share a key id are all kept (python-tuf refuses such an envelope outright);
    /// a key counts at most once toward a threshold whichever of them verifies.
    public init(_ json: TUFJSON) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "metadata is not a JSON object") }
        guard let signed = object["signed"]?.objectValue else { throw TUFError(.metadataInvalid, "no signed object", context: "signed") }
        guard let list = object["signatures"]?.arrayValue else {
            throw TUFError(.metadataInvalid, "no signatures list", context: "signatures")
        }
        var signatures: [Signature] = []
        for (index, element) in list.enumerated() {
            guard let entry = element.objectValue, let keyid = entry["keyid"]?.stringValue, let sig = entry["sig"]?.stringValue else {
                throw TUFError(.metadataInvalid, "a signature without string keyid and sig", context: "signatures[\(index)]")
            }
            signatures.append(Signature(keyid: keyid, sig: sig, unrecognized: entry.removing(["keyid", "sig"])))
        }
        self.signatures = signatures
        self.signed = signed
        unrecognized = object.removing(["signatures", "signed"])
    }

    /// What the signatures sign: the canonical JSON of `signed`.
    public var signedBytes: [UInt8] { TUFJSON.object(signed).canonicalBytes }

    /// The `_type` of the signed object, when it is a string.
    public var type: String? { signed["_type"]?.stringValue }
}

/// The fields every role's signed object has.
public struct CommonFields: Sendable {
    public let type: String
    public let specVersion: String
    public let version: Int64
    /// As written: `YYYY-MM-DDTHH:MM:SSZ`.
    public let expires: String
    /// The same instant, in seconds since 1970-01-01T00:00:00Z.
    public let expiresAt: Int64

    init(_ signed: JSONObject, type expected: String) throws(TUFError) {
        guard let type = signed["_type"]?.stringValue, type.utf8.elementsEqual(expected.utf8) else {
            throw TUFError(
                .metadataInvalid, "expected _type \(expected), found \(signed["_type"].map { "\($0)" } ?? "none")", context: "_type")
        }
        self.type = type
        guard let specVersion = signed["spec_version"]?.stringValue, Self.isSupported(specVersion: specVersion) else {
            throw TUFError(.metadataInvalid, "spec_version must be 1.x or 1.x.y", context: "spec_version")
        }
        self.specVersion = specVersion
        version = try positiveInteger(signed["version"], field: "version")
        guard let expires = signed["expires"]?.stringValue, let expiresAt = parseExpiry(expires) else {
            throw TUFError(.metadataInvalid, "expires must be YYYY-MM-DDTHH:MM:SSZ", context: "expires")
        }
        self.expires = expires
        self.expiresAt = expiresAt
    }

    /// Two or three dot-separated numbers with major version 1, as python-tuf accepts them.
    static func isSupported(specVersion: String) -> Bool {
        let parts = specVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0] == "1" else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
    }

    /// Expired at `referenceTime` (seconds since 1970): from the expiry instant on, as the
    /// specification's "expiration timestamp ... is not in the past" reads and python-tuf checks.
    public func isExpired(at referenceTime: Int64) -> Bool { referenceTime >= expiresAt }
}

/// A role's keys and how many of them must sign.
public struct RoleKeys: Sendable {
    /// Distinct key ids, in the order listed.
    public let keyids: [String]
    public let threshold: Int64
    public let unrecognized: JSONObject

    init(_ object: JSONObject, field: String, known: Set<String> = ["keyids", "threshold"]) throws(TUFError) {
        guard let list = object["keyids"]?.arrayValue else {
            throw TUFError(.metadataInvalid, "no keyids list", context: "\(field).keyids")
        }
        var keyids: [String] = []
        for element in list {
            guard let keyid = element.stringValue else {
                throw TUFError(.metadataInvalid, "a key id that is not a string", context: "\(field).keyids")
            }
            // python-tuf refuses a role listing a key id twice: it would let one key meet a threshold of two.
            guard !keyids.contains(where: { $0.utf8.elementsEqual(keyid.utf8) }) else {
                throw TUFError(.metadataInvalid, "the key id \(keyid) is listed twice", context: "\(field).keyids")
            }
            keyids.append(keyid)
        }
        self.keyids = keyids
        threshold = try positiveInteger(object["threshold"], field: "\(field).threshold")
        unrecognized = object.removing(known)
    }
}

/// Root: the keys of the top-level roles and their thresholds.
public struct Root: Sendable {
    public static let topLevelRoles = ["root", "snapshot", "targets", "timestamp"]

    public let common: CommonFields
    public let keys: NameMap<PublicKey>
    /// Exactly the four top-level roles.
    public let roles: NameMap<RoleKeys>
    /// Absent in the file reads as false.
    public let consistentSnapshot: Bool
    public let unrecognized: JSONObject

    public init(_ envelope: SignedEnvelope) throws(TUFError) {
        let signed = envelope.signed
        common = try CommonFields(signed, type: "root")
        keys = try keyMap(signed["keys"], field: "keys")
        guard let roles = signed["roles"]?.objectValue else { throw TUFError(.metadataInvalid, "no roles object", context: "roles") }
        guard roles.keys == Self.topLevelRoles else {
            throw TUFError(.metadataInvalid, "roles must be exactly root, snapshot, targets and timestamp", context: "roles")
        }
        self.roles = try NameMap(roles) { member throws(TUFError) in
            guard let role = member.value.objectValue else {
                throw TUFError(.metadataInvalid, "a role is not an object", context: "roles.\(member.key)")
            }
            return try RoleKeys(role, field: "roles.\(member.key)")
        }
        switch signed["consistent_snapshot"] {
        case nil: consistentSnapshot = false
        case .bool(let value)?: consistentSnapshot = value
        default: throw TUFError(.metadataInvalid, "consistent_snapshot must be a boolean", context: "consistent_snapshot")
        }
        unrecognized = signed.removing(["_type", "spec_version", "version", "expires", "keys", "roles", "consistent_snapshot"])
    }

    /// The keys and threshold of a top-level role.
    public func role(_ name: String) -> RoleKeys? { roles[name] }
}

/// What snapshot or timestamp says of another metadata file.
public struct MetaFile: Sendable {
    public let version: Int64
    public let length: Int64?
    /// Algorithm name to lowercase hex digest; nil when the entry lists none.
    public let hashes: NameMap<String>?
    public let unrecognized: JSONObject

    init(_ json: TUFJSON, field: String) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "not an object", context: field) }
        version = try positiveInteger(object["version"], field: "\(field).version")
        length = try object["length"].map { value throws(TUFError) in try nonNegativeInteger(value, field: "\(field).length") }
        hashes = try object["hashes"].map { value throws(TUFError) in try hashMap(value, field: "\(field).hashes") }
        unrecognized = object.removing(["version", "length", "hashes"])
    }

    /// Checks the length and every hash listed (either may be absent); the file's version is the
    /// caller's to compare after parsing it.
    public func verify(_ data: some Collection<UInt8>, name: String) throws(TUFError) {
        if let length { try verifyLength(data, expected: length, name: name) }
        if let hashes { try verifyHashes(data, expected: hashes, name: name) }
    }
}

/// Timestamp: the one snapshot the repository stands behind now.
public struct Timestamp: Sendable {
    public let common: CommonFields
    public let snapshotMeta: MetaFile
    public let unrecognized: JSONObject

    public init(_ envelope: SignedEnvelope) throws(TUFError) {
        let signed = envelope.signed
        common = try CommonFields(signed, type: "timestamp")
        guard let meta = signed["meta"]?.objectValue, let snapshot = meta["snapshot.json"] else {
            throw TUFError(.metadataInvalid, "no meta entry for snapshot.json", context: "meta")
        }
        snapshotMeta = try MetaFile(snapshot, field: "meta.snapshot.json")
        unrecognized = signed.removing(["_type", "spec_version", "version", "expires", "meta"])
    }
}

/// Snapshot: the version (and optionally length and hashes) of every targets metadata file.
public struct Snapshot: Sendable {
    public let common: CommonFields
    /// `ROLE.json` to what the snapshot says of it.
    public let meta: NameMap<MetaFile>
    public let unrecognized: JSONObject

    public init(_ envelope: SignedEnvelope) throws(TUFError) {
        let signed = envelope.signed
        common = try CommonFields(signed, type: "snapshot")
        guard let meta = signed["meta"]?.objectValue else { throw TUFError(.metadataInvalid, "no meta object", context: "meta") }
        self.meta = try NameMap(meta) { member throws(TUFError) in try MetaFile(member.value, field: "meta.\(member.key)") }
        unrecognized = signed.removing(["_type", "spec_version", "version", "expires", "meta"])
    }
}

/// One target: its length, its hashes and what the repository says of it beyond that.
public struct TargetFile: Sendable {
    public let length: Int64
    /// Algorithm name to lowercase hex digest; never empty.
    public let hashes: NameMap<String>
    /// The `custom` value, when present: Lanyard's own fields (kind, scope, pins) go here.
    public let custom: TUFJSON?
    public let unrecognized: JSONObject

    init(_ json: TUFJSON, field: String) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "not an object", context: field) }
        length = try nonNegativeInteger(object["length"], field: "\(field).length")
        guard let hashes = object["hashes"] else { throw TUFError(.metadataInvalid, "no hashes", context: "\(field).hashes") }
        self.hashes = try hashMap(hashes, field: "\(field).hashes")
        custom = object["custom"]
        unrecognized = object.removing(["length", "hashes", "custom"])
    }

    /// Checks the exact length, then every listed hash: one mismatch, or one algorithm this client
    /// cannot compute, refuses the file (python-tuf's order and rule).
    public func verify(_ data: some Collection<UInt8>, name: String) throws(TUFError) {
        try verifyLength(data, expected: length, name: name)
        try verifyHashes(data, expected: hashes, name: name)
    }
}

/// Targets (top-level or delegated): the targets it signs for and the roles it delegates to.
public struct Targets: Sendable {
    public let common: CommonFields
    public let targets: NameMap<TargetFile>
    public let delegations: Delegations?
    public let unrecognized: JSONObject

    public init(_ envelope: SignedEnvelope) throws(TUFError) {
        let signed = envelope.signed
        common = try CommonFields(signed, type: "targets")
        guard let targets = signed["targets"]?.objectValue else {
            throw TUFError(.metadataInvalid, "no targets object", context: "targets")
        }
        self.targets = try NameMap(targets) { member throws(TUFError) in try TargetFile(member.value, field: "targets.\(member.key)") }
        delegations = try signed["delegations"].map { value throws(TUFError) in try Delegations(value) }
        unrecognized = signed.removing(["_type", "spec_version", "version", "expires", "targets", "delegations"])
    }
}

/// The keys a targets role hands out and the roles it delegates to, in search order.
public struct Delegations: Sendable {
    public let keys: NameMap<PublicKey>
    /// In the order listed: the order the client searches them in.
    public let roles: [DelegatedRole]
    public let unrecognized: JSONObject

    init(_ json: TUFJSON) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "not an object", context: "delegations") }
        keys = try keyMap(object["keys"], field: "delegations.keys")
        guard let list = object["roles"]?.arrayValue else {
            throw TUFError(.metadataInvalid, "no roles list", context: "delegations.roles")
        }
        var roles: [DelegatedRole] = []
        for (index, element) in list.enumerated() {
            let role = try DelegatedRole(element, field: "delegations.roles[\(index)]")
            guard !roles.contains(where: { $0.name.utf8.elementsEqual(role.name.utf8) }) else {
                throw TUFError(.metadataInvalid, "the role \(role.name) is delegated twice", context: "delegations.roles[\(index)]")
            }
            roles.append(role)
        }
        self.roles = roles
        unrecognized = object.removing(["keys", "roles"])
    }

    public func role(named name: String) -> DelegatedRole? { roles.first { $0.name.utf8.elementsEqual(name.utf8) } }
}

/// A delegation to a named role for the target paths it matches.
public struct DelegatedRole: Sendable {
    public enum Paths: Sendable {
        /// Shell-style patterns, matched one `/`-separated part at a time.
        case patterns([String])
        /// Lowercase hex prefixes of the SHA-256 of the target path (hash-bin delegation).
        case hashPrefixes([String])
    }

    public let name: String
    public let keys: RoleKeys
    /// A terminating delegation ends the search for a target it matches, found or not.
    public let terminating: Bool
    public let paths: Paths

    init(_ json: TUFJSON, field: String) throws(TUFError) {
        guard let object = json.objectValue else { throw TUFError(.metadataInvalid, "not an object", context: field) }
        guard let name = object["name"]?.stringValue, !name.isEmpty else {
            throw TUFError(.metadataInvalid, "a delegated role without a name", context: "\(field).name")
        }
        guard !Root.topLevelRoles.contains(where: { $0.utf8.elementsEqual(name.utf8) }) else {
            throw TUFError(.metadataInvalid, "a delegated role cannot be named \(name)", context: "\(field).name")
        }
        self.name = name
        keys = try RoleKeys(object, field: field, known: ["keyids", "threshold", "name", "terminating", "paths", "path_hash_prefixes"])
        guard let terminating = object["terminating"]?.boolValue else {
            throw TUFError(.metadataInvalid, "terminating must be a boolean", context: "\(field).terminating")
        }
        self.terminating = terminating
        switch (object["paths"], object["path_hash_prefixes"]) {
        case (let patterns?, nil): paths = .patterns(try stringList(patterns, field: "\(field).paths"))
        case (nil, let prefixes?): paths = .hashPrefixes(try stringList(prefixes, field: "\(field).path_hash_prefixes"))
        default: throw TUFError(.metadataInvalid, "exactly one of paths and path_hash_prefixes", context: field)
        }
    }

    /// Whether this role is trusted for `targetPath`: a pattern matches every `/`-separated part
    /// of the path with `fnmatch` (so `*` never crosses a `/` and the part counts must agree), or
    /// the path's SHA-256 in lowercase hex starts with one of the prefixes.
    public func isDelegated(path targetPath: String) -> Bool {
        switch paths {
        case .patterns(let patterns):
            return patterns.contains { PathPattern.matches(path: targetPath, pattern: $0) }
        case .hashPrefixes(let prefixes):
            let digest = Array(hexString(sha256(Array(targetPath.utf8))).utf8)
            return prefixes.contains { digest.starts(with: $0.utf8) }
        }
    }
}

func positiveInteger(_ value: TUFJSON?, field: String) throws(TUFError) -> Int64 {
    guard let number = value?.integerValue, number >= 1 else {
        throw TUFError(.metadataInvalid, "must be an integer of at least 1", context: field)
    }
    return number
}

func nonNegativeInteger(_ value: TUFJSON?, field: String) throws(TUFError) -> Int64 {
    guard let number = value?.integerValue, number >= 0 else {
        throw TUFError(.metadataInvalid, "must be an integer of at least 0", context: field)
    }
    return number
}

func stringList(_ value: TUFJSON, field: String) throws(TUFError) -> [String] {
    guard let list = value.arrayValue else { throw TUFError(.metadataInvalid, "must be a list of strings", context: field) }
    var strings: [String] = []
    for element in list {
        guard let string = element.stringValue else { throw TUFError(.metadataInvalid, "must be a list of strings", context: field) }
        strings.append(string)
    }
    return strings
}

func keyMap(_ value: TUFJSON?, field: String) throws(TUFError) -> NameMap<PublicKey> {
    guard let object = value?.objectValue else { throw TUFError(.metadataInvalid, "no keys object", context: field) }
    return try NameMap(object) { member throws(TUFError) in try PublicKey(member.value, field: "\(field).\(member.key)") }
}

func hashMap(_ value: TUFJSON, field: String) throws(TUFError) -> NameMap<String> {
    guard let object = value.objectValue, !object.isEmpty else {
        throw TUFError(.metadataInvalid, "must be a non-empty object", context: field)
    }
    return try NameMap(object) { member throws(TUFError) in
        guard let digest = member.value.stringValue else {
            throw TUFError(.metadataInvalid, "a hash that is not a string", context: "\(field).\(member.key)")
        }
        return digest
    }
}
