import Attendees
import Badges
import Foundation
import HummingbirdTesting
import LanyardSupport
import Logging
import Sync
import Synchronization
import TUF
import Testing

@testable import Agent

/// The attacks TUF exists for, made on the registry's repository against a running agent that
/// already verified, promoted and prints with release 1.0.0 of the standard template: each is
/// refused with a named error (or, for what a role is not trusted for, simply not believed),
/// the active template set stays exactly as it was, and badges keep printing with it.
/// `TrustedRepositoryTests` and `VenueDelegationTests` make the same attacks on the kiosk's
/// trusted repository alone; these check that the agent around it holds as well.
@Suite struct RegistryAttackTests {
    /// Publishes 1.0.0, starts an agent on the registry and has it verify and promote the release,
    /// so that every attack is made against an agent that already trusts something.
    static func withTrustingAgent(
        _ registry: TestRegistry,
        _ body: @escaping @Sendable (AgentHarness, any TestClientProtocol, SyncService) async throws -> Void
    ) async throws {
        try registry.publish(version: "1.0.0")
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            let sync = try #require(agent.core.sync)
            #expect(try await sync.syncOnce() == .promoted(["templates/standard@1.0.0"]))
            try await body(agent, client, sync)
        }
    }

    /// Steps the sync expecting a refusal with `code`, then checks that the status and the API
    /// name it, that the active set did not move, and that a badge still prints with the release
    /// labelled `printsWith`.
    static func expectRefusal(
        _ code: SyncErrorCode, agent: AgentHarness, client: any TestClientProtocol, sync: SyncService, badge: String,
        printsWith label: String = "1.0.0", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try #require(agent.core.templates?.current, sourceLocation: sourceLocation)
        var refusal: SyncError?
        do {
            let step = try await sync.syncOnce()
            Issue.record("the attack was taken: \(step)", sourceLocation: sourceLocation)
        } catch {
            refusal = error
        }
        #expect(refusal?.code == code, "\(String(describing: refusal))", sourceLocation: sourceLocation)
        #expect(sync.status.lastError?.code == code, sourceLocation: sourceLocation)
        let failure = try await get(client, "/v1/sync")["last_error"] as? [String: Any]
        #expect(failure?["code"] as? String == code.rawValue, "the operator sees which attack", sourceLocation: sourceLocation)
        #expect(agent.core.templates?.current == before, "the active set does not move", sourceLocation: sourceLocation)
        try await expectPrints(client, badge, with: label, sourceLocation: sourceLocation)
    }

    /// Submits a badge and expects it printed by the registry's standard template at `label`.
    static func expectPrints(
        _ client: any TestClientProtocol, _ badge: String, with label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let id = try await submitBadge(client, badge)
        #expect(try await finalState(client, job: id) == "printed", sourceLocation: sourceLocation)
        #expect(try await job(client, id)["template_version"] as? String == "standard@\(label)", sourceLocation: sourceLocation)
    }

    @Test func rollbackTheRepositoryServedAsItWasBeforeIsRefused() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let metadata = registry.repository.appending(path: RepositoryLayout.metadataDirectory)
            let before = registry.base.appending(path: "metadata-before-1.1.0")
            try FileManager.default.copyItem(at: metadata, to: before)
            try registry.publish(version: "1.1.0")
            #expect(try await sync.syncOnce() == .promoted(["templates/standard@1.1.0"]))
            // A mirror goes back to the metadata of before 1.1.0: every file genuinely signed, only old.
            try FileManager.default.removeItem(at: metadata)
            try FileManager.default.copyItem(at: before, to: metadata)
            try await Self.expectRefusal(
                .versionRollback, agent: agent, client: client, sync: sync, badge: "ROLLBACK-1", printsWith: "1.1.0")
            #expect(sync.status.targetsVersion == 3, "the snapshot of 1.1.0 stays the one trusted")
        }
    }

    /// A clock the test moves: the agent's sync service takes its time from it.
    final class ManualClock: Sendable {
        private let current: Mutex<Date>

        init(_ start: Date) { current = Mutex(start) }

        var now: Date { current.withLock { $0 } }

        func advance(by interval: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(interval) } }
    }

    /// The agent's configuration has no clock, so this test runs the agent's sync service on a
    /// clock of its own beside a running agent, over the agent's active templates, store and
    /// data directory, as `AgentRuntime` wires it.
    @Test func indefiniteFreezeExpiredMetadataIsRefusedStaleWithinTheGraceThenExpiredAndBadgesKeepPrinting() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try registry.publish(version: "1.0.0")
        try await withAgent(AgentOptions()) { agent, client in
            let templates = try #require(agent.core.templates)
            let clock = ManualClock(Date())
            var logger = Logger(label: "lanyard.tests")
            logger.logLevel = .error
            let sync = try SyncService(
                settings: registry.settings(), agentID: "kiosk-1", dataDirectory: agent.directory, localTemplates: templates.current,
                localTiers: AgentConfiguration.Templates(), active: templates, event: agent.core.event, dpi: 300,
                store: agent.core.store, source: DirectoryRepositorySource(directory: registry.repository), notifier: nil,
                logger: logger, now: { clock.now })
            #expect(try await sync.syncOnce() == .promoted(["templates/standard@1.0.0"]))
            #expect(AgentAPI.freshnessName(sync.status.freshness) == "fresh")
            let promoted = templates.current

            // The mirror is frozen: it serves the same metadata while the timestamp (a day) runs out.
            clock.advance(by: 2 * 86_400)
            let stale = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
            #expect(stale?.code == .expired)
            #expect(sync.status.lastError?.code == .expired)
            #expect(AgentAPI.freshnessName(sync.status.freshness) == "stale", "within 72 h of the last fresh refresh")
            #expect(templates.current == promoted)
            try await Self.expectPrints(client, "FREEZE-1", with: "1.0.0")

            clock.advance(by: 2 * 86_400)
            let expired = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
            #expect(expired?.code == .expired)
            #expect(AgentAPI.freshnessName(sync.status.freshness) == "expired", "past the grace period")
            #expect(templates.current == promoted, "the kiosk keeps what it verified")
            try await Self.expectPrints(client, "FREEZE-2", with: "1.0.0")

            // The registry signs its timestamp again: the freeze is over.
            try registry.publisher.writer.resignTimestamp(signers: [registry.timestampKey], now: clock.now)
            #expect(try await sync.syncOnce() == .unchanged)
            #expect(sync.status.lastError == nil)
            #expect(AgentAPI.freshnessName(sync.status.freshness) == "fresh")
        }
    }

    @Test func endlessDataATimestampThatNeverEndsIsCutOff() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            try Data(repeating: 0x20, count: 5_000_000).write(to: registry.repository.appending(path: RepositoryLayout.timestamp))
            try await Self.expectRefusal(.lengthExceeded, agent: agent, client: client, sync: sync, badge: "ENDLESS-1")
        }
    }

    /// A refusal after the root moved on keeps the new root: it was verified by the old one, the
    /// client stored it, and the status says which root the kiosk trusts.
    @Test func aNewRootVerifiedBeforeARefusalStaysTrustedAndShown() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let writer = registry.publisher.writer
            let next = try writer.state().root.nextVersion(expires: Date().addingTimeInterval(86_400 * 30))
            try writer.rotateRoot(to: next, signers: registry.rootKeys + [registry.timestampKey, registry.targetsKey])
            try Data(repeating: 0x20, count: 5_000_000).write(to: registry.repository.appending(path: RepositoryLayout.timestamp))
            try await Self.expectRefusal(.lengthExceeded, agent: agent, client: client, sync: sync, badge: "NEWROOT-1")
            #expect(sync.status.rootVersion == 2)
            #expect(try await get(client, "/v1/sync")["root_version"] as? Int == 2)
        }
    }

    @Test func mixAndMatchTargetsOfAnotherVersionServedUnderTheNameTheSnapshotPinsAreRefused() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let trusted = try registry.publisher.writer.state().snapshot?.meta["targets.json"]?.version
            let older = try #require(trusted)
            let newer = try registry.publish(version: "1.1.0").roleVersion
            // The snapshot names the targets of 1.1.0; the server hands out those of 1.0.0 under that name.
            let current = registry.repository.appending(path: "\(RepositoryLayout.metadataDirectory)/\(newer).targets.json")
            let replayed = try Data(
                contentsOf: registry.repository.appending(path: "\(RepositoryLayout.metadataDirectory)/\(older).targets.json"))
            try FileManager.default.removeItem(at: current)
            try replayed.write(to: current)
            try await Self.expectRefusal(.mixAndMatch, agent: agent, client: client, sync: sync, badge: "MIX-1")
        }
    }

    @Test func fastForwardAnInflatedTimestampHoldsUntilTheKeysRotateThenTheAgentFollowsAgain() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let writer = registry.publisher.writer
            let timestampFile = registry.repository.appending(path: RepositoryLayout.timestamp)
            let genuine = try Data(contentsOf: timestampFile)
            // The timestamp key leaked: the attacker pushes the agent to timestamp version 1000.
            let state = try writer.state()
            let inflated = try TUF.Timestamp(
                version: 1_000, expires: Date().addingTimeInterval(86_400), snapshot: try #require(state.timestamp).snapshotMeta)
            try Data(TUF.SignedEnvelope(signing: inflated.signedObject, with: [registry.timestampKey]).fileContents())
                .write(to: timestampFile)
            #expect(try await sync.syncOnce() == .unchanged, "validly signed, naming the same snapshot: nothing to print differently")
            #expect(await sync.trusted?.timestampVersion == 1_000)

            // The attacker's server goes away; the registry publishes on, below version 1000.
            try genuine.write(to: timestampFile)
            try registry.publish(version: "1.1.0")
            try await Self.expectRefusal(.versionRollback, agent: agent, client: client, sync: sync, badge: "FORWARD-1")

            // Operations rotate the timestamp and snapshot keys: the agent drops what the old key signed.
            let newKey = try TUFSigningKey.generate(.ecdsaP256)
            let next = try writer.state().root.replacing("timestamp", with: RoleAssignment([newKey.publicKey]))
                .replacing("snapshot", with: RoleAssignment([newKey.publicKey]))
                .nextVersion(expires: Date().addingTimeInterval(86_400 * 30))
            try writer.rotateRoot(to: next, signers: registry.rootKeys + [newKey, registry.targetsKey])
            try RegistryPublisher(repository: registry.repository, signers: [registry.targetsKey, newKey]).publishDirectory(
                try registry.bundle(version: "1.2.0"), as: "templates/standard", kind: .template, scope: .global, label: "1.2.0")
            #expect(try await sync.syncOnce() == .promoted(["templates/standard@1.2.0"]))
            #expect(sync.status.rootVersion == 2)
            #expect(sync.status.lastError == nil)
            let recovered = try #require(await sync.trusted?.timestampVersion)
            #expect(recovered < 1_000, "the inflated version is forgotten with the key that signed it")
            try await Self.expectPrints(client, "FORWARD-2", with: "1.2.0")
        }
    }

    @Test func aCompromisedRootKeyBelowThresholdCannotRotateTheRoot() async throws {
        let registry = try TestRegistry(rootKeys: 3, rootThreshold: 2)
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            // One of three root keys leaked. The attacker's root hands every role to keys of its
            // own and is signed by them too, so only the old root's threshold of two stands in the way.
            let attacker = try TUFSigningKey.generate(.ed25519)
            var forged = try registry.publisher.writer.state().root
            for role in ["root", "targets", "snapshot", "timestamp"] {
                forged = try forged.replacing(role, with: RoleAssignment([attacker.publicKey]))
            }
            forged = try forged.nextVersion(expires: Date().addingTimeInterval(86_400 * 30))
            let envelope = try TUF.SignedEnvelope(signing: forged.signedObject, with: [registry.rootKeys[0], attacker])
            try Data(envelope.fileContents()).write(to: registry.repository.appending(path: RepositoryLayout.root(version: 2)))
            try await Self.expectRefusal(.signatureThreshold, agent: agent, client: client, sync: sync, badge: "ROOT-1")
            #expect(sync.status.rootVersion == 1)
        }
    }

    // MARK: Delegated roles

    static let venueRole = "venue-berlin"

    /// The targets role delegates the units matching `units` to the venue's key.
    static func delegate(_ registry: TestRegistry, venue: TUFSigningKey, units: [String]) throws {
        try registry.publisher.writer.publish(signers: [registry.targetsKey, registry.timestampKey, venue]) {
            (publication: inout TUFPublication) throws(TUFError) in
            let role = try DelegatedRole(
                name: venueRole, keyids: [venue.keyid], terminating: true,
                paths: .patterns(units.flatMap { TargetCatalog.delegationPatterns(unitPattern: $0) }))
            publication.setDelegations(try Delegations(keys: [venue.publicKey], roles: [role]))
        }
    }

    /// The venue's publisher: its key signs the delegated role.
    static func venuePublisher(_ registry: TestRegistry, venue: TUFSigningKey) -> RegistryPublisher {
        RegistryPublisher(repository: registry.repository, signers: [venue, registry.timestampKey], role: venueRole)
    }

    /// The writer refuses to sign a unit outside a role's paths, so the venue lists it while still
    /// delegated `templates/*` (no agent syncs meanwhile), and the targets role then narrows the
    /// delegation to `berlin-*`:
    /// the venue's signed metadata names a unit its role is no longer trusted for, as a venue
    /// key in an attacker's hands would sign it.
    @Test func aVenueRoleSigningAUnitOutsideItsPathsIsNotBelievedAndTheActiveSetStays() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let venue = try TUFSigningKey.generate(.ed25519)
            let venuePublisher = Self.venuePublisher(registry, venue: venue)
            try Self.delegate(registry, venue: venue, units: ["templates/*"])
            try venuePublisher.publishDirectory(
                try registry.bundle(version: "berlin-1"), as: "templates/berlin-badge", kind: .template, scope: .global, label: "berlin-1")
            // An event-scoped template: the agent's event tier would take it if the venue were trusted for it.
            try venuePublisher.publishDirectory(
                try registry.bundle(version: "6.6.6-venue"), as: "templates/event-badge", kind: .template,
                scope: .event(agent.core.event.slug), label: "6.6.6-venue")
            try Self.delegate(registry, venue: venue, units: ["templates/berlin-*"])
            let before = try #require(agent.core.templates?.current)

            #expect(try await sync.syncOnce() == .unchanged, "not an error: the target is simply not the venue's to give")
            #expect(sync.status.lastError == nil)
            let targets = await sync.trusted?.targets
            #expect(targets?["templates/berlin-badge"]?.current.label == "berlin-1", "the venue is believed for its own units")
            #expect(targets?["templates/event-badge"] == nil, "a delegated role signing outside its paths is not believed")
            #expect(agent.core.templates?.current == before)
            #expect(agent.core.templates?.current.event == nil)
            try await Self.expectPrints(client, "VENUE-1", with: "1.0.0")

            // Only the delegation decides: delegated the unit again, the same signed release is taken.
            try Self.delegate(registry, venue: venue, units: ["templates/*"])
            #expect(try await sync.syncOnce() == .promoted(["templates/event-badge@6.6.6-venue", "templates/standard@1.0.0"]))
        }
    }

    /// Extraneous dependencies: the venue's role, trusted for `templates/berlin-*`, lists beside
    /// its own release a printer profile unit and an extra file inside the release of the
    /// standard template that the targets role signed (listed, as above, while the role was
    /// delegated more). Neither is believed: the standard release stays exactly the files the
    /// targets role listed, and no profile unit appears.
    @Test func extraneousDependenciesAReleaseNamingUnitsAndFilesItsRoleIsNotTrustedForIsNotTaken() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await Self.withTrustingAgent(registry) { agent, client, sync in
            let venue = try TUFSigningKey.generate(.ed25519)
            let venuePublisher = Self.venuePublisher(registry, venue: venue)
            let standard = try #require(try registry.publisher.currentTargets()["templates/standard"]?.current)
            let templateName = TargetCatalog.targetName(unit: "templates/standard", release: standard, path: TemplateBundle.templateFile)
            let version = try #require(try registry.publisher.writer.state().snapshot?.meta["targets.json"]?.version)
            let custom = try registry.publisher.writer.readTargets(role: "targets", version: version).targets.targets[templateName]?.custom
            let extraName = TargetCatalog.targetName(unit: "templates/standard", release: standard, path: "fonts/Extra.ttf")

            try Self.delegate(registry, venue: venue, units: ["templates/*", "profiles/*"])
            try venuePublisher.publishDirectory(
                try registry.bundle(version: "berlin-1"), as: "templates/berlin-badge", kind: .template, scope: .global, label: "berlin-1")
            let profiles = registry.base.appending(path: "profiles")
            try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
            try Data("name: zebra-gx430t\n".utf8).write(to: profiles.appending(path: "zebra-gx430t.yaml"))
            try venuePublisher.publishDirectory(profiles, as: "profiles/zebra", kind: .profiles, scope: nil, label: "venue-profiles")
            try registry.publisher.writer.publish(signers: [venue, registry.timestampKey]) {
                (publication: inout TUFPublication) throws(TUFError) in
                try publication.setTarget(extraName, contents: Array(repeating: 0xA5, count: 3_000), custom: custom, role: Self.venueRole)
            }
            try Self.delegate(registry, venue: venue, units: ["templates/berlin-*"])
            let before = try #require(agent.core.templates?.current)

            #expect(try await sync.syncOnce() == .unchanged)
            #expect(sync.status.lastError == nil)
            let targets = await sync.trusted?.targets
            #expect(targets?["templates/berlin-badge"]?.current.label == "berlin-1")
            #expect(targets?["profiles/zebra"] == nil, "a unit the venue is not trusted for is not taken")
            #expect(targets?["templates/standard"]?.current == standard, "the release is the files the targets role signed, no more")
            #expect(agent.core.templates?.current == before)
            try await Self.expectPrints(client, "EXTRA-1", with: "1.0.0")
        }
    }
}
