import Foundation
import LanyardSupport
import TUF
import Testing

@testable import Sync

/// Registry-side operations: each is a new version of the targets role and of the snapshot, and
/// versions only go up.
@Suite struct PublisherTests {
    @Test func stagingPromotionRollbackAndRevocation() throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let first = try fixture.publishTemplate("standard", text: "v1")
        #expect(first.roleVersion == 2, "init publishes an empty targets role at version 1")
        #expect(first.snapshotVersion == 2)
        let staged = try fixture.publishTemplate("standard", text: "v2", share: 0.25)
        #expect(staged.target?.current.label == "v1", "a staged release leaves the current one for the rest of the fleet")
        #expect(staged.target?.staged?.release.label == "v2")
        #expect(staged.target?.staged?.share == 0.25)

        let withdrawn = try fixture.publisher.rollback("templates/standard", now: RepositoryFixture.epoch)
        #expect(withdrawn.target?.staged == nil)
        #expect(withdrawn.target?.current.label == "v1")

        try fixture.publishTemplate("standard", text: "v2", share: 0.5)
        let promoted = try fixture.publisher.promote("templates/standard", now: RepositoryFixture.epoch)
        #expect(promoted.target?.current.label == "v2")
        #expect(promoted.target?.staged == nil)

        let rolledBack = try fixture.publisher.rollback("templates/standard", now: RepositoryFixture.epoch)
        #expect(rolledBack.target?.current.label == "v1")
        #expect(rolledBack.roleVersion == 7, "a rollback is a new, higher version")

        let revoked = try fixture.publisher.revoke("templates/standard", now: RepositoryFixture.epoch)
        #expect(revoked.target == nil)
        #expect(try fixture.publisher.currentTargets()["templates/standard"] == nil)
        #expect(try fixture.writer.state().snapshot?.common.version == 8)
    }

    @Test func aFileSharedByTwoReleasesIsFetchedOnce() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let a = try #require(try fixture.publishTemplate("standard", text: "a").target?.current)
        let b = try #require(try fixture.publishTemplate("standard", text: "b").target?.current)
        let font = try #require(a.files["fonts/Face.ttf"])
        #expect(b.files["fonts/Face.ttf"] == font)
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let trusted = try fixture.trusted()
        for (release, expected) in [(a, 3_000), (b, 0)] {
            let name = TargetCatalog.targetName(unit: "templates/standard", release: release, path: "fonts/Face.ttf")
            let fetched = try await cache.fetch(font, path: trusted.location(of: name, file: font), from: fixture.source)
            #expect(fetched == expected, "the second release's font is already in the cache")
        }
    }

    @Test func namesAndPathsThatCouldEscapeAreRefused() throws {
        for name in ["templates/../x", "templates", "other/x", "templates/a/b", "templates/"] {
            #expect(throws: SyncError.self, "\(name)") { try TargetName.validate(name) }
        }
        for path in ["../etc/passwd", "/abs", "a/../../b", ".hidden", "a//b", "a\\b", ""] {
            #expect(throws: SyncError.self, "\(path)") { try TargetName.validatePath(path, in: "templates/x") }
        }
        try TargetName.validatePath("fonts/NotoSans-Regular.ttf", in: "templates/x")
        #expect(try TemplateScope(parsing: "track:devcon-2026/speakers") == .track(event: "devcon-2026", track: "speakers"))
        #expect(throws: SyncError.self) { try TemplateScope(parsing: "track:devcon") }
    }

    @Test func keysRoundTripThroughTheirFileAndAreNeverOverwritten() throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let key = SigningKey()
        let url = fixture.base.appending(path: "root-1.key")
        try key.write(to: url)
        #expect(try SigningKey.read(from: url).keyID == key.keyID)
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(throws: SyncError.self) { try SigningKey().write(to: url) }
        try Data("{\"type\":\"ed25519\"}".utf8).write(to: fixture.base.appending(path: "bad.key"))
        let error = #expect(throws: SyncError.self) { try SigningKey.read(from: fixture.base.appending(path: "bad.key")) }
        #expect(error?.code == .keyInvalid)
    }

    @Test func savedMetadataIsVerifiedAgainWhenLoaded() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        let now = RepositoryFixture.epoch.addingTimeInterval(60)
        try await trusted.refresh(now: now)
        let loaded = try fixture.trusted()
        #expect(loaded.snapshotVersion == trusted.snapshotVersion)
        #expect(loaded.lastFreshRefresh == now)
        #expect(loaded.freshness(now: now) == .fresh)

        // A stored file changed on disk no longer verifies: nothing beyond the root is trusted
        // until the next refresh fetches the repository's copy again.
        let targetsFile = fixture.base.appending(path: "kiosk/targets.json")
        var bytes = try Data(contentsOf: targetsFile)
        bytes[bytes.count / 3] ^= 0x01
        try bytes.write(to: targetsFile)
        var tampered = try fixture.trusted()
        #expect(tampered.snapshotVersion == nil)
        try await tampered.refresh(now: now)
        #expect(tampered.targets?["templates/standard"]?.current.label == "first")
    }
}

@Suite struct StagedShareTests {
    @Test func theShareIsStableAndProportional() {
        let release = TargetRelease(label: "v2", files: ["a": TargetFile(sha256: String(repeating: "0", count: 64), length: 1)])
        let agents = (0..<2_000).map { "kiosk-\($0)" }
        let tenth = Set(agents.filter { StagedRelease(release: release, share: 0.1).includes(agentID: $0) })
        let half = Set(agents.filter { StagedRelease(release: release, share: 0.5).includes(agentID: $0) })
        #expect(tenth.isSubset(of: half), "raising the share keeps the agents already in")
        #expect((150...250).contains(tenth.count), "about a tenth of 2,000: \(tenth.count)")
        #expect((900...1_100).contains(half.count), "about half of 2,000: \(half.count)")
        #expect(agents.allSatisfy { StagedRelease(release: release, share: 1).includes(agentID: $0) })
        let target = Target(
            kind: .template, scope: .global, current: TargetRelease(label: "v1", files: [:]),
            staged: StagedRelease(release: release, share: 0.1))
        #expect(target.release(for: tenth.first!).label == "v2")
        #expect(target.release(for: agents.first { !tenth.contains($0) }!).label == "v1")
    }
}
