import Foundation
import LanyardSupport
import Testing

@testable import Sync

/// Key rotation: kiosks follow a chain of roots, each signed by a threshold of the old root keys
/// and a threshold of the new, and refuse any link that is not.
@Suite struct RootRotationTests {
    let now = RepositoryFixture.epoch.addingTimeInterval(60)

    @Test func kiosksFollowARootSignedByTheOldAndNewThresholds() async throws {
        var fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        var etag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)

        // Replace one root key (the third, lost) and the targets key.
        let newRootKeys = [fixture.rootKeys[0], fixture.rootKeys[1], SigningKey()]
        let newTargets = SigningKey()
        let root2 = RepositoryFixture.root(
            version: 2, rootKeys: newRootKeys, threshold: 2, targets: newTargets,
            timestamp: fixture.timestampKey, expires: now.addingTimeInterval(86_400 * 365))
        try fixture.writer.rotateRoot(root2, signers: [fixture.rootKeys[0], fixture.rootKeys[1]])
        fixture.rootKeys = newRootKeys
        fixture.targetsKey = newTargets
        try fixture.publishTemplate("standard", text: "after rotation")

        let report = try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        #expect(report.rootsFollowed == [2])
        #expect(trusted.root.version == 2)
        #expect(trusted.targets?.targets["templates/standard"]?.current.label == "after rotation")

        // A kiosk provisioned with root 1 long ago follows the same chain.
        var late = try fixture.trusted()
        var lateTag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&late, timestampETag: &lateTag, now: now)
        #expect(late.root.version == 2)
    }

    @Test func aRootSignedByTooFewOldKeysIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        let attackerKeys = [SigningKey(), SigningKey()]
        let root2 = RepositoryFixture.root(
            version: 2, rootKeys: attackerKeys, threshold: 2, targets: SigningKey(),
            timestamp: SigningKey(), expires: now.addingTimeInterval(86_400))
        // One stolen old key is not enough, however many new keys sign.
        #expect(throws: SyncError.self, "the registry refuses to write it") {
            try fixture.writer.rotateRoot(root2, signers: attackerKeys + [fixture.rootKeys[2]])
        }
        var envelope = try fixture.writer.sign(root2, role: .root, keys: attackerKeys + [fixture.rootKeys[2]])
        try fixture.replace(RepositoryLayout.root(version: 2), with: try envelope.encoded())
        var trusted = try fixture.trusted()
        var etag: String?
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .signatureThreshold)
        #expect(error?.message.contains("by the keys of version 1") == true)
        #expect(trusted.root.version == 1)

        // Signed by the old threshold but not by its own new keys: refused too.
        envelope = try fixture.writer.sign(root2, role: .root, keys: [fixture.rootKeys[0], fixture.rootKeys[1]])
        var trusted2 = try fixture.trusted()
        let own = #expect(throws: SyncError.self) { try trusted2.updateRoot(try envelope.encoded()) }
        #expect(own?.message.contains("by its own keys") == true)
    }

    @Test func aRootThatSkipsAVersionIsRefused() throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let root3 = RepositoryFixture.root(
            version: 3, rootKeys: fixture.rootKeys, threshold: 2, targets: fixture.targetsKey,
            timestamp: fixture.timestampKey, expires: now.addingTimeInterval(86_400))
        let data = try fixture.writer.sign(root3, role: .root, keys: fixture.rootKeys).encoded()
        var trusted = try fixture.trusted()
        let error = #expect(throws: SyncError.self) { try trusted.updateRoot(data) }
        #expect(error?.code == .rootChainBroken)
    }

    @Test func targetsSignedWithARotatedOutKeyAreRefused() async throws {
        var fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        let oldTargets = fixture.targetsKey
        let root2 = RepositoryFixture.root(
            version: 2, rootKeys: fixture.rootKeys, threshold: 2, targets: SigningKey(),
            timestamp: fixture.timestampKey, expires: now.addingTimeInterval(86_400))
        try fixture.writer.rotateRoot(root2, signers: Array(fixture.rootKeys.prefix(2)))
        fixture.targetsKey = oldTargets
        #expect(throws: SyncError.self) { try fixture.publishTemplate("standard", text: "signed by a retired key") }
    }

    @Test func aRootWithAThresholdAboveItsKeysIsInvalid() throws {
        let keys = [SigningKey()]
        let root = RepositoryFixture.root(
            version: 1, rootKeys: keys, threshold: 2, targets: SigningKey(), timestamp: SigningKey(),
            expires: now)
        let error = #expect(throws: SyncError.self) { try root.validate() }
        #expect(error?.code == .metadataInvalid)
    }
}
