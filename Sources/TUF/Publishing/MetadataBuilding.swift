import CivilDate
import Crypto
public import Foundation
public import LanyardSupport

// The publishing side builds the same types the client parses. Every initializer here writes the
// signed object as JSON and reads it back through the parser, so a value built here passes every
// check a parsed one does, and `signedObject` gives back exactly what was parsed (unknown fields
// included): metadata read from a repository can be changed and written again without losing a
// field some other tool put there.

extension CommonFields {
    /// The specification version new metadata names: the one python-tuf 6 writes.
    public static let specVersionWritten = "1.0.31"

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC, the fraction of a second dropped.
    public static func expiryText(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let (year, month, day) = CivilDate.date(days: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))Z"
    }

    /// The fields in front of every role's own: `_type`, `spec_version`, `version`, `expires`.
    static func members(type: String, specVersion: String, version: Int64, expires: String) -> [(String, TUFJSON)] {
        [("_type", .string(type)), ("spec_version", .string(specVersion)), ("version", .integer(version)), ("expires", .string(expires))]
    }

    var members: [(String, TUFJSON)] { Self.members(type: type, specVersion: specVersion, version: version, expires: expires) }
}

extension SignedEnvelope {
    init(signed: JSONObject, signatures: [Signature], unrecognized: JSONObject = .empty) {
        self.signed = signed
        self.signatures = signatures
        self.unrecognized = unrecognized
    }

    /// `signed` signed by each key (in the order given), each signature under the key's own id.
    public init(signing signed: JSONObject, with keys: [TUFSigningKey]) throws(TUFError) {
        let message = TUFJSON.object(signed).canonicalBytes
        var signatures: [Signature] = []
        for key in keys { signatures.append(try key.sign(message)) }
        self.init(signed: signed, signatures: signatures)
    }

    /// The envelope as a file holds it: `{"signatures": [...], "signed": {...}}`, compact or
    /// indented (clients verify the canonical bytes of `signed`, whichever text it came in).
    public func fileContents(indentation: Int = 0) -> [UInt8] {
        let signatures = signatures.map { signature in
            TUFJSON.object(
                JSONObject(
                    sortedUniqueMembers: Self.merged(
                        [("keyid", .string(signature.keyid)), ("sig", .string(signature.sig))], signature.unrecognized)))
        }
        let envelope = JSONObject(
            sortedUniqueMembers: Self.merged([("signatures", .array(signatures)), ("signed", .object(signed))], unrecognized))
        return TUFJSON.object(envelope).jsonText(indentation: indentation)
    }

    /// Known members and the unrecognized ones (which never repeat a known name), sorted.
    static func merged(_ known: [(String, TUFJSON)], _ unrecognized: JSONObject) -> [JSONObject.Member] {
        (known.map { JSONObject.Member(key: $0.0, value: $0.1) } + unrecognized.members).sorted {
            $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
        }
    }
}

/// An object of known members and the unrecognized ones kept from a parsed value; a name given
/// in both is refused.
func mergedObject(_ known: [(String, TUFJSON)], _ unrecognized: JSONObject) throws(TUFError) -> JSONObject {
    try JSONObject(known + unrecognized.members.map { ($0.key, $0.value) })
}

extension NameMap {
    /// From names and values in any order; a name given twice (the same scalars) is refused.
    public init(_ pairs: [(String, Value)]) throws(TUFError) {
        let sorted = pairs.map { Entry(name: $0.0, value: $0.1) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for index in sorted.indices.dropFirst() where sorted[index - 1].name.utf8.elementsEqual(sorted[index].name.utf8) {
            throw TUFError(.metadataInvalid, "the name \"\(sorted[index].name)\" is given twice")
        }
        self.init(sortedEntries: sorted)
    }

    init(sortedEntries: [Entry]) { entries = sortedEntries }

    public static var empty: NameMap { NameMap(sortedEntries: []) }

    /// This map with `name` set to `value`, or removed when `value` is nil.
    public func setting(_ name: String, _ value: Value?) -> NameMap {
        var updated = entries.filter { !$0.name.utf8.elementsEqual(name.utf8) }
        if let value {
            let position = updated.firstIndex { name.utf8.lexicographicallyPrecedes($0.name.utf8) } ?? updated.count
            updated.insert(Entry(name: name, value: value), at: position)
        }
        return NameMap(sortedEntries: updated)
    }

    func jsonObject(_ value: (Value) -> TUFJSON) -> JSONObject {
        JSONObject(sortedUniqueMembers: entries.map { JSONObject.Member(key: $0.name, value: value($0.value)) })
    }
}

extension RoleKeys {
    public init(keyids: [String], threshold: Int64, unrecognized: JSONObject = .empty) throws(TUFError) {
        try self.init(try mergedObject(Self.members(keyids: keyids, threshold: threshold), unrecognized), field: "role")
    }

    static func members(keyids: [String], threshold: Int64) -> [(String, TUFJSON)] {
        [("keyids", .array(keyids.map { .string($0) })), ("threshold", .integer(threshold))]
    }

    /// `keyids`, `threshold` and the unrecognized fields.
    public var object: JSONObject {
        JSONObject(sortedUniqueMembers: SignedEnvelope.merged(Self.members(keyids: keyids, threshold: threshold), unrecognized))
    }
}

/// The keys of a top-level role and how many must sign, for building a root.
public struct RoleAssignment: Sendable {
    public var keys: [PublicKey]
    public var threshold: Int64

    public init(_ keys: [PublicKey], threshold: Int64 = 1) {
        self.keys = keys
        self.threshold = threshold
    }
}

extension Root {
    /// A root listing each key under its specification key id; `roles` must name exactly root,
    /// snapshot, targets and timestamp.
    public init(
        version: Int64 = 1, expires: Date, roles: [String: RoleAssignment], consistentSnapshot: Bool = true,
        unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        var keys: [(String, PublicKey)] = []
        var roleKeys: [(String, RoleKeys)] = []
        for (name, assignment) in roles {
            for key in assignment.keys where !keys.contains(where: { $0.0 == key.computedID }) { keys.append((key.computedID, key)) }
            roleKeys.append((name, try RoleKeys(keyids: assignment.keys.map(\.computedID), threshold: assignment.threshold)))
        }
        try self.init(
            version: version, expires: CommonFields.expiryText(expires), keys: try NameMap(keys), roles: try NameMap(roleKeys),
            consistentSnapshot: consistentSnapshot, unrecognized: unrecognized)
    }

    public init(
        version: Int64, expires: String, specVersion: String = CommonFields.specVersionWritten, keys: NameMap<PublicKey>,
        roles: NameMap<RoleKeys>, consistentSnapshot: Bool, unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        let signed = try mergedObject(
            CommonFields.members(type: "root", specVersion: specVersion, version: version, expires: expires) + [
                ("keys", .object(keys.jsonObject { .object($0.object) })), ("roles", .object(roles.jsonObject { .object($0.object) })),
                ("consistent_snapshot", .bool(consistentSnapshot)),
            ], unrecognized)
        try self.init(SignedEnvelope(signed: signed, signatures: []))
    }

    public var signedObject: JSONObject {
        JSONObject(
            sortedUniqueMembers: SignedEnvelope.merged(
                common.members + [
                    ("keys", .object(keys.jsonObject { .object($0.object) })), ("roles", .object(roles.jsonObject { .object($0.object) })),
                    ("consistent_snapshot", .bool(consistentSnapshot)),
                ], unrecognized))
    }

    /// This root with `role` given to other keys: keys no role lists any more are dropped, new
    /// ones listed under their specification key id. The version stays (see `nextVersion`).
    public func replacing(_ role: String, with assignment: RoleAssignment) throws(TUFError) -> Root {
        guard let current = roles[role] else { throw TUFError(.metadataInvalid, "a root has no role \(role)", context: "roles") }
        var keyids: [String] = []
        var listed = keys
        for key in assignment.keys {
            let identity = key.verifier.publicKeyIdentity
            let existing = keys.entries.first { identity != nil && $0.value.verifier.publicKeyIdentity == identity }
            let keyid = existing?.name ?? key.computedID
            keyids.append(keyid)
            listed = listed.setting(keyid, existing?.value ?? key)
        }
        let updatedRoles = roles.setting(
            role, try RoleKeys(keyids: keyids, threshold: assignment.threshold, unrecognized: current.unrecognized))
        let used = Set(updatedRoles.entries.flatMap(\.value.keyids))
        for entry in listed.entries where !used.contains(entry.name) { listed = listed.setting(entry.name, nil) }
        return try Root(
            version: common.version, expires: common.expires, specVersion: common.specVersion, keys: listed, roles: updatedRoles,
            consistentSnapshot: consistentSnapshot, unrecognized: unrecognized)
    }

    /// The next version of this root, expiring at `expires`.
    public func nextVersion(expires: Date) throws(TUFError) -> Root {
        try Root(
            version: common.version + 1, expires: CommonFields.expiryText(expires), specVersion: common.specVersion, keys: keys,
            roles: roles, consistentSnapshot: consistentSnapshot, unrecognized: unrecognized)
    }
}

extension MetaFile {
    public init(version: Int64, length: Int64? = nil, hashes: NameMap<String>? = nil, unrecognized: JSONObject = .empty) throws(TUFError) {
        try self.init(
            .object(try mergedObject(Self.members(version: version, length: length, hashes: hashes), unrecognized)), field: "meta")
    }

    /// What a timestamp says of a snapshot file: its version, length and SHA-256.
    public init(describing contents: [UInt8], version: Int64) throws(TUFError) {
        try self.init(version: version, length: Int64(contents.count), hashes: try NameMap([("sha256", sha256Hex(contents))]))
    }

    static func members(version: Int64, length: Int64?, hashes: NameMap<String>?) -> [(String, TUFJSON)] {
        var members: [(String, TUFJSON)] = [("version", .integer(version))]
        if let length { members.append(("length", .integer(length))) }
        if let hashes { members.append(("hashes", .object(hashes.jsonObject { .string($0) }))) }
        return members
    }

    public var object: JSONObject {
        JSONObject(sortedUniqueMembers: SignedEnvelope.merged(Self.members(version: version, length: length, hashes: hashes), unrecognized))
    }
}

extension TargetFile {
    public init(length: Int64, hashes: NameMap<String>, custom: TUFJSON? = nil, unrecognized: JSONObject = .empty) throws(TUFError) {
        try self.init(
            .object(try mergedObject(Self.members(length: length, hashes: hashes, custom: custom), unrecognized)), field: "target")
    }

    /// The entry for `contents`: its length and its digests by each algorithm (sha256, sha384,
    /// sha512), and `custom` as given.
    public init(describing contents: [UInt8], hashAlgorithms: [String] = ["sha256"], custom: TUFJSON? = nil) throws(TUFError) {
        var hashes: [(String, String)] = []
        for algorithm in hashAlgorithms {
            guard let digest = hexDigest(algorithm, of: contents) else {
                throw TUFError(.metadataInvalid, "the hash algorithm \(algorithm) is not one of sha256, sha384, sha512")
            }
            hashes.append((algorithm, digest))
        }
        try self.init(length: Int64(contents.count), hashes: try NameMap(hashes), custom: custom)
    }

    static func members(length: Int64, hashes: NameMap<String>, custom: TUFJSON?) -> [(String, TUFJSON)] {
        [("length", .integer(length)), ("hashes", .object(hashes.jsonObject { .string($0) }))] + (custom.map { [("custom", $0)] } ?? [])
    }

    public var object: JSONObject {
        JSONObject(sortedUniqueMembers: SignedEnvelope.merged(Self.members(length: length, hashes: hashes, custom: custom), unrecognized))
    }
}

/// Lowercase hex digest by a TUF hash algorithm name; nil for any other name.
func hexDigest(_ algorithm: String, of bytes: [UInt8]) -> String? {
    switch algorithm {
    case "sha256": hexString(SHA256.hash(data: bytes))
    case "sha384": hexString(SHA384.hash(data: bytes))
    case "sha512": hexString(SHA512.hash(data: bytes))
    default: nil
    }
}

extension Timestamp {
    public init(
        version: Int64, expires: Date, snapshot: MetaFile, specVersion: String = CommonFields.specVersionWritten,
        unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        let signed = try mergedObject(
            CommonFields.members(type: "timestamp", specVersion: specVersion, version: version, expires: CommonFields.expiryText(expires))
                + [("meta", .object(try JSONObject([("snapshot.json", .object(snapshot.object))])))], unrecognized)
        try self.init(SignedEnvelope(signed: signed, signatures: []))
    }

    public var signedObject: JSONObject {
        let meta = JSONObject(sortedUniqueMembers: [JSONObject.Member(key: "snapshot.json", value: .object(snapshotMeta.object))])
        return JSONObject(sortedUniqueMembers: SignedEnvelope.merged(common.members + [("meta", .object(meta))], unrecognized))
    }
}

extension Snapshot {
    /// `meta` names each targets role's file `ROLE.json`, the role name as it is, not encoded.
    public init(
        version: Int64, expires: Date, meta: NameMap<MetaFile>, specVersion: String = CommonFields.specVersionWritten,
        unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        let signed = try mergedObject(
            CommonFields.members(type: "snapshot", specVersion: specVersion, version: version, expires: CommonFields.expiryText(expires))
                + [("meta", .object(meta.jsonObject { .object($0.object) }))], unrecognized)
        try self.init(SignedEnvelope(signed: signed, signatures: []))
    }

    public var signedObject: JSONObject {
        JSONObject(
            sortedUniqueMembers: SignedEnvelope.merged(
                common.members + [("meta", .object(meta.jsonObject { .object($0.object) }))], unrecognized))
    }
}

extension Targets {
    public init(
        version: Int64, expires: Date, targets: NameMap<TargetFile> = .empty, delegations: Delegations? = nil,
        specVersion: String = CommonFields.specVersionWritten, unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        try self.init(
            version: version, expires: CommonFields.expiryText(expires), specVersion: specVersion, targets: targets,
            delegations: delegations, unrecognized: unrecognized)
    }

    init(
        version: Int64, expires: String, specVersion: String, targets: NameMap<TargetFile>, delegations: Delegations?,
        unrecognized: JSONObject
    ) throws(TUFError) {
        let signed = try mergedObject(
            CommonFields.members(type: "targets", specVersion: specVersion, version: version, expires: expires)
                + Self.members(targets: targets, delegations: delegations), unrecognized)
        try self.init(SignedEnvelope(signed: signed, signatures: []))
    }

    static func members(targets: NameMap<TargetFile>, delegations: Delegations?) -> [(String, TUFJSON)] {
        [("targets", .object(targets.jsonObject { .object($0.object) }))]
            + (delegations.map { [("delegations", .object($0.object))] } ?? [])
    }

    public var signedObject: JSONObject {
        JSONObject(
            sortedUniqueMembers: SignedEnvelope.merged(
                common.members + Self.members(targets: targets, delegations: delegations), unrecognized))
    }
}

extension Delegations {
    /// The keys are listed under their specification key ids.
    public init(keys: [PublicKey], roles: [DelegatedRole], unrecognized: JSONObject = .empty) throws(TUFError) {
        var listed: [(String, PublicKey)] = []
        for key in keys where !listed.contains(where: { $0.0 == key.computedID }) { listed.append((key.computedID, key)) }
        try self.init(keys: try NameMap(listed), roles: roles, unrecognized: unrecognized)
    }

    public init(keys: NameMap<PublicKey>, roles: [DelegatedRole], unrecognized: JSONObject = .empty) throws(TUFError) {
        try self.init(.object(try mergedObject(Self.members(keys: keys, roles: roles), unrecognized)))
    }

    static func members(keys: NameMap<PublicKey>, roles: [DelegatedRole]) -> [(String, TUFJSON)] {
        [("keys", .object(keys.jsonObject { .object($0.object) })), ("roles", .array(roles.map { .object($0.object) }))]
    }

    public var object: JSONObject {
        JSONObject(sortedUniqueMembers: SignedEnvelope.merged(Self.members(keys: keys, roles: roles), unrecognized))
    }
}

extension DelegatedRole {
    public init(
        name: String, keyids: [String], threshold: Int64 = 1, terminating: Bool, paths: Paths, unrecognized: JSONObject = .empty
    ) throws(TUFError) {
        let members = Self.members(
            name: name, keys: RoleKeys.members(keyids: keyids, threshold: threshold), terminating: terminating, paths: paths)
        try self.init(.object(try mergedObject(members, unrecognized)), field: "delegations.roles")
    }

    static func members(name: String, keys: [(String, TUFJSON)], terminating: Bool, paths: Paths) -> [(String, TUFJSON)] {
        let pathMember: (String, TUFJSON)
        switch paths {
        case .patterns(let patterns): pathMember = ("paths", .array(patterns.map { .string($0) }))
        case .hashPrefixes(let prefixes): pathMember = ("path_hash_prefixes", .array(prefixes.map { .string($0) }))
        }
        return [("name", .string(name)), ("terminating", .bool(terminating)), pathMember] + keys
    }

    public var object: JSONObject {
        let known = Self.members(
            name: name, keys: RoleKeys.members(keyids: keys.keyids, threshold: keys.threshold), terminating: terminating, paths: paths)
        return JSONObject(sortedUniqueMembers: SignedEnvelope.merged(known, keys.unrecognized))
    }
}
