import Foundation
import LanyardSupport
import Sync
import TUF
import Testing

@testable import Registry

#if canImport(Glibc)
import Glibc
#endif

/// The server keeps the timestamp alive; kiosks accept what it signs.
@Suite struct TimestampRefresherTests {
    static let hour: TimeInterval = 3_600

    @Test func aTimestampPastHalfItsLifetimeIsReSignedAndKiosksAcceptIt() async throws {
        let fixture = try RegistryFixture(expiry: TUFExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let server = try await fixture.server {
            $0.timestampKey = fixture.timestampKey
            $0.timestampLifetime = Self.hour
        }
        // `registry init` signed timestamp 1, the publication timestamp 2 naming snapshot 2.
        let published = try #require(try fixture.writer.state().timestamp)
        #expect(published.common.version == 2)
        #expect(published.snapshotMeta.version == 2)

        // A kiosk that already trusts that timestamp.
        let root = try fixture.read(RepositoryLayout.root(version: 1))
        let source = DirectoryRepositorySource(directory: fixture.repository)
        var trusted = try TrustedRepository(directory: fixture.base.appending(path: "kiosk"), provisionedRoot: root, source: source)
        try await trusted.refresh(now: RegistryFixture.epoch)
        #expect(trusted.timestampVersion == 2)

        let early = try server.refresher.checkOnce(now: RegistryFixture.epoch.addingTimeInterval(1_440))
        #expect(early == .fresh(remaining: 2_160), "more than half the lifetime left: nothing to do")
        #expect(try fixture.timestampVersion == 2)

        let later = RegistryFixture.epoch.addingTimeInterval(2_160)
        guard case .refreshed(let version, let expires) = try server.refresher.checkOnce(now: later) else {
            Issue.record("the timestamp was not re-signed")
            return
        }
        #expect(version == 3)
        #expect(expires == later.addingTimeInterval(Self.hour))
        let refreshed = try #require(try fixture.writer.state().timestamp)
        #expect(refreshed.common.version == 3)
        #expect(refreshed.snapshotMeta.version == 2, "the same snapshot, named again")
        #expect(refreshed.common.expiresAt == Int64(later.addingTimeInterval(Self.hour).timeIntervalSince1970))

        // Past the first timestamp's expiry, the kiosk takes the re-signed one and is fresh.
        let kioskNow = RegistryFixture.epoch.addingTimeInterval(4_320)
        let report = try await trusted.refresh(now: kioskNow)
        #expect(!report.targetsChanged)
        #expect(report.freshness == .fresh)
        #expect(trusted.timestampVersion == 3)
        #expect(trusted.snapshotVersion == 2)

        // A kiosk starting from nothing accepts the refreshed repository too.
        var newcomer = try TrustedRepository(directory: fixture.base.appending(path: "newcomer"), provisionedRoot: root, source: source)
        try await newcomer.refresh(now: kioskNow)
        #expect(newcomer.snapshotVersion == 2)
        #expect(newcomer.targets?["templates/standard"]?.current.label == "v1")
    }

    @Test func withoutTheKeyTheServerOnlyReportsThatARefreshIsDue() async throws {
        let fixture = try RegistryFixture(expiry: TUFExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        let server = try await fixture.server { $0.timestampLifetime = Self.hour }
        #expect(try server.refresher.checkOnce(now: RegistryFixture.epoch) == .fresh(remaining: Self.hour), "init signs a timestamp")
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let outcome = try server.refresher.checkOnce(now: RegistryFixture.epoch.addingTimeInterval(2_700))
        #expect(outcome == .needsRefresh(remaining: 900))
        #expect(try fixture.timestampVersion == 2, "a read-only server writes nothing")
    }

    @Test func aRepositoryWithOnlyARootHasNothingPublished() async throws {
        let fixture = try RegistryFixture(expiry: TUFExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        // A root written by other tooling, before any timestamp.
        let bare = fixture.base.appending(path: "bare")
        try FileManager.default.createDirectory(
            at: bare.appending(path: RepositoryLayout.metadataDirectory), withIntermediateDirectories: true)
        try fixture.read(RepositoryLayout.root(version: 1)).write(to: bare.appending(path: RepositoryLayout.root(version: 1)))
        let refresher = TimestampRefresher(
            repository: bare, key: fixture.timestampKey, lifetime: Self.hour, logger: RegistryFixture.quietLogger)
        #expect(try refresher.checkOnce(now: RegistryFixture.epoch) == .nothingPublished)
        #expect(!FileManager.default.fileExists(atPath: bare.appending(path: RepositoryLayout.timestamp).path))
    }

    @Test func aPublicationInProgressIsWaitedFor() async throws {
        let fixture = try RegistryFixture(expiry: TUFExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let server = try await fixture.server {
            $0.timestampKey = fixture.timestampKey
            $0.timestampLifetime = Self.hour
        }
        let due = RegistryFixture.epoch.addingTimeInterval(3_240)
        // The publish command holds the writer's lock (another open file description, as another process would).
        let lockPath = fixture.repository.appending(path: "\(RepositoryLayout.metadataDirectory)/\(TUFRepositoryWriter.lockFileName)").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        try #require(flock(descriptor, LOCK_EX) == 0)
        let outcome = try server.refresher.checkOnce(now: due)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        #expect(outcome == .busy)
        #expect(try fixture.timestampVersion == 2)
        guard case .refreshed(let version, _) = try server.refresher.checkOnce(now: due) else {
            Issue.record("once the lock is free the timestamp is re-signed")
            return
        }
        #expect(version == 3)
    }

    @Test func aKeyThatIsNotTheTimestampRolesIsRefusedAtStart() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        for key in [fixture.targetsKey, try TUFSigningKey.generate(.ecdsaP256)] {
            let error = await #expect(throws: RegistryError.self) { try await fixture.server { $0.timestampKey = key } }
            #expect(error?.code == .configurationInvalid)
        }
    }

    @Test func aDirectoryThatIsNotARepositoryIsRefusedAtStart() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let configuration = RegistryConfiguration(repository: fixture.base.appending(path: "nothing"), stateDirectory: fixture.state)
        let error = await #expect(throws: RegistryError.self) {
            try await RegistryServer(configuration: configuration, logger: RegistryFixture.quietLogger)
        }
        #expect(error?.code == .configurationInvalid)
        let short = fixture.configuration { $0.agentToken = "short" }
        await #expect(throws: RegistryError.self) { try await RegistryServer(configuration: short, logger: RegistryFixture.quietLogger) }
    }
}
