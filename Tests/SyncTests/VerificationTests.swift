import Foundation
import LanyardSupport
import Testing

@testable import Sync

/// Every refusal the protocol promises, each with its named error, and each leaving the kiosk's
/// trusted state as it was.
@Suite struct VerificationTests {
    let now = RepositoryFixture.epoch.addingTimeInterval(60)

    @Test func aPublishedTemplateIsFetchedVerifiedAndMaterialized() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        var etag: String?
        let report = try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        #expect(report.targetsChanged)
        #expect(report.targetsVersion == published.targetsVersion)
        #expect(report.freshness == .fresh)
        let release = try #require(trusted.targets?.targets["templates/standard"]?.current)
        #expect(release.label == "first")
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        for file in release.files.values { try await cache.fetch(file, from: fixture.source) }
        let out = fixture.base.appending(path: "active")
        try cache.materialize(release, into: out)
        #expect(try String(contentsOf: out.appending(path: "template.yaml"), encoding: .utf8) == "name: standard\ntext: first\n")
        #expect(try Data(contentsOf: out.appending(path: "fonts/Face.ttf")) == Data(repeating: 0xA5, count: 3_000))

        let again = try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        #expect(!again.timestampChanged && !again.targetsChanged, "an unchanged timestamp is answered by its entity tag")
    }

    @Test func aBlobWithOneByteFlippedIsRefusedAndNotCached() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        let file = try #require(published.target?.current.files["fonts/Face.ttf"])
        var bytes = try fixture.read(RepositoryLayout.blob(sha256: file.sha256))
        bytes[1_234] ^= 0x01
        try fixture.replace(RepositoryLayout.blob(sha256: file.sha256), with: bytes)
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let error = await #expect(throws: SyncError.self) { try await cache.fetch(file, from: fixture.source) }
        #expect(error?.code == .hashMismatch)
        #expect(!cache.contains(file))
        #expect(cache.partialLength(of: file) == 0, "a download that failed its hash is thrown away, not resumed")
    }

    @Test func targetsMetadataWithOneByteFlippedIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        var etag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        try fixture.publishTemplate("standard", text: "second")
        let path = RepositoryLayout.targets(version: 2)
        var bytes = try fixture.read(path)
        bytes[bytes.count / 2] ^= 0x01
        try fixture.replace(path, with: bytes)
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .mixAndMatch)
        #expect(trusted.targets?.version == 1, "the trusted targets stay as they were")
        #expect(trusted.timestamp?.targets.version == 1, "the new timestamp is not kept either: a refresh is all or nothing")
    }

    @Test func metadataSignedByAnUntrustedKeyIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        let intruder = RegistryPublisher(repository: fixture.repository, targetsKeys: [SigningKey()], timestampKeys: [fixture.timestampKey])
        #expect(throws: SyncError.self, "the registry refuses to publish what kiosks would refuse") {
            try intruder.publishDirectory(
                try fixture.bundle("standard", text: "evil"), as: "templates/standard", kind: .template,
                scope: .global, label: "evil", now: RepositoryFixture.epoch)
        }
        // Forge it by hand: targets signed by an unknown key, named by a genuinely signed timestamp.
        var targets = try #require(try fixture.writer.currentTargets())
        targets.version = 2
        let forged = try fixture.writer.sign(targets, role: .targets, keys: [SigningKey()]).encoded()
        try fixture.replace(RepositoryLayout.targets(version: 2), with: forged)
        let timestamp = TimestampMetadata(
            version: 2, expires: now.addingTimeInterval(3_600),
            targets: PinnedMetadata(version: 2, sha256: SHA256Digest.hex(forged), length: forged.count))
        try fixture.replace(
            RepositoryLayout.timestamp, with: try fixture.writer.sign(timestamp, role: .timestamp, keys: [fixture.timestampKey]).encoded())
        var trusted = try fixture.trusted()
        var etag: String?
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .signatureThreshold)
        #expect(error?.subject == "targets")
        #expect(trusted.targets == nil)
    }

    @Test func aTimestampSignedByTheWrongKeyIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        let current = try #require(try fixture.writer.currentTimestamp())
        var next = current
        next.version += 1
        try fixture.replace(
            RepositoryLayout.timestamp, with: try fixture.writer.sign(next, role: .timestamp, keys: [fixture.targetsKey]).encoded())
        var trusted = try fixture.trusted()
        var etag: String?
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .signatureThreshold)
        #expect(error?.cause?.contains("not trusted for timestamp") == true)
    }

    @Test func metadataOfOneRoleIsNotAcceptedAsAnother() throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        let targets = try fixture.read(RepositoryLayout.targets(version: 1))
        let error = #expect(throws: SyncError.self) { try trusted.updateTimestamp(targets, now: now) }
        #expect(error?.code == .metadataInvalid)
    }

    @Test func expiredMetadataServesWithinTheGracePeriodAndIsRefusedAfter() async throws {
        let fixture = try RepositoryFixture(expiry: ExpiryPolicy(timestamp: 3_600))
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted(policy: FreshnessPolicy(gracePeriod: 72 * 3_600))
        var etag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        #expect(trusted.lastFreshRefresh == now)

        let twoHoursLater = now.addingTimeInterval(2 * 3_600)
        let stale = try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: twoHoursLater)
        guard case .stale = stale.freshness else {
            Issue.record("expected stale, got \(stale.freshness)")
            return
        }

        let fourDaysLater = now.addingTimeInterval(4 * 86_400)
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: fourDaysLater)
        }
        #expect(error?.code == .expired)
        #expect(trusted.targets?.version == 1, "what the kiosk runs is still known; only new metadata is refused")
        guard case .expired = trusted.overallFreshness(now: fourDaysLater) else {
            Issue.record("status must show expired")
            return
        }

        var fresh = try fixture.trusted()
        var noTag: String?
        let refused = await #expect(throws: SyncError.self, "a kiosk that never had a fresh timestamp has no grace") {
            try await MetadataUpdater(source: fixture.source).refresh(&fresh, timestampETag: &noTag, now: twoHoursLater)
        }
        #expect(refused?.code == .expired)
    }

    @Test func aLowerTimestampVersionIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        let old = try fixture.read(RepositoryLayout.timestamp)
        try fixture.publishTemplate("standard", text: "second")
        var trusted = try fixture.trusted()
        var etag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        #expect(trusted.targets?.version == 2)
        try fixture.replace(RepositoryLayout.timestamp, with: old)
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .versionRollback)
        #expect(trusted.targets?.targets["templates/standard"]?.current.label == "second")
    }

    @Test func targetsFromAnotherVersionAreRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        try fixture.publishTemplate("standard", text: "second")
        try fixture.replace(RepositoryLayout.targets(version: 2), with: try fixture.read(RepositoryLayout.targets(version: 1)))
        var trusted = try fixture.trusted()
        var etag: String?
        let error = await #expect(throws: SyncError.self) {
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(error?.code == .mixAndMatch)
        #expect(trusted.targets == nil)
    }

    @Test func twoDifferentTimestampsWithOneVersionAreRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        var etag: String?
        try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        var twin = try #require(trusted.timestamp)
        twin.expires = twin.expires.addingTimeInterval(60)
        let data = try fixture.writer.sign(twin, role: .timestamp, keys: [fixture.timestampKey]).encoded()
        let error = #expect(throws: SyncError.self) { try trusted.updateTimestamp(data, now: now) }
        #expect(error?.code == .versionConflict)
    }

    @Test func aFileLongerThanItsSignedLengthIsCutOffAndRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        let file = try #require(published.target?.current.files["fonts/Face.ttf"])
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let error = await #expect(throws: SyncError.self) {
            try await cache.fetch(file, from: OverlongSource(inner: fixture.source, extra: 10_000_000))
        }
        #expect(error?.code == .lengthExceeded)
        #expect(!cache.contains(file))
        #expect(cache.partialLength(of: file) <= file.length, "nothing beyond the signed length is ever written")

        let timestampError = await #expect(throws: SyncError.self) {
            try fixture.replace(RepositoryLayout.timestamp, with: Data(repeating: 0x20, count: RepositoryLayout.maximumTimestampLength + 1))
            var trusted = try fixture.trusted()
            var etag: String?
            try await MetadataUpdater(source: fixture.source).refresh(&trusted, timestampETag: &etag, now: now)
        }
        #expect(timestampError?.code == .lengthExceeded)
    }

    @Test func aDownloadCutMidwayResumesFromWhereItStopped() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        let file = try #require(published.target?.current.files["fonts/Face.ttf"])
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let error = await #expect(throws: SyncError.self) {
            try await cache.fetch(file, from: CuttingSource(inner: fixture.source, cutAfter: 1_000))
        }
        #expect(error?.code == .transport)
        #expect(!cache.contains(file), "a partial download is never taken for the file")
        #expect(cache.partialLength(of: file) == 1_000)
        let transferred = try await cache.fetch(file, from: fixture.source)
        #expect(transferred == file.length - 1_000, "only the missing bytes are fetched again")
        #expect(cache.contains(file))
        #expect(try Data(contentsOf: cache.url(for: file)) == Data(repeating: 0xA5, count: 3_000))
    }
}
