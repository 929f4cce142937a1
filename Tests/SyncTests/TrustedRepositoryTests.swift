import Foundation
import LanyardSupport
import TUF
import Testing

@testable import Sync

/// The kiosk's view of a Lanyard-published TUF repository: the catalog it plans with, its grace
/// policy, and the attacks TUF exists for, each refused with a named error while the catalog the
/// kiosk prints from stays exactly as it was.
@Suite struct TrustedRepositoryTests {
    let now = RepositoryFixture.epoch.addingTimeInterval(60)

    /// A kiosk that has refreshed once and holds release "first" of templates/standard.
    func refreshed(_ fixture: RepositoryFixture) async throws -> TrustedRepository {
        try fixture.publishTemplate("standard", text: "first")
        var trusted = try fixture.trusted()
        try await trusted.refresh(now: now)
        #expect(trusted.targets?["templates/standard"]?.current.label == "first")
        return trusted
    }

    /// Refreshes expecting a refusal with `code`, and checks nothing the kiosk plans with moved.
    func expectRefusal(
        _ trusted: inout TrustedRepository, _ code: SyncErrorCode, at time: Date? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let before = (trusted.targets, trusted.snapshotVersion, trusted.timestampVersion)
        do {
            try await trusted.refresh(now: time ?? now)
            Issue.record("the refresh was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        }
        #expect(trusted.targets == before.0, sourceLocation: sourceLocation)
        #expect(trusted.snapshotVersion == before.1 && trusted.timestampVersion == before.2, sourceLocation: sourceLocation)
    }

    @Test func theCatalogFollowsPublicationsAndStagedShares() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        try fixture.publishTemplate("standard", text: "second", share: 0.25)
        let report = try await trusted.refresh(now: now)
        #expect(report.targetsChanged)
        #expect(trusted.targets?["templates/standard"]?.staged?.release.label == "second")
        #expect(trusted.targets?["templates/standard"]?.staged?.share == 0.25)
        #expect(trusted.freshness(now: now) == .fresh)
    }

    @Test func arbitrarySoftwareATamperedTargetFileIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let trusted = try await refreshed(fixture)
        let release = try #require(trusted.targets?["templates/standard"]?.current)
        let file = try #require(release.files["template.yaml"])
        let path = trusted.location(
            of: TargetCatalog.targetName(unit: "templates/standard", release: release, path: "template.yaml"), file: file)
        var bytes = try fixture.read(path)
        bytes[0] ^= 0x20
        try FileManager.default.removeItem(at: fixture.repository.appending(path: path))
        try fixture.replace(path, with: bytes)
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let error = await #expect(throws: SyncError.self) { try await cache.fetch(file, path: path, from: fixture.source) }
        #expect(error?.code == .hashMismatch)
        #expect(!cache.contains(file))
    }

    @Test func rollbackAnOlderTimestampIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        let old = try fixture.read(RepositoryLayout.timestamp)
        try fixture.publishTemplate("standard", text: "second")
        try await trusted.refresh(now: now)
        try fixture.replace(RepositoryLayout.timestamp, with: old)
        await expectRefusal(&trusted, .versionRollback)
        #expect(trusted.targets?["templates/standard"]?.current.label == "second")
    }

    @Test func indefiniteFreezeExpiredMetadataIsRefusedAndTheGraceIsAPolicy() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        let expires = try #require(trusted.expiresAt)
        let later = expires.addingTimeInterval(3_600)
        await expectRefusal(&trusted, .expired, at: later)
        #expect(trusted.freshness(now: later) == .stale(expiredAt: expires), "within 72 h of the last refresh")
        #expect(trusted.freshness(now: now.addingTimeInterval(73 * 3_600)) == .expired(expiredAt: expires))
        #expect(trusted.targets?["templates/standard"]?.current.label == "first", "the kiosk keeps what it verified")
    }

    @Test func endlessDataATimestampThatNeverEndsIsCutOff() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        try fixture.replace(RepositoryLayout.timestamp, with: Data(repeating: 0x20, count: 5_000_000))
        await expectRefusal(&trusted, .lengthExceeded)
    }

    @Test func mixAndMatchTargetsOfAnotherVersionAreRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        try fixture.publishTemplate("standard", text: "second")
        // The snapshot names targets version 3; the server hands out version 2's bytes under that name.
        let current = "metadata/3.targets.json"
        let older = try fixture.read("metadata/2.targets.json")
        try FileManager.default.removeItem(at: fixture.repository.appending(path: current))
        try fixture.replace(current, with: older)
        await expectRefusal(&trusted, .mixAndMatch)
    }

    @Test func aCompromisedRootKeyBelowThresholdCannotRotateTheRoot() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        let root = try fixture.writer.state().root
        let forged = try root.replacing("targets", with: RoleAssignment([try TUFSigningKey.generate(.ed25519).publicKey]))
            .nextVersion(expires: RepositoryFixture.epoch.addingTimeInterval(86_400 * 30))
        let envelope = try TUF.SignedEnvelope(signing: forged.signedObject, with: [fixture.rootKeys[0]])
        try fixture.replace("metadata/2.root.json", with: Data(envelope.fileContents()))
        await expectRefusal(&trusted, .signatureThreshold)
        #expect(trusted.rootVersion == 1)
    }

    @Test func fastForwardRecoveryAfterTheTimestampKeyRotates() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        var trusted = try await refreshed(fixture)
        let state = try fixture.writer.state()
        // The timestamp key leaked: the attacker pushes the kiosk to timestamp version 1000.
        let inflated = try Timestamp(
            version: 1_000, expires: RepositoryFixture.epoch.addingTimeInterval(86_400),
            snapshot: try #require(state.timestamp).snapshotMeta)
        let genuine = try fixture.read(RepositoryLayout.timestamp)
        try fixture.replace(
            RepositoryLayout.timestamp,
            with: Data(try TUF.SignedEnvelope(signing: inflated.signedObject, with: [fixture.timestampKey]).fileContents()))
        try await trusted.refresh(now: now)
        #expect(trusted.timestampVersion == 1_000)
        // The attacker's server goes away; the repository still holds its genuine timestamp.
        try fixture.replace(RepositoryLayout.timestamp, with: genuine)
        await expectRefusal(&trusted, .versionRollback)
        // Operations rotate the timestamp and snapshot keys; the kiosk recovers at the next refresh.
        let newKey = try TUFSigningKey.generate(.ecdsaP256)
        let next = try state.root.replacing("timestamp", with: RoleAssignment([newKey.publicKey]))
            .replacing("snapshot", with: RoleAssignment([newKey.publicKey]))
            .nextVersion(expires: RepositoryFixture.epoch.addingTimeInterval(365 * 86_400))
        try fixture.writer.rotateRoot(to: next, signers: Array(fixture.rootKeys.prefix(2)) + [newKey, fixture.targetsKey], now: now)
        try RegistryPublisher(repository: fixture.repository, signers: [fixture.targetsKey, newKey]).publishDirectory(
            try fixture.bundle("standard", text: "after"), as: "templates/standard", kind: .template, scope: .global, label: "after",
            now: now)
        try await trusted.refresh(now: now)
        #expect(trusted.rootVersion == 2)
        #expect(trusted.timestampVersion ?? 0 < 1_000)
        #expect(trusted.targets?["templates/standard"]?.current.label == "after")
    }
}

/// A venue's delegated role: the kiosk takes the units the targets role delegates to it, and
/// nothing the role lists outside them.
@Suite struct VenueDelegationTests {
    let now = RepositoryFixture.epoch.addingTimeInterval(60)

    func delegate(_ fixture: RepositoryFixture, venue: TUFSigningKey, units: [String]) throws {
        try fixture.writer.publish(signers: [fixture.targetsKey, fixture.timestampKey, venue], now: RepositoryFixture.epoch) {
            (publication: inout TUFPublication) throws(TUFError) in
            let role = try DelegatedRole(
                name: "venue-berlin", keyids: [venue.keyid], terminating: true,
                paths: .patterns(units.flatMap { TargetCatalog.delegationPatterns(unitPattern: $0) }))
            publication.setDelegations(try Delegations(keys: [venue.publicKey], roles: [role]))
        }
    }

    func publish(_ fixture: RepositoryFixture, venue: TUFSigningKey, unit: String) throws {
        try RegistryPublisher(repository: fixture.repository, signers: [venue, fixture.timestampKey], role: "venue-berlin")
            .publishDirectory(
                try fixture.bundle(unit, text: unit), as: "templates/\(unit)", kind: .template, scope: .global, label: unit,
                now: RepositoryFixture.epoch)
    }

    @Test func aVenueRoleIsTrustedForItsOwnUnitsOnly() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let venue = try TUFSigningKey.generate(.ed25519)
        // First delegated everything under templates/, the venue publishes its own and another's.
        try delegate(fixture, venue: venue, units: ["templates/*"])
        try publish(fixture, venue: venue, unit: "berlin-badge")
        try publish(fixture, venue: venue, unit: "paris-badge")
        #expect(
            throws: SyncError.self, "the writer refuses a unit outside the delegation",
            performing: {
                try delegate(fixture, venue: venue, units: ["templates/berlin-*"])
                try publish(fixture, venue: venue, unit: "lyon-badge")
            })
        // Now the role still lists paris-badge, which it is no longer trusted for.
        var trusted = try fixture.trusted()
        try await trusted.refresh(now: now)
        #expect(trusted.targets?["templates/berlin-badge"]?.current.label == "berlin-badge")
        #expect(trusted.targets?["templates/paris-badge"] == nil, "a delegated role signing outside its paths is not believed")
    }
}
