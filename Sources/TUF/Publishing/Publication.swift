public import LanyardSupport

/// The changes of one publication, gathered by the closure given to
/// `TUFRepositoryWriter.publish` and written when it returns: target files set or removed in
/// targets roles, delegations replaced, roles re-signed unchanged. Nothing is written before the
/// closure returns and every check has passed.
public struct TUFPublication {
    /// The root the publication is signed under.
    public let root: Root
    let writer: TUFRepositoryWriter
    let snapshot: Snapshot?
    /// Roles read so far, by the UTF-8 bytes of their name.
    var published: [[UInt8]: Targets] = [:]
    /// Roles changed, by the UTF-8 bytes of their name, in the order first changed.
    var edits: [[UInt8]: RoleEdit] = [:]
    var editOrder: [String] = []
    /// Target files to write before any metadata, with the entries that describe them.
    var files: [(path: String, contents: [UInt8], entry: TargetFile)] = []

    struct RoleEdit {
        /// Target path bytes to the new entry, or nil for a removed one.
        var targets: [[UInt8]: (path: String, entry: TargetFile?)] = [:]
        /// Set when the delegations are replaced (the inner nil removes them).
        var delegations: Delegations?? = nil
    }

    init(root: Root, writer: TUFRepositoryWriter, snapshot: Snapshot?) {
        self.root = root
        self.writer = writer
        self.snapshot = snapshot
    }

    /// The role's metadata as the repository publishes it now (before this publication's
    /// changes); nil for a role the snapshot does not list.
    public mutating func published(_ role: String) throws(TUFError) -> Targets? {
        if let targets = published[Array(role.utf8)] { return targets }
        guard let version = snapshot?.meta["\(role).json"]?.version else { return nil }
        let targets = try writer.readTargets(role: role, version: version).targets
        published[Array(role.utf8)] = targets
        return targets
    }

    /// Publishes `contents` as the target `path` of `role` (a new one or a new version), its entry
    /// listing the digests by `hashAlgorithms` and `custom` as given. The file is stored once per
    /// digest as `targets/DIR/DIGEST.NAME`, the name a consistent-snapshot client asks for.
    ///
    /// A path is `/`-separated names, none empty, `.` or `..`, and without control characters:
    /// clients put it into a URL as it is.
    public mutating func setTarget(
        _ path: String, contents: [UInt8], hashAlgorithms: [String] = ["sha256"], custom: TUFJSON? = nil, role: String = "targets"
    ) throws(TUFError) {
        try Self.validate(targetPath: path)
        let entry = try TargetFile(describing: contents, hashAlgorithms: hashAlgorithms, custom: custom)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for digest in entry.hashes.entries where digest.value.utf8.count + 1 + name.utf8.count > 255 {
            throw TUFError(.publishRefused, "the stored file name \(digest.value).\(name) would be longer than 255 bytes", context: path)
        }
        files.append((path, contents, entry))
        edit(role) { $0.targets[Array(path.utf8)] = (path, entry) }
    }

    /// Removes the target `path` from `role` (its stored file stays: a client holding the
    /// previous snapshot may still fetch it).
    public mutating func removeTarget(_ path: String, role: String = "targets") {
        edit(role) { $0.targets[Array(path.utf8)] = (path, nil) }
    }

    /// Replaces the delegations of `role` (nil removes them). A role delegated for the first time
    /// is published empty at version 1, and a delegated role whose keys changed is re-signed, so
    /// each needs a threshold of its keys among the signers.
    public mutating func setDelegations(_ delegations: Delegations?, role: String = "targets") {
        edit(role) { $0.delegations = .some(delegations) }
    }

    /// Signs `role` again at its next version without changing it (a fresh expiry).
    public mutating func resign(_ role: String) { edit(role) { _ in } }

    mutating func edit(_ role: String, _ change: (inout RoleEdit) -> Void) {
        let key = Array(role.utf8)
        if edits[key] == nil {
            edits[key] = RoleEdit()
            editOrder.append(role)
        }
        change(&edits[key]!)
    }

    /// A role's content once this publication's changes are applied: nil for a role that neither
    /// exists nor is changed.
    mutating func content(of role: String, version: Int64, expires: String) throws(TUFError) -> Targets? {
        let current = try published(role)
        guard let edit = edits[Array(role.utf8)] else { return current }
        var targets = current?.targets.entries.map { ($0.name, $0.value) } ?? []
        if !edit.targets.isEmpty {
            targets.removeAll { edit.targets[Array($0.0.utf8)] != nil }
            for (path, entry) in edit.targets.values { if let entry { targets.append((path, entry)) } }
        }
        return try Targets(
            version: version, expires: expires, specVersion: current?.common.specVersion ?? CommonFields.specVersionWritten,
            targets: try NameMap(targets), delegations: edit.delegations ?? current?.delegations,
            unrecognized: current?.unrecognized ?? .empty)
    }

    static func validate(targetPath path: String) throws(TUFError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            path.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F })
        else {
            throw TUFError(
                .publishRefused, "a target path is /-separated names, none empty, . or .., without control characters", context: path)
        }
    }
}
