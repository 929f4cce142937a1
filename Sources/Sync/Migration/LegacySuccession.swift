public import Foundation
public import LanyardSupport

/// The move from the registry's first format (DSSE envelopes, `root/N.json`, Ed25519 only) to
/// TUF (docs/registry-protocol.md, "Moving from the first format"). Operations sign one last
/// root of the first format, with its own root keys as every root before it, that names the TUF
/// root by length and SHA-256 (`tuf_root`). A kiosk provisioned under the first format follows
/// its chain as it always did, finds that root, fetches `metadata/1.root.json`, and trusts it
/// only when its bytes are the ones named: the trust a kiosk was provisioned with passes to the
/// TUF root without anyone visiting the kiosk. Re-provisioning with the TUF root works too.
public enum LegacySuccession {
    static let rootType = "application/vnd.lanyard.root+json"
    public static let maximumRootLength = 512 * 1024

    public static func legacyRootPath(version: Int) -> String { "root/\(version).json" }

    /// True for a root of the first format (a DSSE envelope) rather than a TUF root.
    public static func isLegacyRoot(_ data: Data) -> Bool {
        (try? SignedEnvelope.decode(data, subject: "root"))?.payloadType == rootType
    }

    /// Follows the first format's root chain from `trustedRoot` and returns the bytes of the TUF
    /// root its last root names. Each root must be the next version, signed by a threshold of
    /// the previous root's root keys and of its own.
    public static func follow(from trustedRoot: Data, source: any RepositorySource) async throws(SyncError) -> Data {
        var root = try verifiedRoot(trustedRoot, previous: nil)
        while let data = try await source.fetchWhole(legacyRootPath(version: root.version + 1), limit: maximumRootLength) {
            root = try verifiedRoot(data, previous: root)
        }
        guard let successor = root.successor else {
            throw SyncError(
                .rootChainBroken, "root version \(root.version) of the first format names no TUF root: the registry has not moved yet",
                subject: "root")
        }
        guard let tufRoot = try await source.fetchWhole(RepositoryLayout.root(version: 1), limit: successor.length) else {
            throw SyncError(.transport, "the registry names a TUF root it does not serve", subject: RepositoryLayout.root(version: 1))
        }
        guard tufRoot.count == successor.length, SHA256Digest.hex(tufRoot) == successor.sha256 else {
            throw SyncError(
                .hashMismatch, "the TUF root is not the one the last root of the first format names",
                subject: RepositoryLayout.root(version: 1))
        }
        return tufRoot
    }

    /// Writes the last root of the first format into `repository`: the newest root's keys and
    /// roles, the next version, naming `tufRoot`. The root keys given must meet its threshold.
    @discardableResult
    public static func writeSuccessor(
        repository: URL, tufRoot: Data, rootKeys: [SigningKey], expires: Date
    ) throws(SyncError) -> Int {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: repository.appending(path: "root").path) } catch {
            throw SyncError(
                .io, "not a repository of the first format: it has no root/ directory", subject: repository.path, underlying: error)
        }
        guard let latest = names.compactMap({ $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil }).max() else {
            throw SyncError(.io, "not a repository of the first format: no root metadata", subject: repository.path)
        }
        let path = repository.appending(path: legacyRootPath(version: latest))
        guard let data = FileManager.default.contents(atPath: path.path) else {
            throw SyncError(.io, "cannot read root version \(latest)", subject: path.path)
        }
        var next = try verifiedRoot(data, previous: nil)
        guard next.successor == nil else {
            throw SyncError(.targetInvalid, "root version \(latest) already names a TUF root", subject: path.path)
        }
        next.version = latest + 1
        next.expires = Date(timeIntervalSince1970: expires.timeIntervalSince1970.rounded(.down))
        next.successor = SuccessorRoot(sha256: SHA256Digest.hex(tufRoot), length: tufRoot.count)
        var envelope = SignedEnvelope(payloadType: rootType, payload: try CanonicalJSON.encode(next))
        try envelope.sign(with: rootKeys)
        _ = try verifiedRoot(try envelope.encoded(), previous: try verifiedRoot(data, previous: nil))
        let target = repository.appending(path: legacyRootPath(version: next.version))
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw SyncError(.io, "root version \(next.version) already exists", subject: target.path)
        }
        do { try envelope.encoded().write(to: target, options: .atomic) } catch {
            throw SyncError(.io, "cannot write root version \(next.version)", subject: target.path, underlying: error)
        }
        return next.version
    }

    /// Parses a root of the first format and checks it: signed by a threshold of its own root
    /// keys and, when it follows `previous`, of the previous root's, exactly one version up.
    static func verifiedRoot(_ data: Data, previous: RootMetadata?) throws(SyncError) -> RootMetadata {
        let envelope = try SignedEnvelope.decode(data, subject: "root")
        guard envelope.payloadType == rootType else {
            throw SyncError(.metadataInvalid, "payload type is '\(envelope.payloadType)', expected a root", subject: "root")
        }
        let root = try CanonicalJSON.decode(RootMetadata.self, from: envelope.payload, subject: "root")
        try root.validate()
        if let previous {
            guard root.version == previous.version + 1 else {
                throw SyncError(.rootChainBroken, "expected root version \(previous.version + 1), got \(root.version)", subject: "root")
            }
            try requireThreshold(envelope, of: previous, what: "root version \(root.version) by the keys of version \(previous.version)")
        }
        try requireThreshold(envelope, of: root, what: "root version \(root.version) by its own keys")
        return root
    }

    static func requireThreshold(_ envelope: SignedEnvelope, of root: RootMetadata, what: String) throws(SyncError) {
        let threshold = root.keys(for: .root)?.threshold ?? Int.max
        let signers = envelope.validSigners(among: root.publicKeys(for: .root))
        guard signers.count >= threshold else {
            throw SyncError(
                .signatureThreshold, "\(what) is not signed by enough trusted keys", subject: "root",
                cause: "\(signers.count) valid signature(s) of \(threshold) needed")
        }
    }
}
