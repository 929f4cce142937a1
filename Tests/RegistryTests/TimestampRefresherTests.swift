import Foundation
import LanyardSupport
import Sync
import Testing

@testable import Registry

/// The server keeps the timestamp alive; kiosks accept what it signs.
@Suite struct TimestampRefresherTests {
    static let hour: TimeInterval = 3_600

    @Test func aTimestampPastHalfItsLifetimeIsReSignedAndKiosksAcceptIt() async throws {
        let fixture = try RegistryFixture(expiry: ExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let server = try await fixture.server {
            $0.timestampKey = fixture.timestampKey
            $0.timestampLifetime = Self.hour
        }

        // A kiosk that already trusts the first timestamp.
        var trusted = try TrustedMetadata(trustedRoot: try fixture.read(RepositoryLayout.root(version: 1)))
        var etag: String?
        let source = DirectoryRepositorySource(directory: fixture.repository)
        try await MetadataUpdater(source: source).refresh(&trusted, timestampETag: &etag, now: RegistryFixture.epoch)
        #expect(trusted.timestamp?.version == 1)

        let early = try server.refresher.checkOnce(now: RegistryFixture.epoch.addingTimeInterval(1_440))
        #expect(early == .fresh(remaining: 2_160), "more than half the lifetime left: nothing to do")
        #expect(try fixture.writer.currentTimestamp()?.version == 1)

        let later = RegistryFixture.epoch.addingTimeInterval(2_160)
        guard case .refreshed(let refreshed) = try server.refresher.checkOnce(now: later) else {
            Issue.record("the timestamp was not re-signed")
            return
        }
        #expect(refreshed.version == 2)
        #expect(refreshed.targets.version == 1, "the same targets, named again")
        #expect(refreshed.expires == later.addingTimeInterval(Self.hour))

        // Past the first timestamp's expiry, the kiosk takes the re-signed one and is fresh.
        let kioskNow = RegistryFixture.epoch.addingTimeInterval(4_320)
        let report = try await MetadataUpdater(source: source).refresh(&trusted, timestampETag: &etag, now: kioskNow)
        #expect(report.timestampChanged)
        #expect(!report.targetsChanged)
        #expect(report.freshness == .fresh)
        #expect(trusted.timestamp?.version == 2)

        // A kiosk starting from nothing accepts the refreshed repository too.
        var newcomer = try TrustedMetadata(trustedRoot: try fixture.read(RepositoryLayout.root(version: 1)))
        var newcomerTag: String?
        try await MetadataUpdater(source: source).refresh(&newcomer, timestampETag: &newcomerTag, now: kioskNow)
        #expect(newcomer.targets?.version == 1)
    }

    @Test func withoutTheKeyTheServerOnlyReportsThatARefreshIsDue() async throws {
        let fixture = try RegistryFixture(expiry: ExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        let server = try await fixture.server { $0.timestampLifetime = Self.hour }
        #expect(try server.refresher.checkOnce(now: RegistryFixture.epoch) == .nothingPublished)
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let outcome = try server.refresher.checkOnce(now: RegistryFixture.epoch.addingTimeInterval(2_700))
        #expect(outcome == .needsRefresh(remaining: 900))
        #expect(try fixture.writer.currentTimestamp()?.version == 1, "a read-only server writes nothing")
    }

    @Test func aPublicationInProgressIsWaitedFor() async throws {
        let fixture = try RegistryFixture(expiry: ExpiryPolicy(timestamp: Self.hour))
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1", at: RegistryFixture.epoch)
        let server = try await fixture.server {
            $0.timestampKey = fixture.timestampKey
            $0.timestampLifetime = Self.hour
        }
        let due = RegistryFixture.epoch.addingTimeInterval(3_240)
        // The publish command holds the lock (another open file description, as another process would).
        let outcome = try RepositoryLock(repository: fixture.repository).withLock { try server.refresher.checkOnce(now: due) }
        #expect(outcome == .busy)
        #expect(try fixture.writer.currentTimestamp()?.version == 1)
        guard case .refreshed = try server.refresher.checkOnce(now: due) else {
            Issue.record("once the lock is free the timestamp is re-signed")
            return
        }
    }

    @Test func aKeyThatIsNotTheTimestampRolesIsRefusedAtStart() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        for key in [fixture.targetsKey, SigningKey()] {
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
