import Attendees
import Badges
import Foundation
import HTTPTypes
import HummingbirdTesting
import LanyardSupport
import Logging
import NIOCore
import Store
import Sync
import Synchronization
import TUF
import Testing

@testable import Agent

/// A registry repository on disk with one key per role, and bundles derived from the shipped
/// `standard` template: what the agent's sync is tested against.
struct TestRegistry {
    let base: URL
    let repository: URL
    let publisher: RegistryPublisher
    /// The timestamp role's key, which a registry server signs attendee change pages with.
    let timestampKey: TUFSigningKey
    /// The root role's keys (a threshold of them signs every new root) and the targets role's key.
    let rootKeys: [TUFSigningKey]
    let targetsKey: TUFSigningKey

    /// One root key unless told otherwise: `rootKeys` keys, `rootThreshold` of which sign a root.
    init(rootKeys count: Int = 1, rootThreshold: Int64 = 1) throws {
        base = FileManager.default.temporaryDirectory.appending(path: "lanyard-registry-\(UUID().uuidString)")
        repository = base.appending(path: "repository")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let roots = try (0..<count).map { _ in try TUFSigningKey.generate(.ed25519) }
        let targets = try TUFSigningKey.generate(.ed25519)
        let timestamp = try TUFSigningKey.generate(.ecdsaP256)
        let metadata = try Root(
            expires: Date().addingTimeInterval(86_400 * 30),
            roles: [
                "root": RoleAssignment(roots.map(\.publicKey), threshold: rootThreshold),
                "targets": RoleAssignment([targets.publicKey]),
                "snapshot": RoleAssignment([timestamp.publicKey]), "timestamp": RoleAssignment([timestamp.publicKey]),
            ])
        try RegistryPublisher.writer(repository).initialize(root: metadata, signers: roots + [targets, timestamp])
        publisher = RegistryPublisher(repository: repository, signers: [targets, timestamp])
        timestampKey = timestamp
        rootKeys = roots
        targetsKey = targets
    }

    func settings() -> RegistrySettings {
        var settings = RegistrySettings()
        settings.url = "file:\(repository.path)"
        settings.root = repository.appending(path: RepositoryLayout.root(version: 1)).path
        return settings
    }

    /// A copy of the shipped standard bundle with its version set and `edit` applied to its
    /// template text, with a fresh manifest.
    func bundle(version: String, edit: (String) -> String = { $0 }) throws -> URL {
        let directory = base.appending(path: "bundles/\(version)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: AgentHarness.repositoryRoot.appending(path: "Templates/standard"), to: directory)
        let file = directory.appending(path: TemplateBundle.templateFile)
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "version: 1.0.0", with: "version: \(version)")
        try Data(edit(text).utf8).write(to: file)
        try BundleManifest.write(directory: directory)
        return directory
    }

    @discardableResult
    func publish(
        version: String, scope: TemplateScope = .global, name: String = "standard",
        edit: (String) -> String = { $0 }
    ) throws -> RegistryPublisher.Publication {
        try publisher.publishDirectory(
            try bundle(version: version, edit: edit), as: "templates/\(name)", kind: .template, scope: scope,
            label: version)
    }

    func remove() { try? FileManager.default.removeItem(at: base) }
}

/// The agent's side of the registry: promotion after a dry run, refusals that leave the active
/// set printing, and the automatic rollback after a promotion whose renders fail.
@Suite struct RegistrySyncTests {
    /// An extra QR code of the attendee's source id in a box small enough for short ids only:
    /// the synthetic attendees of the dry run pass, a registration with a long id does not.
    static func addSourceIDCode(_ text: String) -> String {
        text.replacingOccurrences(
            of: "elements:\n",
            with: """
                elements:
                  - id: source-code
                    type: qr
                    payload: "{source_id}"
                    box: [44, 50, 20, 20]
                    error_correction: L
                    min_module_mm: 0.5

                """)
    }

    @Test func aPublishedReleaseIsPromotedAndBadgesPrintWithIt() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try registry.publish(version: "2.0.0")
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            let sync = try #require(agent.core.sync)
            let step = try await sync.syncOnce()
            #expect(step == .promoted(["templates/standard@2.0.0"]))
            let fallback = try #require(agent.core.templates?.current.fallback)
            #expect(fallback.origin == .registry)
            #expect(fallback.label == "2.0.0")
            let id = try await submitBadge(client, "SYNC-1")
            #expect(try await finalState(client, job: id) == "printed")
            #expect(try await job(client, id)["template_version"] as? String == "standard@2.0.0")
            let release = try #require(fallback.digest)
            #expect(try await job(client, id)["template_release"] as? String == release, "the job names the release that rendered it")
            #expect(try await sync.syncOnce() == .unchanged, "nothing new: nothing changes")
            let audit = try agent.core.store.latestAuditEntry(action: "template.activated", subject: "template:standard")
            #expect(audit?.details["origin"] == "registry")
            #expect(audit?.details["label"] == "2.0.0")
        }
    }

    @Test func aReleaseThatFailsItsDryRunIsRefusedAndTheActiveSetKeepsPrinting() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        // A check-in code squeezed into 5 mm: no attendee's code fits.
        try registry.publish(version: "9.9.9-broken") {
            $0.replacingOccurrences(of: "box: [68, 13, 31, 44]", with: "box: [68, 13, 5, 5]")
        }
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            let sync = try #require(agent.core.sync)
            let before = try #require(agent.core.templates?.current)
            #expect(try await sync.syncOnce() == .refused(["9.9.9-broken"]))
            #expect(agent.core.templates?.current == before, "the local set stays active")
            let id = try await submitBadge(client, "SYNC-2")
            #expect(try await finalState(client, job: id) == "printed")
            #expect(try agent.core.store.latestAuditEntry(action: "template.refused", subject: "templates/standard") != nil)
            #expect(sync.rollbacks.map(\.label) == ["9.9.9-broken"])
        }
    }

    @Test func aTamperedFileIsRefusedAndNothingChanges() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        let published = try registry.publish(version: "2.0.0")
        let release = try #require(published.target?.current)
        let file = try #require(release.files[TemplateBundle.templateFile])
        let blob = registry.repository.appending(
            path: RepositoryLayout.target(
                TargetCatalog.targetName(unit: "templates/standard", release: release, path: TemplateBundle.templateFile),
                sha256: file.sha256))
        var bytes = try Data(contentsOf: blob)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: blob)
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            let sync = try #require(agent.core.sync)
            let before = try #require(agent.core.templates?.current)
            let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
            #expect(error?.code == .hashMismatch)
            #expect(agent.core.templates?.current == before)
            #expect(sync.status.lastError?.code == .hashMismatch)
            let id = try await submitBadge(client, "SYNC-3")
            #expect(try await finalState(client, job: id) == "printed")
        }
    }

    @Test func failingRendersAfterAPromotionRollBackOnTheirOwn() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            try registry.publish(version: "3.0.0", scope: .event(agent.core.event.slug), name: "event-badge", edit: Self.addSourceIDCode)
            let sync = try #require(agent.core.sync)
            let step = try await sync.syncOnce()
            let refusals = sync.rollbacks.map(\.reason)
            #expect(step == .promoted(["templates/event-badge@3.0.0"]), "the dry run passes: synthetic ids are short; \(refusals)")
            #expect(agent.core.templates?.current.event?.label == "3.0.0")

            let short = try await submitBadge(client, "S-1")
            #expect(try await finalState(client, job: short) == "printed")
            #expect(try await job(client, short)["template_tier"] as? String == "event")

            // A real registration with a long id: the event template cannot make its code.
            let long = try await submitBadge(client, "LONG-" + String(repeating: "X", count: 150))
            #expect(try await finalState(client, job: long) == "printed", "the next tier prints it: no badge is lost")
            #expect(try await job(client, long)["template_tier"] as? String == "fallback")

            let rolledBack = try await eventually { agent.core.templates?.current.event == nil ? true : nil }
            #expect(rolledBack == true, "1 failure in 2 renders is above 0.5 %: back to the last stable set")
            #expect(sync.rollbacks.first?.label == "3.0.0")
            #expect(try agent.core.store.latestAuditEntry(action: "template.rolled_back", subject: "templates/event-badge") != nil)
            #expect(try await sync.syncOnce() == .unchanged, "a release rolled back from is not promoted again")
        }
    }

    @Test func aStagedReleaseReachesOnlyItsShare() throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try registry.publish(version: "1.0.0")
        let staged = try registry.publisher.publishDirectory(
            try registry.bundle(version: "2.0.0-rc"), as: "templates/standard",
            kind: .template, scope: .global, label: "2.0.0-rc", share: 0.3)
        let targets = try registry.publisher.currentTargets()
        let agents = (0..<200).map { "kiosk-\($0)" }
        let labels = agents.map {
            TemplatePlan.make(targets: targets, eventSlug: "devcon-2026", agentID: $0, local: AgentConfiguration.Templates()).fallback?
                .release.label
        }
        let onCandidate = labels.filter { $0 == "2.0.0-rc" }.count
        #expect((35...85).contains(onCandidate), "about 30 % of 200 kiosks: \(onCandidate)")
        #expect(labels.allSatisfy { $0 == "2.0.0-rc" || $0 == "1.0.0" })
        let pinned = TemplatePlan.make(
            targets: targets, eventSlug: "devcon-2026", agentID: "kiosk-1", local: AgentConfiguration.Templates(),
            pins: ["templates/standard": "1.0.0"])
        #expect(pinned.fallback?.release.label == "1.0.0", "a pin holds the event on its release")
        #expect(staged.target?.staged?.share == 0.3)
    }

    @Test func withTheRegistryDownCheckInAndPrintingKeepWorking() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        var settings = registry.settings()
        settings.url = "http://127.0.0.1:1/repository/"
        try await withAgent(AgentOptions(registry: settings)) { agent, client in
            let sync = try #require(agent.core.sync)
            for _ in 0..<3 {
                let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
                #expect(error?.code == .transport)
            }
            #expect(sync.status.consecutiveFailures == 3)
            let status = try await get(client, "/v1/sync")
            #expect(status["freshness"] as? String == "unknown")
            #expect((status["last_error"] as? [String: Any])?["code"] as? String == "sync.transport")
            #expect((status["templates"] as? [[String: Any]])?.first?["origin"] as? String == "local")

            let attendee = try #require(try agent.core.store.searchAttendees("Thomas Carter", limit: 1).first?.attendee)
            let payload = CheckIn.payload(for: attendee, secret: agent.core.event.checkInSecret)
            let scan = try await post(client, "/v1/checkins", #"{"payload": "\#(payload)"}"#)
            #expect(scan.status == .accepted, "\(json(scan))")
            let id = try #require(json(scan)["id"] as? Int)
            #expect(try await finalState(client, job: id) == "printed")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("lanyard_registry_consecutive_failures 3"))
            #expect(metrics.contains(#"lanyard_registry_freshness{state="unknown"} 1"#))
        }
    }

    @Test func theSyncStatusShowsWhatRunsAndHowFresh() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try registry.publish(version: "2.0.0")
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            try await #require(agent.core.sync).syncOnce()
            let status = try await get(client, "/v1/sync")
            #expect(status["enabled"] as? Bool == true)
            #expect(status["freshness"] as? String == "fresh")
            #expect(status["targets_version"] as? Int == 2, "the snapshot version: init publishes 1, the release 2")
            #expect(status["agent_id"] as? String == "kiosk-1")
            let fallback = (status["templates"] as? [[String: Any]])?.first { $0["tier"] as? String == "fallback" }
            #expect(fallback?["label"] as? String == "2.0.0")
            #expect(fallback?["origin"] as? String == "registry")
            #expect((status["last_stable"] as? [[String: Any]])?.first?["origin"] as? String == "local")
            #expect(try await get(client, "/v1/health")["registry"] as? String == "fresh")
        }
    }
}

/// Serves a repository directory but cuts the first transfer of any blob larger than `cutAt`
/// after `cutAt` bytes, as a dropped connection or a killed registry would.
final class CutOnceSource: RepositorySource {
    let inner: DirectoryRepositorySource
    let cutAt: Int
    private let cut = Mutex(false)

    init(inner: DirectoryRepositorySource, cutAt: Int) {
        self.inner = inner
        self.cutAt = cutAt
    }

    var hasCut: Bool { cut.withLock { $0 } }

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        let cutting =
            path.hasPrefix("targets/") && limit > cutAt
            && cut.withLock { done in
                defer { done = true }
                return !done
            }
        guard cutting else { return try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch, onChunk: onChunk) }
        var sent = 0
        _ = try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch) { (chunk: Data) throws(SyncError) in
            let part = chunk.prefix(max(0, cutAt - sent))
            if !part.isEmpty { try onChunk(Data(part)) }
            sent += part.count
            if sent >= cutAt { throw SyncError(.transport, "connection reset", subject: path) }
        }
        return .complete(etag: nil)
    }
}

@Suite struct InterruptedDownloadTests {
    @Test func aDownloadCutMidwayActivatesNothingAndResumesAtTheNextStep() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        try registry.publish(version: "2.0.0")
        try await withAgent(AgentOptions()) { agent, client in
            let templates = try #require(agent.core.templates)
            let before = templates.current
            let source = CutOnceSource(
                inner: DirectoryRepositorySource(directory: registry.repository, chunkSize: 64 * 1024), cutAt: 100_000)
            let sync = try SyncService(
                settings: registry.settings(), agentID: "kiosk-1", dataDirectory: agent.directory, localTemplates: before,
                localTiers: AgentConfiguration.Templates(), active: templates, event: agent.core.event, dpi: 300,
                store: agent.core.store, source: source, notifier: nil, logger: Logger(label: "test"))
            let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
            #expect(error?.code == .transport)
            #expect(source.hasCut)
            #expect(templates.current == before, "nothing is activated from a partial download")
            let partials = try FileManager.default.contentsOfDirectory(atPath: agent.directory.appending(path: "sync/cache/partial").path)
            #expect(partials.count == 1, "the cut file is kept to resume")
            let releases =
                (try? FileManager.default.contentsOfDirectory(atPath: agent.directory.appending(path: "sync/releases").path)) ?? []
            #expect(releases.isEmpty, "no release directory is laid out from a partial download")

            #expect(try await sync.syncOnce() == .promoted(["templates/standard@2.0.0"]))
            #expect(templates.current.fallback.label == "2.0.0")
            let left = try FileManager.default.contentsOfDirectory(atPath: agent.directory.appending(path: "sync/cache/partial").path)
            #expect(left.isEmpty, "the resumed download completed")
            let id = try await submitBadge(client, "RESUME-1")
            #expect(try await finalState(client, job: id) == "printed")
        }
    }
}

@Suite struct AttendeeSnapshotSyncTests {
    @Test func theEventsSnapshotReplacesItsAttendeesOnceAndOnlyWhenAhead() async throws {
        let registry = try TestRegistry()
        defer { registry.remove() }
        let lines = [
            registration("SNAP-1", first: "Grace"), registration("SNAP-2", first: "Hedy"),
            #"{"source":"crm","source_id":"SNAP-BAD","event_slug":"devcon-2026","email":"not an email"}"#,
        ]
        let directory = registry.base.appending(path: "snapshot")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(lines.joined(separator: "\n").utf8).write(to: directory.appending(path: "attendees.jsonl"))
        try registry.publisher.publishDirectory(
            directory, as: "attendees/devcon-2026", kind: .attendeeSnapshot,
            scope: .event("devcon-2026"), label: "cursor 40", cursor: 40)
        try await withAgent(AgentOptions(registry: registry.settings())) { agent, client in
            #expect(try agent.core.store.searchAttendees("Thomas Carter", limit: 1).count == 1, "the sample attendees before")
            try await #require(agent.core.sync).syncOnce()
            #expect(try agent.core.store.attendeeCursor(event: "devcon-2026") == 40)
            #expect(try agent.core.store.searchAttendees("Grace", limit: 5).count == 1)
            #expect(try agent.core.store.searchAttendees("Hedy", limit: 5).count == 1)
            #expect(try agent.core.store.searchAttendees("Thomas Carter", limit: 1).isEmpty, "the snapshot is the whole list")
            let id = try await submitBadge(client, "SNAP-1")
            #expect(try await finalState(client, job: id) == "printed")

            // The same snapshot again changes nothing; a new one at a higher cursor applies.
            try await #require(agent.core.sync).syncOnce()
            try Data(registration("SNAP-3", first: "Katherine").utf8).write(to: directory.appending(path: "attendees.jsonl"))
            try registry.publisher.publishDirectory(
                directory, as: "attendees/devcon-2026", kind: .attendeeSnapshot,
                scope: .event("devcon-2026"), label: "cursor 41", cursor: 41)
            try await #require(agent.core.sync).syncOnce()
            #expect(try agent.core.store.attendeeCursor(event: "devcon-2026") == 41)
            #expect(try agent.core.store.searchAttendees("Katherine", limit: 5).count == 1)
            #expect(try agent.core.store.searchAttendees("Grace", limit: 5).isEmpty)
        }
    }
}
