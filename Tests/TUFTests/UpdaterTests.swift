import Crypto
import Foundation
import LanyardSupport
import Testing

@testable import TUF

/// The client workflow rule by rule, against repositories signed here and served from memory.
@Suite struct UpdaterTests {
    @Test func aFirstRefreshAsksForTheNextRootThenEachTopLevelRoleAndStoresThemUnversioned() async throws {
        let repository = TestRepository()
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        #expect(
            client.fetcher.takeRequests() == [
                "metadata/2.root.json", "metadata/timestamp.json", "metadata/1.snapshot.json", "metadata/1.targets.json",
            ])
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 1, "snapshot": 1, "targets": 1])
        for role in ["timestamp", "snapshot", "targets"] {
            #expect(try Data(contentsOf: client.directory.appending(path: "\(role).json")) == repository.published[role]?.last, "\(role)")
        }
        // Nothing new: the stored snapshot and targets serve, only the root and timestamp are asked for.
        #expect(await client.refresh(repository) == nil)
        #expect(client.fetcher.takeRequests() == ["metadata/2.root.json", "metadata/timestamp.json"])
    }

    @Test func withoutConsistentSnapshotsFilesAreAskedForUnversioned() async throws {
        var repository = TestRepository()
        repository.consistentSnapshot = false
        repository.publish(["root"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        #expect(
            client.fetcher.takeRequests() == [
                "metadata/2.root.json", "metadata/3.root.json", "metadata/timestamp.json", "metadata/snapshot.json",
                "metadata/targets.json",
            ])
    }

    @Test func rootsAreFollowedOneVersionAtATimeSignedByTheOldAndTheNewKeys() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        let old = repository.keys["root"]!
        repository.rotateKeys("root")
        repository.signers["root"] = old + repository.keys["root"]!
        repository.publish(["root"])
        repository.signers["root"] = repository.keys["root"]
        repository.publish(["root"])
        #expect(await client.refresh(repository) == nil)
        #expect(try client.storedVersions()["root"] == 3)

        // Signed by the new keys only: the trusted (v3) keys never signed it.
        repository.rotateKeys("root")
        repository.publish(["root"])
        #expect(await client.refresh(repository)?.code == .signatureThreshold)
        #expect(try client.storedVersions()["root"] == 3)

        // Signed by the old keys only: the new root's own threshold is not met.
        var oldOnly = TestRepository()
        let fresh = try TestClient(oldOnly)
        let first = oldOnly.keys["root"]!
        oldOnly.rotateKeys("root")
        oldOnly.signers["root"] = first
        oldOnly.publish(["root"])
        #expect(await fresh.refresh(oldOnly)?.code == .signatureThreshold)
        #expect(try fresh.storedVersions() == ["root": 1])
    }

    @Test func aRootThatSkipsAVersionIsRefused() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        repository.versions["root"] = 2
        repository.publish(["root"])
        // Served as 2.root.json, but it says version 3.
        repository.files[TestRepository.metadataURL + "2.root.json"] = repository.files.removeValue(
            forKey: TestRepository.metadataURL + "3.root.json")
        #expect(await client.refresh(repository)?.code == .badRootVersion)
        #expect(try client.storedVersions() == ["root": 1])
    }

    @Test func anExpiredFinalRootIsStoredButStopsTheUpdate() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        repository.expires["root"] = "2029-12-31T23:59:59Z"
        repository.publish(["root", "targets", "snapshot", "timestamp"])
        let failure = await client.refresh(repository)
        #expect(failure?.code == .expired && failure?.context == "root")
        #expect(try client.storedVersions() == ["root": 2, "timestamp": 1, "snapshot": 1, "targets": 1])
        // Expiry is from the reference time on: a file expiring at that very second is expired.
        repository.expires["root"] = "2030-01-01T00:00:00Z"
        repository.publish(["root"])
        #expect(await client.refresh(repository)?.code == .expired)
        repository.expires["root"] = "2030-01-01T00:00:01Z"
        repository.publish(["root"])
        #expect(await client.refresh(repository) == nil)
    }

    @Test func theRootChainStopsAfterTheMostRotationsAllowed() async throws {
        var repository = TestRepository()
        for _ in 0..<5 { repository.publish(["root"]) }
        let client = try TestClient(repository)
        var limits = Updater.Limits()
        limits.rootRotations = 3
        var updater = Updater(
            directory: client.directory, metadataURL: TestRepository.metadataURL, fetcher: client.fetcher, limits: limits,
            clock: { TestClient.now })
        try await updater.refresh()
        #expect(updater.state?.root.common.version == 4)
    }

    @Test func aTimestampRollbackIsRefusedAndTheSameVersionKeepsTheTrustedOne() async throws {
        var repository = TestRepository()
        repository.publish(["timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        let trusted = try Data(contentsOf: client.directory.appending(path: "timestamp.json"))

        // The same version with other content: the trusted one stays, nothing more is fetched.
        var same = repository
        same.versions["timestamp"] = 1
        same.timestampMeta = Fixture.object([("version", .integer(100))])
        same.publish(["timestamp"])
        _ = client.fetcher.takeRequests()
        #expect(await client.refresh(same) == nil)
        #expect(client.fetcher.takeRequests() == ["metadata/2.root.json", "metadata/timestamp.json"])
        #expect(try Data(contentsOf: client.directory.appending(path: "timestamp.json")) == trusted)

        var rolledBack = repository
        rolledBack.versions["timestamp"] = 0
        rolledBack.publish(["timestamp"])
        #expect(await client.refresh(rolledBack)?.code == .rollback)
        #expect(try client.storedVersions()["timestamp"] == 2)
    }

    @Test func aTimestampNamingAnOlderSnapshotIsARollback() async throws {
        var repository = TestRepository()
        repository.publish(["snapshot", "timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        repository.timestampMeta = Fixture.object([("version", .integer(1))])
        repository.publish(["timestamp"])
        #expect(await client.refresh(repository)?.code == .rollback)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 2, "snapshot": 2, "targets": 1])
    }

    @Test func anExpiredStoredTimestampStillStopsARollback() async throws {
        var repository = TestRepository()
        repository.expires["timestamp"] = "2030-01-02T00:00:00Z"
        repository.publish(["timestamp", "timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        client.referenceTime += 7 * 86_400
        // The stored v3 has expired: it is kept as intermediate state, and v2 is below it.
        var older = repository
        older.versions["timestamp"] = 1
        older.expires["timestamp"] = "2031-01-01T00:00:00Z"
        older.publish(["timestamp"])
        #expect(await client.refresh(older)?.code == .rollback)
        // A newer one that has not expired is taken.
        repository.expires["timestamp"] = "2031-01-01T00:00:00Z"
        repository.publish(["targets", "snapshot", "timestamp"])
        #expect(await client.refresh(repository) == nil)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 4, "snapshot": 2, "targets": 2])
    }

    @Test func anExpiredTimestampIsNeitherStoredNorFollowed() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        repository.expires["timestamp"] = "2029-01-01T00:00:00Z"
        repository.publish(["snapshot", "timestamp"])
        #expect(await client.refresh(repository)?.code == .expired)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 1, "snapshot": 1, "targets": 1])
    }

    @Test func theSnapshotMustMatchTheTimestampsLengthHashAndVersion() async throws {
        var repository = TestRepository()
        repository.metaHashes = true
        repository.publish(["targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)

        var tampered = repository
        tampered.publish(["snapshot", "timestamp"])
        var bytes = tampered.files[TestRepository.metadataURL + "3.snapshot.json"]!
        bytes[bytes.count - 2] ^= 1
        tampered.files[TestRepository.metadataURL + "3.snapshot.json"] = bytes
        #expect(await client.refresh(tampered)?.code == .hashMismatch)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 3, "snapshot": 2, "targets": 2])

        // Another version under the name the timestamp gives (mix-and-match).
        var mixed = repository
        mixed.metaHashes = false
        mixed.publish(["snapshot", "snapshot", "timestamp"])
        mixed.files[TestRepository.metadataURL + "3.snapshot.json"] = mixed.published["snapshot"]!.last
        mixed.timestampMeta = Fixture.object([("version", .integer(3))])
        mixed.publish(["timestamp"])
        let failure = await client.refresh(mixed)
        #expect(failure?.code == .versionMismatch, "\(String(describing: failure))")
    }

    @Test func aSnapshotMayNotDropOrRollBackATargetsRole() async throws {
        var repository = TestRepository()
        repository.delegate(from: "targets", .init(name: "venue"))
        repository.publish(["venue", "targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)

        var dropped = repository
        dropped.snapshotMeta["venue.json"] = nil
        dropped.publish(["snapshot", "timestamp"])
        #expect(await client.refresh(dropped)?.code == .rollback)

        var rolledBack = repository
        rolledBack.snapshotMeta["targets.json"] = Fixture.object([("version", .integer(1))])
        rolledBack.publish(["snapshot", "timestamp"])
        #expect(await client.refresh(rolledBack)?.code == .rollback)
        #expect(try client.storedVersions()["snapshot"] == 2)
    }

    @Test func theSnapshotRollbackCheckUsesTheStoredSnapshotEvenWhenTheTimestampNamesANewOne() async throws {
        var repository = TestRepository()
        repository.metaHashes = true
        repository.publish(["targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        repository.versions["targets"] = 0
        repository.publish(["targets", "snapshot", "timestamp"])
        #expect(await client.refresh(repository)?.code == .rollback)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 3, "snapshot": 2, "targets": 2])
    }

    @Test func targetsMustBeTheVersionTheSnapshotNamesSignedAndCurrent() async throws {
        let repository = TestRepository()
        var mismatched = repository
        mismatched.versions["targets"] = 2
        mismatched.publish(["targets"])
        mismatched.files[TestRepository.metadataURL + "2.targets.json"] = mismatched.files[TestRepository.metadataURL + "3.targets.json"]
        mismatched.snapshotMeta["targets.json"] = Fixture.object([("version", .integer(2))])
        mismatched.publish(["snapshot", "timestamp"])
        var unsigned = repository
        unsigned.signers["targets"] = [Curve25519.Signing.PrivateKey()]
        unsigned.publish(["targets", "snapshot", "timestamp"])
        var expired = repository
        expired.expires["targets"] = "2029-06-01T00:00:00Z"
        expired.publish(["targets", "snapshot", "timestamp"])
        for (served, code) in [(mismatched, TUFErrorCode.versionMismatch), (unsigned, .signatureThreshold), (expired, .expired)] {
            let client = try TestClient(repository)
            #expect(await client.refresh(served)?.code == code)
            #expect(try client.storedVersions() == ["root": 1, "timestamp": 2, "snapshot": 2])
        }
    }

    @Test func oneKeyIdSigningTwiceIsRefusedEvenAboveTheThreshold() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        repository.publish(["snapshot", "timestamp"])
        let url = TestRepository.metadataURL + "2.snapshot.json"
        let envelope = try SignedEnvelope(parsing: Array(repository.files[url]!))
        let signature = Fixture.object([("keyid", .string(envelope.signatures[0].keyid)), ("sig", .string(envelope.signatures[0].sig))])
        repository.files[url] = Data(
            Fixture.object([("signatures", .array([signature, signature])), ("signed", .object(envelope.signed))]).canonicalBytes)
        let failure = await client.refresh(repository)
        #expect(failure?.code == .metadataInvalid && failure?.context == "snapshot")
    }

    @Test func rotatedTimestampAndSnapshotKeysLetVersionsStartOver() async throws {
        var repository = TestRepository()
        for _ in 0..<9 { repository.publish(["targets", "snapshot", "timestamp"]) }
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)

        // Fast-forward recovery: new keys, versions back to 1.
        repository.rotateKeys("timestamp")
        repository.rotateKeys("snapshot")
        repository.published["timestamp"] = nil
        repository.published["snapshot"] = nil
        repository.versions["timestamp"] = 1
        repository.versions["snapshot"] = 1
        repository.publish(["root", "snapshot", "timestamp"])
        #expect(await client.refresh(repository) == nil)
        #expect(try client.storedVersions() == ["root": 2, "timestamp": 1, "snapshot": 1, "targets": 10])

        // Without a key rotation the same reset is a rollback.
        repository.publish(["timestamp"])
        #expect(await client.refresh(repository) == nil)
        repository.published["timestamp"] = nil
        repository.versions["timestamp"] = 1
        repository.publish(["timestamp"])
        #expect(await client.refresh(repository)?.code == .rollback)
    }

    @Test func aRootThatRotatesTimestampOrSnapshotKeysDeletesBothStoredFiles() async throws {
        var repository = TestRepository()
        for _ in 0..<4 { repository.publish(["snapshot", "timestamp"]) }
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)

        // The timestamp keys rotate, the timestamp is not re-signed: the refresh fails, and the
        // stored timestamp and snapshot are gone all the same.
        var unsigned = repository
        unsigned.rotateKeys("timestamp")
        unsigned.publish(["root"])
        #expect(await client.refresh(unsigned)?.code == .signatureThreshold)
        #expect(try client.storedVersions() == ["root": 2, "targets": 1])

        // Only the snapshot keys rotate and its version starts over: recovered, though python-tuf
        // would keep checking the new timestamp against the stored one's snapshot version.
        let other = try TestClient(repository)
        #expect(await other.refresh(repository) == nil)
        repository.rotateKeys("snapshot")
        repository.published["snapshot"] = nil
        repository.versions["snapshot"] = 1
        repository.publish(["root", "snapshot", "timestamp"])
        #expect(await other.refresh(repository) == nil)
        #expect(try other.storedVersions() == ["root": 2, "timestamp": 6, "snapshot": 1, "targets": 1])

        // An expired new root ends the update before anything is deleted.
        var expired = TestRepository()
        let third = try TestClient(expired)
        expired.publish(["snapshot", "timestamp"])
        #expect(await third.refresh(expired) == nil)
        expired.rotateKeys("timestamp")
        expired.expires["root"] = "2029-01-01T00:00:00Z"
        expired.publish(["root", "timestamp"])
        #expect(await third.refresh(expired)?.code == .expired)
        #expect(try third.storedVersions() == ["root": 2, "timestamp": 2, "snapshot": 2, "targets": 1])
    }

    @Test func aMissingTimestampSnapshotOrTargetsFailsTheRefresh() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        #expect(await client.refresh(repository) == nil)
        repository.timestampMeta = Fixture.object([("version", .integer(2))])
        repository.publish(["timestamp"])
        #expect(await client.refresh(repository)?.code == .fetchFailed)
        #expect(try client.storedVersions() == ["root": 1, "timestamp": 2, "snapshot": 1, "targets": 1])
        var none = repository
        none.files[TestRepository.metadataURL + "timestamp.json"] = nil
        #expect(await client.refresh(none)?.code == .fetchFailed)
    }

    @Test func metadataLongerThanItsRolesLimitIsRefused() async throws {
        var repository = TestRepository()
        let client = try TestClient(repository)
        repository.files[TestRepository.metadataURL + "timestamp.json"] = Data(repeating: 0x20, count: 16_385)
        #expect(await client.refresh(repository)?.code == .lengthExceeded)
    }

    @Test func anUnusableStoredRootFailsBeforeAnyRequest() async throws {
        let repository = TestRepository()
        let client = try TestClient(repository)
        var envelope = String(decoding: repository.rootBytes, as: UTF8.self)
        envelope = envelope.replacingOccurrences(of: "\"version\":1", with: "\"version\":0")
        try Data(envelope.utf8).write(to: client.directory.appending(path: "root.json"))
        #expect(await client.refresh(repository)?.code == .metadataInvalid)
        #expect(client.fetcher.takeRequests().isEmpty)
    }
}
