import Crypto
import Foundation
import LanyardSupport
import Synchronization

@testable import TUF

/// A repository written and signed here with Ed25519 keys, the way tuf-conformance's simulator
/// builds one: change a role's fields, then `publish` it, which bumps its version, signs it with
/// its signers, serves it under its versioned name and updates the snapshot's or timestamp's
/// entry for it. Tests tamper with `files` directly for what no publisher would write.
struct TestRepository {
    struct Delegation {
        var name: String
        var paths: [String]? = ["*"]
        var hashPrefixes: [String]? = nil
        var terminating = false
        var threshold: Int64 = 1
        /// Nil: the keys the role already signs with, or a new one.
        var keys: [Curve25519.Signing.PrivateKey]? = nil
    }

    static let topLevel = ["root", "timestamp", "snapshot", "targets"]
    static let metadataURL = "https://repo.test/metadata/"
    static let targetsURL = "https://repo.test/targets/"

    /// The keys each top-level role lists, and its threshold.
    var keys: [String: [Curve25519.Signing.PrivateKey]] = [:]
    var thresholds: [String: Int64] = [:]
    /// Who signs each role when it is published (the top-level keys unless a test changes them;
    /// delegated roles are signed by their delegation's keys).
    var signers: [String: [Curve25519.Signing.PrivateKey]] = [:]
    var versions: [String: Int64] = [:]
    var expires: [String: String] = [:]
    var consistentSnapshot = true
    /// Length and SHA-256 in the snapshot's and timestamp's entries.
    var metaHashes = false
    /// Role to target path to content.
    var targets: [String: [String: Data]] = [:]
    /// Delegator to its delegations, in search order.
    var delegations: [String: [Delegation]] = [:]
    var snapshotMeta: [String: TUFJSON] = [:]
    var timestampMeta: TUFJSON = .null
    /// Every version published, by role.
    var published: [String: [Data]] = [:]
    /// What the server answers, by URL.
    var files: [String: Data] = [:]

    init() {
        for role in Self.topLevel {
            keys[role] = [Curve25519.Signing.PrivateKey()]
            thresholds[role] = 1
            signers[role] = keys[role]
            versions[role] = 1
            expires[role] = "2031-02-03T04:05:06Z"
        }
        targets["targets"] = [:]
        publish(["targets", "snapshot", "timestamp", "root"])
    }

    static func keyid(_ key: Curve25519.Signing.PrivateKey) -> String { sha256Hex(Fixture.ed25519Key(key).canonicalBytes) }

    var rootBytes: Data { published["root"]![0] }

    mutating func rotateKeys(_ role: String) {
        keys[role] = [Curve25519.Signing.PrivateKey()]
        signers[role] = keys[role]
    }

    mutating func addTarget(_ path: String, _ content: Data, role: String = "targets") {
        targets[role, default: [:]][path] = content
        files[Self.targetsURL + Self.targetURLPath(path, content: content)] = content
    }

    mutating func delegate(from delegator: String, _ delegation: Delegation) {
        var delegation = delegation
        delegation.keys = delegation.keys ?? signers[delegation.name] ?? [Curve25519.Signing.PrivateKey()]
        delegations[delegator, default: []].append(delegation)
        if signers[delegation.name] == nil { signers[delegation.name] = delegation.keys }
        if targets[delegation.name] == nil { targets[delegation.name] = [:] }
        if versions[delegation.name] == nil {
            versions[delegation.name] = 1
            expires[delegation.name] = "2031-02-03T04:05:06Z"
        }
    }

    static func targetURLPath(_ path: String, content: Data) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name = parts.removeLast()
        return (parts + ["\(sha256Hex(Array(content))).\(name)"]).joined(separator: "/")
    }

    /// Signs and serves each role, in the order given, bumping the version of one already
    /// published.
    mutating func publish(_ roles: [String]) {
        for role in roles {
            if published[role] != nil { versions[role, default: 1] += 1 }
            let data = sign(document(role), with: signers[role] ?? [])
            published[role, default: []].append(data)
            let version = versions[role]!
            switch role {
            case "root": files[Self.metadataURL + "\(version).root.json"] = data
            case "timestamp": files[Self.metadataURL + "timestamp.json"] = data
            default:
                let name = percentEncoded(role)
                files[Self.metadataURL + "\(version).\(name).json"] = data
                files[Self.metadataURL + "\(name).json"] = data
                let entry = meta(version: version, data: data)
                if role == "snapshot" { timestampMeta = entry } else { snapshotMeta["\(role).json"] = entry }
            }
        }
    }

    func meta(version: Int64, data: Data) -> TUFJSON {
        guard metaHashes else { return Fixture.object([("version", .integer(version))]) }
        return Fixture.object([
            ("version", .integer(version)), ("length", .integer(Int64(data.count))),
            ("hashes", Fixture.object([("sha256", .string(sha256Hex(Array(data))))])),
        ])
    }

    func sign(_ signed: TUFJSON, with keys: [Curve25519.Signing.PrivateKey]) -> Data {
        let bytes = signed.canonicalBytes
        let signatures = keys.map { key in
            Fixture.object([("keyid", .string(Self.keyid(key))), ("sig", .string(hexString(try! key.signature(for: bytes))))])
        }
        return Data(Fixture.object([("signatures", .array(signatures)), ("signed", signed)]).canonicalBytes)
    }

    func document(_ role: String) -> TUFJSON {
        let common = Fixture.common(
            Self.topLevel.contains(role) ? role : "targets", version: .integer(versions[role]!), expires: expires[role]!)
        switch role {
        case "root":
            var listed: [(String, TUFJSON)] = []
            for key in Self.topLevel.flatMap({ keys[$0]! }) where !listed.contains(where: { $0.0 == Self.keyid(key) }) {
                listed.append((Self.keyid(key), Fixture.ed25519Key(key)))
            }
            let roles = Self.topLevel.map { name in (name, Fixture.role(keys[name]!.map(Self.keyid), threshold: thresholds[name]!)) }
            return Fixture.object(
                common + [
                    ("keys", Fixture.object(listed)), ("roles", Fixture.object(roles)), ("consistent_snapshot", .bool(consistentSnapshot)),
                ])
        case "timestamp":
            return Fixture.object(common + [("meta", Fixture.object([("snapshot.json", timestampMeta)]))])
        case "snapshot":
            return Fixture.object(common + [("meta", Fixture.object(snapshotMeta.map { ($0.key, $0.value) }))])
        default:
            let files = (targets[role] ?? [:]).map { path, content in
                (
                    path,
                    Fixture.object([
                        ("length", .integer(Int64(content.count))),
                        ("hashes", Fixture.object([("sha256", .string(sha256Hex(Array(content))))])),
                    ])
                )
            }
            var fields = common + [("targets", Fixture.object(files))]
            if let delegated = delegations[role] {
                var listed: [(String, TUFJSON)] = []
                for key in delegated.flatMap({ $0.keys ?? [] }) where !listed.contains(where: { $0.0 == Self.keyid(key) }) {
                    listed.append((Self.keyid(key), Fixture.ed25519Key(key)))
                }
                let roles = delegated.map { delegation in
                    var entry: [(String, TUFJSON)] = [
                        ("name", .string(delegation.name)), ("keyids", .array((delegation.keys ?? []).map { .string(Self.keyid($0)) })),
                        ("threshold", .integer(delegation.threshold)), ("terminating", .bool(delegation.terminating)),
                    ]
                    if let paths = delegation.paths { entry.append(("paths", .array(paths.map { .string($0) }))) }
                    if let prefixes = delegation.hashPrefixes { entry.append(("path_hash_prefixes", .array(prefixes.map { .string($0) }))) }
                    return Fixture.object(entry)
                }
                fields.append(("delegations", Fixture.object([("keys", Fixture.object(listed)), ("roles", .array(roles))])))
            }
            return Fixture.object(fields)
        }
    }
}

/// Serves a repository's files from memory and records every URL asked for.
final class MemoryFetcher: TUFFetcher {
    private let state = Mutex<(files: [String: Data], requests: [String])>(([:], []))

    init(_ repository: TestRepository) { serve(repository) }

    func serve(_ repository: TestRepository) { state.withLock { $0.files = repository.files } }

    /// The metadata and target URLs asked for since the last call, without the common prefix.
    func takeRequests() -> [String] {
        state.withLock { state in
            defer { state.requests.removeAll() }
            return state.requests.map { String($0.dropFirst("https://repo.test/".count)) }
        }
    }

    func fetch(_ url: String, maximumLength: Int) async throws(TUFError) -> Data? {
        let data = state.withLock { state in
            state.requests.append(url)
            return state.files[url]
        }
        if let data, data.count > maximumLength {
            throw TUFError(.lengthExceeded, "more than the \(maximumLength) bytes allowed", context: url)
        }
        return data
    }
}

/// A client of a test repository: its own metadata directory (removed with the client), started
/// from the repository's first root, at a fixed reference time.
final class TestClient {
    static let now = parseExpiry("2030-01-01T00:00:00Z")!

    let directory: URL
    let fetcher: MemoryFetcher
    var referenceTime: Int64 = TestClient.now

    init(_ repository: TestRepository) throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-tuf-client-\(UUID().uuidString)")
        fetcher = MemoryFetcher(repository)
        try MetadataDirectory(directory).initialize(trustedRoot: repository.rootBytes)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func updater() -> Updater {
        let time = referenceTime
        return Updater(directory: directory, metadataURL: TestRepository.metadataURL, fetcher: fetcher, clock: { time })
    }

    /// Serves the repository as it is now, then refreshes; the failure, if any.
    func refresh(_ repository: TestRepository) async -> TUFError? {
        fetcher.serve(repository)
        var updater = updater()
        do {
            try await updater.refresh()
            return nil
        } catch {
            return error
        }
    }

    /// The version of each role stored, by file name.
    func storedVersions() throws -> [String: Int64] {
        var versions: [String: Int64] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            let envelope = try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: name))))
            versions[String(name.dropLast(5))] = envelope.signed["version"]?.integerValue
        }
        return versions
    }
}
