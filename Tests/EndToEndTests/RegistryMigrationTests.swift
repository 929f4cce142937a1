import Foundation
import Sync
import TestSupport
import Testing

/// The move from the registry's first format to TUF as a venue lives it (docs/registry-protocol.md,
/// "Moving from the first format"): a kiosk provisioned with a root of the first format is never
/// visited. Operations create the TUF repository beside the old files, publish into it and sign
/// one last root of the first format naming the TUF root; the kiosk follows its old chain to it,
/// trusts the TUF root only when its bytes are the ones named, and runs the TUF release.
///
/// Each phase is one start of the agent (its first refresh happens at once), so no phase waits
/// on the backoff after a refusal.
@Suite(.serialized) struct RegistryMigrationTests {
    static let adminToken = "migration-admin-token-0123456789"
    static let rootType = "application/vnd.lanyard.root+json"

    @Test func aKioskOfTheFirstFormatFollowsItsRootChainToTheTUFRepository() async throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        func path(_ name: String) -> String { work.appending(path: name).path }
        let repository = work.appending(path: "repo")

        // The first format, as its tools wrote it: Ed25519 keys, DSSE roots under root/.
        let oldRoot = SigningKey()
        let oldTargets = SigningKey()
        let oldTimestamp = SigningKey()
        try oldRoot.write(to: work.appending(path: "old-root.key"))
        try FileManager.default.createDirectory(at: repository.appending(path: "root"), withIntermediateDirectories: true)
        let first = try Self.legacyRoot(version: 1, rootKey: oldRoot, targetsKey: oldTargets, timestampKey: oldTimestamp)
        try first.write(to: repository.appending(path: "root/1.json"))
        // A rotation within the first format: the kiosk follows the chain from version 1.
        try Self.legacyRoot(version: 2, rootKey: oldRoot, targetsKey: oldTargets, timestampKey: oldTimestamp)
            .write(to: repository.appending(path: "root/2.json"))
        try first.write(to: work.appending(path: "provisioned-root.json"))

        let agent = Agent(work: work, index: 0, repository: repository, root: work.appending(path: "provisioned-root.json"))

        // 1. Nothing names a TUF root yet: the kiosk says so and keeps its own templates.
        let before = try await agent.run { status in
            (status["last_error"] as? [String: Any])?["code"] as? String == "sync.root_chain_broken" ? status : nil
        }
        let stable = try #require(before, "the kiosk reports that the registry has not moved: \(agent.log)")
        #expect(stable["root_version"] as? Int == 0)
        let running = Self.labels(stable)

        // 2. The TUF repository beside the old files, a release in it, and the last old root.
        #expect(try runLanyard(["registry", "keygen", path("root.key"), path("targets.key"), path("ts.key")]).status == 0)
        let initialised = try runLanyard([
            "registry", "init", "--repository", repository.path, "--root-key", path("root.key"),
            "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
        ])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let signing = ["--repository", repository.path, "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key")]
        let published = try runLanyard(["registry", "publish"] + signing + ["--template", "Templates/standard", "--label", "tuf-1"])
        #expect(published.status == 0, "\(published.stderr)")

        let migrated = try runLanyard(["registry", "migrate", "--repository", repository.path, "--sign-key", path("old-root.key")])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("root/3.json names the TUF root"), "\(migrated.stdout)")
        let again = try runLanyard(["registry", "migrate", "--repository", repository.path, "--sign-key", path("old-root.key")])
        #expect(again.status != 0, "a repository that moved already is not moved twice: \(again.stdout)")
        let last = try Sync.SignedEnvelope.decode(try Data(contentsOf: repository.appending(path: "root/3.json")), subject: "root")
        #expect(last.payloadType == Self.rootType)
        let tufRoot = try Data(contentsOf: repository.appending(path: "metadata/1.root.json"))
        let named =
            try #require(
                try JSONSerialization.jsonObject(with: last.payload) as? [String: Any])["tuf_root"] as? [String: Any]
        #expect(named?["sha256"] as? String == SHA256Digest.hex(tufRoot))
        #expect(named?["length"] as? Int == tufRoot.count)

        // 3. A TUF root other than the one named (another repository's, valid in itself) is
        //    refused, and the kiosk keeps what it runs.
        let other = work.appending(path: "other")
        #expect(try runLanyard(["registry", "keygen", path("other-root.key")]).status == 0)
        #expect(
            try runLanyard([
                "registry", "init", "--repository", other.path, "--root-key", path("other-root.key"),
                "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
            ]).status == 0)
        let impostor = try Data(contentsOf: other.appending(path: "metadata/1.root.json"))
        #expect(impostor != tufRoot)
        try impostor.write(to: repository.appending(path: "metadata/1.root.json"))
        let refused = try await agent.run { status in
            (status["last_error"] as? [String: Any])?["code"] as? String == "sync.hash_mismatch" ? status : nil
        }
        let kept = try #require(refused, "the kiosk refuses a TUF root that is not the named one: \(agent.log)")
        #expect(kept["root_version"] as? Int == 0, "no TUF root is trusted")
        #expect(Self.labels(kept) == running, "the kiosk keeps what it runs")
        #expect(!Self.labels(kept).contains("tuf-1"))

        // 4. The named root served: the kiosk moves over and runs the TUF release, then follows
        //    the TUF repository as any TUF kiosk does.
        try tufRoot.write(to: repository.appending(path: "metadata/1.root.json"))
        let moved = try await agent.run(keepRunning: true) { status in
            Self.tierLabel(status, "fallback") == "tuf-1" ? status : nil
        }
        defer { agent.stop() }
        let after = try #require(moved, "the kiosk follows the succession and runs the TUF release: \(agent.log)")
        #expect(after["root_version"] as? Int == 1)
        #expect(after["last_error"] == nil)
        #expect(try runLanyard(["registry", "publish"] + signing + ["--template", "Templates/standard", "--label", "tuf-2"]).status == 0)
        let next = try await agent.wait { Self.tierLabel($0, "fallback") == "tuf-2" ? true : nil }
        #expect(next == true, "the kiosk takes the next TUF release: \(agent.log)")
        #expect(agent.log.contains("registry moved to TUF"))
    }

    // MARK: Helpers

    /// A root of the first format, signed by its root key, as `root/N.json` held it.
    static func legacyRoot(version: Int, rootKey: SigningKey, targetsKey: SigningKey, timestampKey: SigningKey) throws -> Data {
        var keys: [String: PublicKeyEntry] = [:]
        for key in [rootKey, targetsKey, timestampKey] { keys[key.keyID] = key.publicEntry }
        let expires = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 365 * 86_400).rounded(.down))
        let root = RootMetadata(
            version: version, expires: expires, keys: keys,
            roles: [
                .root: RoleKeys(keyIDs: [rootKey.keyID], threshold: 1),
                .targets: RoleKeys(keyIDs: [targetsKey.keyID], threshold: 1),
                .timestamp: RoleKeys(keyIDs: [timestampKey.keyID], threshold: 1),
            ])
        var envelope = Sync.SignedEnvelope(payloadType: rootType, payload: try CanonicalJSON.encode(root))
        try envelope.sign(with: [rootKey])
        return try envelope.encoded()
    }

    static func labels(_ status: [String: Any]) -> [String] {
        ((status["templates"] as? [[String: Any]]) ?? []).compactMap { template in
            (template["tier"] as? String).map { "\($0):\(template["label"] as? String ?? "")" }
        }.sorted()
    }

    static func tierLabel(_ status: [String: Any], _ tier: String) -> String? {
        ((status["templates"] as? [[String: Any]]) ?? []).first { $0["tier"] as? String == tier }?["label"] as? String
    }

    /// One kiosk: its configuration, and one agent process at a time over the same data directory.
    final class Agent: @unchecked Sendable {
        let work: URL
        let index: Int
        let config: URL
        let socket: String
        var process: LanyardProcess?
        var runs = 0

        init(work: URL, index: Int, repository: URL, root: URL) {
            self.work = work
            self.index = index
            config = work.appending(path: "agent-\(index).yaml")
            socket = work.appending(path: "agent-\(index).sock").path
            let text = """
                listen: unix:\(socket)
                data_dir: \(work.appending(path: "agent-\(index)").path)
                kiosk_id: kiosk-\(index)
                admin_token: \(RegistryMigrationTests.adminToken)
                printer: { address: sim }
                registry:
                  url: file:\(repository.path)/
                  root: \(root.path)
                  poll_seconds: 1
                """
            try? Data(text.utf8).write(to: config)
        }

        var log: String { (process?.output ?? "").suffix(3000).description }

        /// Starts the agent, waits for `probe` to accept its sync status, and stops it unless told.
        func run<T>(keepRunning: Bool = false, _ probe: @escaping ([String: Any]) -> T?) async throws -> T? {
            stop()
            runs += 1
            try? FileManager.default.removeItem(atPath: socket)
            process = try LanyardProcess(
                ["agent", "--config", config.path, "--log-level", "info"], log: work.appending(path: "agent-\(index)-\(runs).log"))
            let value = try await wait(probe)
            if !keepRunning { stop() }
            return value
        }

        /// Polls `/v1/sync` until `probe` gives a value; nil after a minute.
        func wait<T>(_ probe: ([String: Any]) -> T?) async throws -> T? {
            for _ in 0..<600 {
                if let reply = unixHTTP(
                    socket: socket, method: "GET", path: "/v1/sync", body: nil,
                    headers: ["Authorization: Bearer \(RegistryMigrationTests.adminToken)"]),
                    let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any], let value = probe(object)
                {
                    return value
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }

        func stop() {
            process?.stop()
        }
    }
}
