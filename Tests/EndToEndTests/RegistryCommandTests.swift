import Foundation
import TestSupport
import Testing

/// `lanyard registry` as an operator runs it: a repository from keys to publication, staging,
/// promotion, rollback and rotation, with the refusals a kiosk would make checked at publication.
@Suite(.serialized) struct RegistryCommandTests {
    /// The README's first registry commands in a fresh checkout: `keys/` does not exist yet.
    /// keygen makes it (for its owner only); a key file that is not there is named, with the
    /// missing-input exit code, not a Foundation error domain.
    @Test func keygenMakesItsDirectoryAndAMissingKeyIsNamed() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let keys = work.appending(path: "keys")
        let keygen = try runLanyard(["registry", "keygen", keys.appending(path: "root.key").path, keys.appending(path: "targets.key").path])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: keys.path)
        #expect(attributes[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: keys.appending(path: "root.key").path)[.posixPermissions] as? Int == 0o600)

        let missing = keys.appending(path: "timestamp.key").path
        let initialised = try runLanyard([
            "registry", "init", "--repository", work.appending(path: "repo").path,
            "--root-key", keys.appending(path: "root.key").path,
            "--targets-key", keys.appending(path: "targets.key").path, "--timestamp-key", missing,
        ])
        #expect(initialised.status == 66, "\(initialised.stderr)")
        #expect(initialised.stderr.contains("sync.file_missing") && initialised.stderr.contains(missing), "\(initialised.stderr)")
        #expect(!initialised.stderr.contains("NSCocoaErrorDomain"), "\(initialised.stderr)")
    }

    @Test func anOperatorPublishesStagesPromotesAndRollsBack() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        func path(_ name: String) -> String { work.appending(path: name).path }
        func lanyard(_ arguments: [String]) throws -> LanyardRun { try runLanyard(arguments) }
        let signing = ["--repository", path("repo"), "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key")]

        let keygen = try lanyard([
            "registry", "keygen", path("root-1.key"), path("root-2.key"), path("root-3.key"),
            path("targets.key"), path("ts.key"),
        ])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        #expect(keygen.stdout.components(separatedBy: "keyid ").count == 6)
        let again = try lanyard(["registry", "keygen", path("root-1.key")])
        #expect(again.status == 74, "an existing key is never overwritten: \(again.stderr)")

        let initialised = try lanyard([
            "registry", "init", "--repository", path("repo"), "--root-key", path("root-1.key"),
            "--root-key", path("root-2.key"), "--root-key", path("root-3.key"), "--root-threshold", "2",
            "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
        ])
        #expect(initialised.status == 0, "\(initialised.stderr)")

        // A bundle that `templates check` finds errors in is refused in the same words, before
        // anything is signed: the first version published below is still version 2 (`init`
        // signed version 1 of the targets role, empty, and snapshot and timestamp 1).
        let offStock = work.appending(path: "off-stock")
        try FileManager.default.copyItem(at: repositoryRoot.appending(path: "Templates/staff/fonts"), to: offStock.appending(path: "fonts"))
        try Data(
            """
            format: lanyard-template/1
            name: off-stock
            version: 0.1.0
            stock: { size: 2x1in }
            fonts: [fonts/NotoSans-Regular.ttf]
            elements:
              - { type: text, text: "{first_name}", box: [40, 2, 20, 6], font: { families: [Noto Sans], size: 10 } }
            """.utf8
        ).write(to: offStock.appending(path: "template.yaml"))
        #expect(try lanyard(["templates", "manifest", offStock.path]).status == 0)
        let unpublishable = try lanyard(["registry", "publish"] + signing + ["--template", offStock.path])
        #expect(unpublishable.status == 1, "\(unpublishable.stderr)")
        #expect(
            unpublishable.stderr.contains("layout.outside_stock") && unpublishable.stderr.contains("nothing was published"),
            "\(unpublishable.stderr)")

        let published = try lanyard(["registry", "publish"] + signing + ["--template", "Templates/standard"])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(
            published.stdout.contains("published templates/standard: targets version 2 (snapshot 2); current 1.0.0"), "\(published.stdout)")

        let staged = try lanyard(
            ["registry", "publish"] + signing
                + ["--template", "Templates/vip", "--name", "standard", "--label", "vip-look", "--share", "0.25"])
        #expect(staged.stdout.contains("staged vip-look"), "\(staged.stdout) \(staged.stderr)")
        #expect(staged.stdout.contains("to 25% of the fleet"))

        let promoted = try lanyard(["registry", "promote"] + signing + ["templates/standard"])
        #expect(promoted.stdout.contains("targets version 4 (snapshot 4); current vip-look"), "\(promoted.stdout) \(promoted.stderr)")
        let rolledBack = try lanyard(["registry", "rollback"] + signing + ["--name", "templates/standard"])
        #expect(rolledBack.stdout.contains("targets version 5 (snapshot 5); current 1.0.0"), "\(rolledBack.stdout) \(rolledBack.stderr)")
        #expect(!rolledBack.stderr.contains("not the only template"))

        let wrongKey = try lanyard([
            "registry", "publish", "--repository", path("repo"), "--targets-key", path("root-1.key"),
            "--timestamp-key", path("ts.key"), "--template", "Templates/vip",
        ])
        #expect(wrongKey.status == 65)
        #expect(wrongKey.stderr.contains("sync.signature_threshold"))

        let oneSigner = try lanyard([
            "registry", "rotate-root", "--repository", path("repo"), "--sign-key", path("root-1.key"),
            "--root-key", path("root-1.key"), "--root-threshold", "1",
            "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
        ])
        #expect(oneSigner.status == 65, "one of the two required old root keys is not enough: \(oneSigner.stderr)")
        let rotated = try lanyard([
            "registry", "rotate-root", "--repository", path("repo"), "--sign-key", path("root-1.key"),
            "--sign-key", path("root-2.key"), "--root-key", path("root-1.key"), "--root-key", path("root-2.key"),
            "--root-threshold", "2", "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
        ])
        #expect(rotated.status == 0, "\(rotated.stderr)")

        let status = try lanyard(["registry", "status", "--repository", path("repo")])
        #expect(status.stdout.contains("root version 2"), "\(status.stdout)")
        #expect(status.stdout.contains("snapshot version 5"), "the rotation changed no other role's keys: \(status.stdout)")
        #expect(status.stdout.contains("templates/standard [template, global]: 1.0.0"))

        // A second template for the same scope is published, and named: kiosks take one per tier.
        let second = try lanyard(["registry", "publish"] + signing + ["--template", "Templates/speaker", "--name", "speaker"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("templates/speaker is not the only template for scope global: templates/standard"), "\(second.stderr)")

        let broken = work.appending(path: "broken")
        try FileManager.default.copyItem(at: repositoryRoot.appending(path: "Templates/standard"), to: broken)
        try Data("tampered".utf8).write(to: broken.appending(path: "fonts/OFL.txt"))
        let refused = try lanyard(["registry", "publish"] + signing + ["--template", broken.path])
        #expect(refused.status == 65, "a bundle whose files do not match its manifest is never published")
        #expect(refused.stderr.contains("checksum"), "\(refused.stderr)")
    }
}

/// Central operations publish to a fleet's registry from their own machine: a publisher token
/// and a reason, no key file and no shell on the registry's host. The registry signs with the
/// keys it holds and keeps who and why in its audit log, as it does for a publication written on
/// its host with key files when its database is named.
@Suite(.serialized) struct RegistryRemotePublishingTests {
    @Test func aPublisherPublishesThroughTheServerAndTheAuditLogShowsIt() async throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        func path(_ name: String) -> String { work.appending(path: name).path }
        let state = ["--state", path("state")]

        #expect(try runLanyard(["registry", "keygen", path("root.key"), path("targets.key"), path("ts.key")]).status == 0)
        #expect(
            try runLanyard([
                "registry", "init", "--repository", path("repo"), "--root-key", path("root.key"),
                "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key"),
            ]).status == 0)
        let created = try runLanyard(
            ["registry", "token", "create", "--holder", "Central Ops", "--role", "publisher", "--output", path("publisher.token")]
                + state + ["--reason", "central operations publish templates"])
        #expect(created.status == 0, "\(created.stderr)")

        let port = try freeTCPPort()
        let server = try LanyardProcess(
            [
                "registry", "serve", "--repository", path("repo"), "--listen", "127.0.0.1:\(port)", "--timestamp-key", path("ts.key"),
                "--publish-key", path("targets.key"),
            ] + state,
            log: work.appending(path: "registry.log"))
        defer { server.stop() }
        for _ in 0..<300 where loopbackHTTP(port: port, method: "GET", path: "/v1/health") == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        let remote = ["--registry", "http://127.0.0.1:\(port)", "--token-file", path("publisher.token")]

        let published = try runLanyard(
            ["registry", "publish"] + remote + ["--reason", "the keynote's new badge", "--template", "Templates/standard"])
        #expect(published.status == 0, "\(published.stderr) \(server.output)")
        #expect(
            published.stdout.contains("published templates/standard: targets version 2 (snapshot 2); current 1.0.0"),
            "\(published.stdout)")
        let status = try runLanyard(["registry", "status", "--repository", path("repo")])
        #expect(status.stdout.contains("templates/standard [template, global]: 1.0.0"), "\(status.stdout)")

        // The server's refusal, with its code and message, and the exit status of that code.
        let nothingStaged = try runLanyard(["registry", "promote"] + remote + ["--reason", "go", "templates/standard"])
        #expect(nothingStaged.status == 64, "\(nothingStaged.stderr)")
        #expect(nothingStaged.stderr.contains("registry.publication_refused: templates/standard has no staged release to promote"))
        let unexplained = try runLanyard(["registry", "revoke"] + remote + ["templates/standard"])
        #expect(unexplained.status == 64 && unexplained.stderr.contains("--reason"), "\(unexplained.stderr)")
        let keysAndServer = try runLanyard(
            ["registry", "revoke"] + remote + ["--reason", "x", "--targets-key", path("targets.key"), "templates/standard"])
        #expect(keysAndServer.status == 64 && keysAndServer.stderr.contains("--targets-key"), "\(keysAndServer.stderr)")

        // Written here with key files, and recorded in the same log because its database is named.
        let signing = ["--repository", path("repo"), "--targets-key", path("targets.key"), "--timestamp-key", path("ts.key")]
        let unrecorded = try runLanyard(["registry", "rollback"] + signing + state + ["templates/standard"])
        #expect(unrecorded.status == 64 && unrecorded.stderr.contains("needs --reason"), "\(unrecorded.stderr)")
        let local = try runLanyard(
            ["registry", "publish"] + signing + state
                + ["--reason", "a look for the speakers", "--template", "Templates/vip", "--name", "standard", "--share", "0.5"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout.contains("staged templates/standard: targets version 3 (snapshot 3)"), "\(local.stdout)")

        let audit = try runLanyard(["registry", "audit"] + state)
        #expect(audit.status == 0, "\(audit.stderr)")
        let entries = audit.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let releases = entries.filter { ($0["action"] as? String)?.hasPrefix("release.") == true }
        #expect(releases.count == 2, "\(audit.stdout)")
        let remoteEntry = try #require(releases.last)
        #expect(remoteEntry["action"] as? String == "release.published" && remoteEntry["actor"] as? String == "Central Ops")
        #expect(remoteEntry["reason"] as? String == "the keynote's new badge" && remoteEntry["token_id"] is String)
        #expect((remoteEntry["detail"] as? [String: String])?["role_version"] == "2")
        let localEntry = try #require(releases.first)
        #expect((localEntry["actor"] as? String)?.hasSuffix("(command line)") == true && localEntry["token_id"] == nil)
        #expect((localEntry["detail"] as? [String: String])?["share"] == "50%")
        #expect(localEntry["reason"] as? String == "a look for the speakers")
    }
}

@Suite struct SyncBenchCommandTests {
    @Test func theSyncBenchVerifiesAPublishedBundleAndDryRunsIt() throws {
        let run = try runBench(["--sync", "--sync-iterations", "3", "--sync-agents", "1", "--sync-rounds", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("a first TUF refresh and the bundle verified (metadata + every file's SHA-256), ms: p50"))
        #expect(run.stdout.contains("dry run of that bundle, 16 synthetic attendees at 300 dpi"))
        #expect(run.stdout.contains("publish to active on every agent, ms (1 samples): p50"))
    }
}
