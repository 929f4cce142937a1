import Foundation
import LanyardSupport
import Testing

@testable import TUF

/// What a client checks, done with this module's verification on a written repository: the root
/// chain, the timestamp, the snapshot it names, every targets role the snapshot lists (against its
/// delegator), and every target file under each of its digests. Returns the roles by name.
@discardableResult
func checkRepository(_ directory: URL) throws -> [String: Targets] {
    func envelope(_ name: String) throws -> SignedEnvelope {
        try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: name))))
    }
    let writer = TUFRepositoryWriter(directory: directory)
    let newest = try #require(try writer.newestRootVersion())
    var root = try Root(try envelope("1.root.json"))
    for version in Int64(1)...newest {
        let current = try envelope("\(version).root.json")
        let next = try Root(current)
        for trusting in [root, next] {
            try current.verify(keys: trusting.keys, role: try #require(trusting.role("root")), roleName: "root")
        }
        root = next
    }
    let timestamp = try envelope("timestamp.json")
    try timestamp.verify(keys: root.keys, role: try #require(root.role("timestamp")), roleName: "timestamp")
    let snapshotMeta = try Timestamp(timestamp).snapshotMeta
    let snapshotName = "\(snapshotMeta.version).snapshot.json"
    try snapshotMeta.verify(Array(try Data(contentsOf: directory.appending(path: snapshotName))), name: snapshotName)
    let snapshotEnvelope = try envelope(snapshotName)
    try snapshotEnvelope.verify(keys: root.keys, role: try #require(root.role("snapshot")), roleName: "snapshot")
    let snapshot = try Snapshot(snapshotEnvelope)
    #expect(snapshot.common.version == snapshotMeta.version)

    var roles: [String: (Targets, SignedEnvelope)] = [:]
    for entry in snapshot.meta.entries {
        let role = String(entry.name.dropLast(".json".count))
        let file = try envelope(TUFRepositoryWriter.metadataFileName(role: role, version: entry.value.version))
        let targets = try Targets(file)
        #expect(targets.common.version == entry.value.version, "\(role)")
        roles[role] = (targets, file)
    }
    for (name, (targets, file)) in roles {
        if name == "targets" {
            try file.verify(keys: root.keys, role: try #require(root.role("targets")), roleName: name)
        } else {
            let delegators = roles.values.compactMap { $0.0.delegations }.filter { $0.role(named: name) != nil }
            let delegations = try #require(delegators.first, "\(name) is delegated")
            try file.verify(keys: delegations.keys, role: try #require(delegations.role(named: name)).keys, roleName: name)
        }
        for target in targets.targets.entries {
            for digest in target.value.hashes.entries {
                let stored = "targets/" + TUFRepositoryWriter.targetFileName(target.name, digest: digest.value)
                try target.value.verify(Array(try Data(contentsOf: directory.appending(path: stored))), name: stored)
            }
        }
    }
    return roles.mapValues(\.0)
}

/// A root giving each top-level role its own key among `keys`, one signature each.
func testRoot(root: TUFSigningKey, targets: TUFSigningKey, snapshot: TUFSigningKey, timestamp: TUFSigningKey) throws -> Root {
    try Root(
        expires: Date().addingTimeInterval(365 * 86_400),
        roles: [
            "root": RoleAssignment([root.publicKey]), "targets": RoleAssignment([targets.publicKey]),
            "snapshot": RoleAssignment([snapshot.publicKey]), "timestamp": RoleAssignment([timestamp.publicKey]),
        ])
}

/// The files (not folders) under `folder` of `directory`, as paths relative to that folder.
func fileNames(_ directory: URL, under folder: String = "") throws -> [String] {
    let base = directory.appending(path: folder).path
    guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { name in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: base + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
    }.sorted()
}

struct RepositoryWriterTests {
    let keys = TestKeys.ed25519
    var all: [TUFSigningKey] { Array(keys.prefix(4)) }

    func initialized(_ directory: URL) throws -> TUFRepositoryWriter {
        let writer = TUFRepositoryWriter(directory: directory)
        try writer.initialize(root: try testRoot(root: keys[0], targets: keys[1], snapshot: keys[2], timestamp: keys[3]), signers: all)
        return writer
    }

    @Test func aNewRepositoryIsOneClientsCanStartFrom() throws {
        try withTemporaryDirectory { directory in
            let writer = TUFRepositoryWriter(directory: directory)
            let versions = try writer.initialize(
                root: try testRoot(root: keys[0], targets: keys[1], snapshot: keys[2], timestamp: keys[3]), signers: all)
            #expect(versions == PublishedVersions(root: 1, timestamp: 1, snapshot: 1, targets: ["targets": 1]))
            #expect(try fileNames(directory) == [".publish.lock", "1.root.json", "1.snapshot.json", "1.targets.json", "timestamp.json"])
            let roles = try checkRepository(directory)
            #expect(roles["targets"]?.targets.isEmpty == true)
            #expect(throws: TUFError.self) {
                try writer.initialize(
                    root: try testRoot(root: keys[0], targets: keys[1], snapshot: keys[2], timestamp: keys[3]), signers: all)
            }
        }
    }

    @Test func aPublicationBumpsTheRolesItChangesAndRewritesNoFile() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let bins = try HashBins(namePrefix: "bins", count: 4)
            var versions = try writer.publish(signers: all + [keys[4]]) { publication throws(TUFError) in
                try publication.setTarget("badge.yaml", contents: Array("a\n".utf8), hashAlgorithms: ["sha256", "sha512"])
                try publication.setTarget("venue/profile.yaml", contents: Array("b\n".utf8), custom: .string("profile"))
                publication.setDelegations(
                    try Delegations(keys: [keys[4].publicKey], roles: try bins.delegatedRoles(keyids: [keys[4].keyid])))
            }
            // The bins are published empty at once: the snapshot must list every delegated role.
            #expect(versions.targets == Dictionary(uniqueKeysWithValues: [("targets", 2)] + bins.roleNames.map { ($0, 1) }))
            #expect(versions.snapshot == 2 && versions.timestamp == 2)
            var roles = try checkRepository(directory)
            #expect(roles.count == 5)
            let sha256 = sha256Hex(Array("a\n".utf8))
            #expect(try fileNames(directory, under: "targets").contains("\(sha256).badge.yaml"))
            #expect(try fileNames(directory, under: "targets").contains("venue/\(sha256Hex(Array("b\n".utf8))).profile.yaml"))
            #expect(roles["targets"]?.targets["venue/profile.yaml"]?.custom == .string("profile"))

            let before = try Dictionary(
                uniqueKeysWithValues: fileNames(directory).filter { $0 != "timestamp.json" }.map { name in
                    (name, try Data(contentsOf: directory.appending(path: name)))
                })
            let attendee = "attendees/42.json"
            versions = try writer.publish(signers: all + [keys[4]]) { publication throws(TUFError) in
                try publication.setTarget(attendee, contents: Array("{}".utf8), role: bins.roleName(of: attendee))
                try publication.setTarget("badge.yaml", contents: Array("a\n".utf8), hashAlgorithms: ["sha256", "sha512"], role: "targets")
            }
            #expect(versions.targets == [bins.roleName(of: attendee): 2, "targets": 3])
            roles = try checkRepository(directory)
            #expect(roles[bins.roleName(of: attendee)]?.targets[attendee] != nil)
            #expect(roles["targets"]?.common.version == 3)
            for (name, data) in before { #expect(try Data(contentsOf: directory.appending(path: name)) == data, "\(name) unchanged") }

            versions = try writer.publish(signers: all) { publication in publication.removeTarget("badge.yaml") }
            roles = try checkRepository(directory)
            #expect(roles["targets"]?.targets["badge.yaml"] == nil && roles["targets"]?.targets["venue/profile.yaml"] != nil)
            #expect(try fileNames(directory, under: "targets").contains("\(sha256).badge.yaml"), "a removed target's file stays")
        }
    }

    @Test func whatAClientWouldRefuseIsNotWritten() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let before = try fileNames(directory)
            // The targets key is missing.
            #expect(throws: TUFError.self) {
                try writer.publish(signers: [keys[2], keys[3]]) { publication throws(TUFError) in
                    try publication.setTarget("a.txt", contents: [1])
                }
            }
            // A role no one delegates to, and a target outside its role's paths.
            #expect(throws: TUFError.self) {
                try writer.publish(signers: all) { publication throws(TUFError) in
                    try publication.setTarget("a.txt", contents: [1], role: "stray")
                }
            }
            #expect(throws: TUFError.self) {
                try writer.publish(signers: all + [keys[4]]) { publication throws(TUFError) in
                    let venue = try DelegatedRole(name: "venue", keyids: [keys[4].keyid], terminating: true, paths: .patterns(["venue/*"]))
                    publication.setDelegations(try Delegations(keys: [keys[4].publicKey], roles: [venue]))
                    try publication.setTarget("elsewhere/a.txt", contents: [1], role: "venue")
                }
            }
            // The root has run out by then.
            #expect(throws: TUFError.self) { try writer.resignTimestamp(signers: all, now: Date().addingTimeInterval(400 * 86_400)) }
            for path in ["", "/a", "a/", "a//b", "a/../b", "./a", "a\u{1}b", String(repeating: "n", count: 200)] {
                #expect(throws: TUFError.self, "\(path.debugDescription)") {
                    try writer.publish(signers: all) { publication throws(TUFError) in try publication.setTarget(path, contents: [1]) }
                }
            }
            #expect(try fileNames(directory) == before)
            try checkRepository(directory)
        }
    }

    /// A publication that died after writing its targets file, before its timestamp: the next
    /// one skips that version instead of replacing a file a client may have fetched.
    @Test func aFailedPublicationsFilesAreSkipped() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let stray = Data("left by a crash".utf8)
            try stray.write(to: directory.appending(path: "2.targets.json"))
            let versions = try writer.publish(signers: all) { publication throws(TUFError) in
                try publication.setTarget("a.txt", contents: [1])
            }
            #expect(versions.targets == ["targets": 3])
            #expect(try Data(contentsOf: directory.appending(path: "2.targets.json")) == stray)
            try checkRepository(directory)
        }
    }

    @Test func aSecondPublisherWaitsOrIsTurnedAway() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let lock = directory.appending(path: TUFRepositoryWriter.lockFileName).path
            _ = try FileWriting.withExclusiveLock(lock, wait: false) { () throws(TUFError) in
                #expect(throws: TUFError(.repositoryBusy, "another publisher is writing this repository", context: lock)) {
                    try writer.resignTimestamp(signers: all, wait: false)
                }
            }
            #expect(try writer.resignTimestamp(signers: all, wait: false).timestamp == 2)
        }
    }

    @Test func rootRotationIsSignedByBothRootsAndReSignsWhatTheNewKeysMustSign() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let current = try writer.state().root
            // New root and timestamp keys: the old root key signs alongside the new one.
            let next = try current.replacing("root", with: RoleAssignment([keys[5].publicKey]))
                .replacing("timestamp", with: RoleAssignment([keys[6].publicKey])).nextVersion(
                    expires: Date().addingTimeInterval(86_400 * 200))
            #expect(throws: TUFError.self) { try writer.rotateRoot(to: next, signers: [keys[5], keys[6]]) }
            #expect(throws: TUFError.self) {
                try writer.rotateRoot(to: try next.nextVersion(expires: Date()), signers: [keys[0], keys[5], keys[6]])
            }
            var versions = try writer.rotateRoot(to: next, signers: [keys[0], keys[5], keys[6]])
            #expect(versions == PublishedVersions(root: 2, timestamp: 2, snapshot: 1, targets: [:]))
            try checkRepository(directory)
            let rootFile = try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: "2.root.json"))))
            #expect(Set(rootFile.signatures.map(\.keyid)) == [keys[0].keyid, keys[5].keyid])

            // New targets and snapshot keys: targets and snapshot are signed again by them.
            let third = try next.replacing("targets", with: RoleAssignment([keys[7].publicKey]))
                .replacing("snapshot", with: RoleAssignment([keys[7].publicKey])).nextVersion(
                    expires: Date().addingTimeInterval(86_400 * 200))
            #expect(throws: TUFError.self) { try writer.rotateRoot(to: third, signers: [keys[5], keys[6]]) }
            versions = try writer.rotateRoot(to: third, signers: [keys[5], keys[6], keys[7]])
            #expect(versions == PublishedVersions(root: 3, timestamp: 3, snapshot: 2, targets: ["targets": 2]))
            try checkRepository(directory)
        }
    }

    @Test func aReSignedTimestampNamesTheSameSnapshot() throws {
        try withTemporaryDirectory { directory in
            let writer = try initialized(directory)
            let before = try writer.state()
            let later = Date().addingTimeInterval(3600)
            let versions = try writer.resignTimestamp(signers: [keys[3]], expiry: TUFExpiryPolicy(timestamp: 7200), now: later)
            #expect(versions == PublishedVersions(root: 1, timestamp: 2, snapshot: 1, targets: [:]))
            let after = try writer.state()
            #expect(after.timestamp?.snapshotMeta.object == before.timestamp?.snapshotMeta.object)
            #expect(after.timestamp?.common.expires == CommonFields.expiryText(later.addingTimeInterval(7200)))
            #expect(throws: TUFError.self) { try writer.resignTimestamp(signers: [keys[2]]) }
            try checkRepository(directory)
        }
    }

    @Test func roleNamesArePercentEncodedInFileNames() {
        #expect(TUFRepositoryWriter.metadataFileName(role: "bins-0a.b_c~", version: 3) == "3.bins-0a.b_c~.json")
        #expect(TUFRepositoryWriter.metadataFileName(role: "venue a/é%", version: 1) == "1.venue%20a%2F%C3%A9%25.json")
        #expect(TUFRepositoryWriter.metadataFileName(role: "timestamp", version: nil) == "timestamp.json")
        #expect(TUFRepositoryWriter.targetFileName("a/b/c.yaml", digest: "ff") == "a/b/ff.c.yaml")
        #expect(TUFRepositoryWriter.targetFileName("c.yaml", digest: "ff") == "ff.c.yaml")
    }
}
