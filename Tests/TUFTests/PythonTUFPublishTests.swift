import Foundation
import TestSupport
import Testing

@testable import TUF

/// Repositories, keys and metadata written by the publishing side, judged by python-tuf 6's
/// ngclient and securesystemslib (Tests/Tools/tuf_publish_check.py); and metadata written by
/// python-tuf, written back here byte for byte.
@Suite(.enabled(if: PythonTUF.enabled, PythonTUF.skipReason))
struct PythonTUFPublishTests {
    static let script = "Tests/Tools/tuf_publish_check.py"

    /// One ngclient run: a repository, the folder of what the client trusts (kept between runs)
    /// and the targets it fetches.
    struct ClientRun {
        var id: String
        var repository: URL
        var metadata: URL
        var targets: [(path: String, contents: [UInt8])]

        var job: [String: any Sendable] {
            [
                "id": id, "kind": "client", "repository": repository.path, "metadata_dir": metadata.path,
                "root": repository.appending(path: "1.root.json").path,
                "targets": targets.map { ["path": $0.path, "contents_hex": hexOf($0.contents)] as [String: any Sendable] },
            ]
        }
    }

    static func run(_ runs: [ClientRun]) throws -> [String: [String: Any]] {
        try PythonTools.runJobs(script: script, runs.map(\.job))
    }

    /// The refresh passed, and each target was found and downloaded with the bytes published,
    /// except the ones named in `missing`, which the client must not find.
    static func expectAccepted(_ result: [String: Any]?, _ run: ClientRun, missing: Set<String> = []) throws {
        let result = try #require(result, "\(run.id)")
        #expect(result["error"] == nil, "\(run.id): \(result["error"] ?? "")")
        #expect(result["refreshed"] as? Bool == true, "\(run.id): \(result["refresh_error"] ?? "")")
        let outcomes = try #require(result["targets"] as? [[String: Any]])
        #expect(outcomes.count == run.targets.count)
        for outcome in outcomes {
            let path = try #require(outcome["path"] as? String)
            if missing.contains(path) {
                #expect(outcome["found"] as? Bool == false, "\(run.id): \(path)")
            } else {
                #expect(outcome["matches"] as? Bool == true, "\(run.id): \(path): \(outcome["error"] ?? "not found")")
            }
        }
    }

    static func keyRing(_ scheme: TUFSigningKey.Scheme) -> [TUFSigningKey] {
        switch scheme {
        case .ed25519: Array(TestKeys.ed25519.prefix(4))
        case .ecdsaP256: [TestKeys.ecdsa[0], TestKeys.ecdsa[0], TestKeys.ecdsa[1], TestKeys.ecdsa[1]]
        case .rsaPSSSHA256: Array(repeating: TestKeys.rsa, count: 4)
        }
    }

    @Test func repositoriesWrittenHereAreAcceptedByPythonTUF() throws {
        try withTemporaryDirectory { base in
            var runs: [ClientRun] = []
            var later: [ClientRun] = []

            // One repository per key type, every role signed by keys of that type.
            let profile = TUFJSON.object(try JSONObject([("kind", .string("profile")), ("pins", .array([.integer(1), .null]))]))
            for scheme in TUFSigningKey.Scheme.allCases {
                let directory = base.appending(path: scheme.rawValue)
                let ring = Self.keyRing(scheme)
                let writer = TUFRepositoryWriter(directory: directory, indentation: scheme == .ed25519 ? 1 : 0)
                try writer.initialize(
                    root: try testRoot(root: ring[0], targets: ring[1], snapshot: ring[2], timestamp: ring[3]), signers: ring)
                let targets: [(String, [UInt8])] = [
                    ("badge.yaml", Array("template: standard\n".utf8)), ("venue/a b.yaml", Array("é\u{1}\n".utf8)),
                ]
                try writer.publish(signers: ring) { publication throws(TUFError) in
                    try publication.setTarget(targets[0].0, contents: targets[0].1, hashAlgorithms: ["sha256", "sha512"])
                    try publication.setTarget(targets[1].0, contents: targets[1].1, custom: profile)
                }
                runs.append(
                    ClientRun(
                        id: scheme.rawValue, repository: directory, metadata: base.appending(path: "client-\(scheme.rawValue)"),
                        targets: targets))
            }

            // Delegations: a terminating venue role that delegates again, a role whose name must be
            // percent-encoded, and sixteen hash bins.
            let delegated = base.appending(path: "delegations")
            let (ed, ec, rsa) = (TestKeys.ed25519, TestKeys.ecdsa, TestKeys.rsa)
            let ring = [ed[0], ed[1], ec[0], rsa, ec[1], ed[4], ed[5]]
            let writer = TUFRepositoryWriter(directory: delegated)
            try writer.initialize(root: try testRoot(root: ed[0], targets: ed[1], snapshot: ec[0], timestamp: rsa), signers: ring)
            let bins = try HashBins(namePrefix: "bins", count: 16)
            let attendees = (0..<12).map { ("attendees/\($0).json", Array("{\"id\":\($0)}".utf8)) }
            let files: [(String, [UInt8])] = [
                ("top.txt", [0, 1, 2]), ("venue-a/profile.yaml", Array("venue\n".utf8)),
                ("venue-a/printers/zebra.yaml", Array("zebra\n".utf8)),
                ("photos/p.txt", Array("photo".utf8)), ("venue-a/shadow.yaml", Array("hidden by the terminating venue-a".utf8)),
            ]
            try writer.publish(signers: ring) { publication throws(TUFError) in
                let venue = try DelegatedRole(
                    name: "venue-a", keyids: [ec[1].keyid], terminating: true, paths: .patterns(["venue-a/*", "venue-a/*/*"]))
                let photos = try DelegatedRole(name: "photos/é", keyids: [rsa.keyid], terminating: false, paths: .patterns(["photos/*"]))
                publication.setDelegations(
                    try Delegations(
                        keys: [ec[1].publicKey, rsa.publicKey, ed[4].publicKey],
                        roles: [venue, photos] + (try bins.delegatedRoles(keyids: [ed[4].keyid]))))
                let printers = try DelegatedRole(
                    name: "venue-a-printers", keyids: [ed[5].keyid], terminating: false, paths: .patterns(["venue-a/printers/*"]))
                publication.setDelegations(try Delegations(keys: [ed[5].publicKey], roles: [printers]), role: "venue-a")
                try publication.setTarget(files[0].0, contents: files[0].1)
                try publication.setTarget(files[1].0, contents: files[1].1, role: "venue-a")
                try publication.setTarget(files[2].0, contents: files[2].1, role: "venue-a-printers")
                try publication.setTarget(files[3].0, contents: files[3].1, role: "photos/é")
                try publication.setTarget(files[4].0, contents: files[4].1, role: bins.roleName(of: files[4].0))
            }
            try writer.publish(signers: ring) { publication throws(TUFError) in
                for (path, contents) in attendees { try publication.setTarget(path, contents: contents, role: bins.roleName(of: path)) }
            }
            try checkRepository(delegated)
            let delegationRun = ClientRun(
                id: "delegations", repository: delegated, metadata: base.appending(path: "client-delegations"),
                targets: files + attendees.prefix(5))
            runs.append(delegationRun)

            // Rotations: the client trusts version 1 before they happen, then follows them.
            let rotated = base.appending(path: "rotation")
            let rotating = TUFRepositoryWriter(directory: rotated)
            try rotating.initialize(
                root: try testRoot(root: ed[0], targets: ed[1], snapshot: ed[2], timestamp: ed[3]), signers: Array(ed.prefix(4)))
            try rotating.publish(signers: [ed[1], ed[2], ed[3]]) { publication throws(TUFError) in
                try publication.setTarget("a.txt", contents: [1])
            }
            let rotationMetadata = base.appending(path: "client-rotation")
            runs.append(ClientRun(id: "before-rotation", repository: rotated, metadata: rotationMetadata, targets: [("a.txt", [1])]))

            let results = try Self.run(runs)
            for run in runs { try Self.expectAccepted(results[run.id], run, missing: ["venue-a/shadow.yaml"]) }
            for scheme in TUFSigningKey.Scheme.allCases {
                let outcomes = try #require(results[scheme.rawValue]?["targets"] as? [[String: Any]])
                let custom = outcomes.last?["custom"] as? [String: Any]
                #expect(
                    custom?["kind"] as? String == "profile" && (custom?["pins"] as? [Any])?.count == 2, "\(scheme): custom as published")
            }
            let requests = try #require(results["delegations"]?["requests"] as? [String])
            #expect(requests.contains { $0.hasSuffix("/1.photos%2F%C3%A9.json") }, "\(requests)")
            #expect(requests.contains { $0.hasSuffix("/2.\(bins.roleName(of: "attendees/0.json")).json") })

            // A new root key (v2), a new timestamp key (v3), a timestamp re-signed, new targets and
            // snapshot keys (v4), then a publication under them.
            let expires = Date().addingTimeInterval(200 * 86_400)
            var root = try rotating.state().root.replacing("root", with: RoleAssignment([ed[5].publicKey])).nextVersion(expires: expires)
            try rotating.rotateRoot(to: root, signers: [ed[0], ed[5]])
            root = try root.replacing("timestamp", with: RoleAssignment([ed[6].publicKey])).nextVersion(expires: expires)
            let timestampRotation = try rotating.rotateRoot(to: root, signers: [ed[5], ed[6]])
            // The client follows each step: copies of the repository as it stood after it.
            let afterTimestampKey = base.appending(path: "after-timestamp-key")
            try FileManager.default.copyItem(at: rotated, to: afterTimestampKey)
            let resigned = try rotating.resignTimestamp(signers: [ed[6]], now: Date().addingTimeInterval(60))
            #expect(resigned.snapshot == timestampRotation.snapshot && resigned.timestamp == timestampRotation.timestamp + 1)
            let afterResign = base.appending(path: "after-resign")
            try FileManager.default.copyItem(at: rotated, to: afterResign)
            root = try root.replacing("targets", with: RoleAssignment([ed[7].publicKey])).replacing(
                "snapshot", with: RoleAssignment([ed[7].publicKey])
            ).nextVersion(expires: expires)
            try rotating.rotateRoot(to: root, signers: [ed[5], ed[6], ed[7]])
            #expect(throws: TUFError.self) {
                try rotating.publish(signers: [ed[1], ed[2], ed[6]]) { publication throws(TUFError) in
                    try publication.setTarget("b.txt", contents: [2])
                }
            }
            let last = try rotating.publish(signers: [ed[6], ed[7]]) { publication throws(TUFError) in
                try publication.setTarget("b.txt", contents: [2])
                try publication.setTarget("a.txt", contents: [3])
            }
            #expect(last.root == 4 && last.timestamp == resigned.timestamp + 2)
            try checkRepository(rotated)
            let rotatedTargets: [(String, [UInt8])] = [("a.txt", [3]), ("b.txt", [2])]
            later.append(
                ClientRun(id: "after-timestamp-key", repository: afterTimestampKey, metadata: rotationMetadata, targets: [("a.txt", [1])]))
            later.append(ClientRun(id: "after-resign", repository: afterResign, metadata: rotationMetadata, targets: [("a.txt", [1])]))
            later.append(ClientRun(id: "after-rotation", repository: rotated, metadata: rotationMetadata, targets: rotatedTargets))
            later.append(
                ClientRun(
                    id: "fresh-after-rotation", repository: rotated, metadata: base.appending(path: "client-fresh"), targets: rotatedTargets
                ))

            // Negative controls: a changed byte in a target file, and in a signed targets file.
            let ed25519 = base.appending(path: TUFSigningKey.Scheme.ed25519.rawValue)
            let changedTarget = base.appending(path: "changed-target")
            try FileManager.default.copyItem(at: ed25519, to: changedTarget)
            let stored = changedTarget.appending(path: "targets/" + sha256Hex(Array("template: standard\n".utf8)) + ".badge.yaml")
            try Data("template: standarD\n".utf8).write(to: stored)
            later.append(
                ClientRun(
                    id: "changed-target", repository: changedTarget, metadata: base.appending(path: "client-ct"), targets: runs[0].targets))
            let changedMetadata = base.appending(path: "changed-metadata")
            try FileManager.default.copyItem(at: ed25519, to: changedMetadata)
            let targetsFile = changedMetadata.appending(path: "2.targets.json")
            let text = try String(contentsOf: targetsFile, encoding: .utf8)
            #expect(text.contains("\"profile\""))
            try text.replacingOccurrences(of: "\"profile\"", with: "\"profilE\"").write(to: targetsFile, atomically: true, encoding: .utf8)
            later.append(
                ClientRun(
                    id: "changed-metadata", repository: changedMetadata, metadata: base.appending(path: "client-cm"),
                    targets: runs[0].targets))

            let results2 = try Self.run(later)
            let expected: [String: PublishedVersions] = [
                "after-timestamp-key": timestampRotation, "after-resign": resigned, "after-rotation": last, "fresh-after-rotation": last,
            ]
            for run in later {
                guard let versions = expected[run.id] else { continue }
                try Self.expectAccepted(results2[run.id], run)
                let trusted = try #require(results2[run.id]?["trusted"] as? [String: Int])
                #expect(trusted["root"] == Int(versions.root) && trusted["timestamp"] == Int(versions.timestamp), "\(run.id): \(trusted)")
                #expect(trusted["snapshot"] == Int(versions.snapshot), "\(run.id): \(trusted)")
            }
            #expect(results2["after-rotation"]?["trusted"] as? [String: Int] == ["root": 4, "timestamp": 6, "snapshot": 4, "targets": 4])
            let target = try #require((results2["changed-target"]?["targets"] as? [[String: Any]])?.first)
            #expect(results2["changed-target"]?["refreshed"] as? Bool == true)
            #expect(target["found"] as? Bool == true && target["matches"] as? Bool == false)
            #expect((target["error"] as? String)?.contains("LengthOrHashMismatchError") == true, "\(target)")
            #expect(results2["changed-metadata"]?["refreshed"] as? Bool == false)
            #expect((results2["changed-metadata"]?["refresh_error"] as? String)?.contains("UnsignedMetadataError") == true)
        }
    }

    @Test func keyFilesAreReadBySecuresystemslib() throws {
        try withTemporaryDirectory { directory in
            let message = Array("{\"_type\":\"targets\"}".utf8)
            var jobs: [[String: any Sendable]] = []
            let keys = TUFSigningKey.Scheme.allCases.map(TestKeys.one)
            for key in keys {
                let url = directory.appending(path: "\(key.scheme.rawValue).key")
                try key.write(to: url)
                jobs.append(["file": url.path, "message_hex": hexOf(message), "signature_hex": try key.sign(message).sig])
            }
            let result = try #require(try PythonTools.runJobs(script: Self.script, [["id": "keys", "kind": "keys", "keys": jobs]])["keys"])
            #expect(result["error"] == nil, "\(result["error"] ?? "")")
            let outcomes = try #require(result["keys"] as? [[String: Any]])
            #expect(outcomes.count == keys.count)
            for (key, outcome) in zip(keys, outcomes) {
                #expect(outcome["keyid"] as? String == key.keyid, "\(key.scheme)")
                #expect(outcome["file_keyid"] as? String == key.keyid)
                #expect(outcome["public_matches"] as? Bool == true, "\(key.scheme): the public key python derives is the one listed")
                #expect(outcome["verifies_swift_signature"] as? Bool == true, "\(key.scheme)")
                let signatureHex = try #require(outcome["python_signature_hex"] as? String)
                let signature = try #require(hexBytes(signatureHex))
                #expect(key.publicKey.isValidSignature(signature, for: message), "\(key.scheme)")
            }
        }
    }

    @Test func metadataWrittenByPythonTUFIsWrittenBackAsItWas() throws {
        try withTemporaryDirectory { directory in
            let result = try #require(
                try PythonTools.runJobs(script: Self.script, [["id": "python", "kind": "python_metadata", "dir": directory.path]])["python"]
            )
            #expect(result["error"] == nil, "\(result["error"] ?? "")")
            func envelope(_ name: String) throws -> SignedEnvelope {
                try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: name))))
            }
            let root = try envelope("root.json")
            let targets = try envelope("targets.json")
            let snapshot = try envelope("snapshot.json")
            let timestamp = try envelope("timestamp.json")
            #expect(try Root(root).signedObject == root.signed)
            #expect(try Targets(targets).signedObject == targets.signed)
            #expect(try Snapshot(snapshot).signedObject == snapshot.signed)
            #expect(try Timestamp(timestamp).signedObject == timestamp.signed)
            let parsedRoot = try Root(root)
            #expect(parsedRoot.unrecognized["x-venue"] != nil && parsedRoot.role("root")?.unrecognized["x-note"] != nil)
            let delegations = try #require(try Targets(targets).delegations)
            #expect(delegations.roles.map(\.name) == ["venue-a", "bins-0-7"] && delegations.roles[0].keys.unrecognized["x-why"] != nil)
            // Written back, in either layout, the signatures still verify.
            for indentation in [0, 1] {
                let written = try SignedEnvelope(parsing: root.fileContents(indentation: indentation))
                #expect(written.signedBytes == root.signedBytes)
                try written.verify(keys: parsedRoot.keys, role: try #require(parsedRoot.role("root")), roleName: "root")
                let writtenTargets = try SignedEnvelope(parsing: targets.fileContents(indentation: indentation))
                try writtenTargets.verify(keys: parsedRoot.keys, role: try #require(parsedRoot.role("targets")), roleName: "targets")
            }
        }
    }
}
