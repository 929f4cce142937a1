public import Attendees
import Badges
public import Foundation
public import LanyardSupport
public import Logging
public import ServiceLifecycle
public import Store
public import Sync
import Synchronization

/// What one sync step did.
public enum SyncStep: Sendable, Equatable {
    /// The metadata is unchanged or the plan matches what runs.
    case unchanged
    /// A new template set was promoted: the labels of the releases it brought.
    case promoted([String])
    /// Releases refused before promotion (a download or a dry run failed); the rest of the set,
    /// if any, was promoted.
    case refused([String])
}

/// The kiosk's side of the registry: refreshes the trusted metadata (root chain, timestamp,
/// targets; docs/registry-protocol.md), fetches the releases this kiosk should run into the
/// content-addressed cache, dry-runs them, and promotes the new template set atomically. Between
/// refreshes it waits on the registry's change notification when there is a server to ask, or
/// polls; when the registry is down it backs off. Nothing it does can stop printing: the active
/// set changes only to a set that passed its dry run, and a failed refresh leaves it as it is.
public actor SyncService: Service {
    public struct Status: Sendable {
        public var freshness: Freshness?
        public var lastFreshRefresh: Date?
        public var lastAttempt: Date?
        public var lastError: SyncError?
        public var rootVersion: Int
        public var targetsVersion: Int?
        public var consecutiveFailures: Int
        /// The registry change cursor the event's attendee list is at (nil before a snapshot).
        public var attendeeCursor: Int64?
        /// Why the last attempt to follow the attendee change log failed, if it did.
        public var attendeeChangesError: SyncError?
    }

    let settings: RegistrySettings
    public nonisolated let agentID: String
    let syncDirectory: URL
    let localTemplates: TemplateSet
    let localTiers: AgentConfiguration.Templates
    let active: ActiveTemplates
    let rolledBack: RolledBackReleases
    let watch: PromotionWatch
    let event: EventConfiguration
    let dpi: Int
    let store: LanyardStore
    let source: any RepositorySource
    let notifier: (any RegistryNotifier)?
    /// The registry server's attendee change log, when there is a server.
    nonisolated let attendeeChanges: (any AttendeeChangeSource)?
    let logger: Logger
    let now: @Sendable () -> Date

    /// The TUF metadata the kiosk trusts; nil while a kiosk provisioned under the registry's
    /// first format has not yet followed its root chain to the TUF root that succeeds it.
    private(set) var trusted: TrustedRepository? {
        didSet { publishStatus() }
    }
    /// The root of the first format the succession starts from, while it is pending.
    private let legacyRoot: Data?
    private let trustedDirectory: URL
    private let policy: FreshnessPolicy
    private let cache: BlobCache
    private var lastAttempt: Date? {
        didSet { publishStatus() }
    }
    private var lastError: SyncError? {
        didSet { publishStatus() }
    }
    private var consecutiveFailures = 0 {
        didSet { publishStatus() }
    }
    /// What `status` is made of, as of the last change: the HTTP API and metrics read it without
    /// waiting for the actor, which may be verifying metadata or applying an attendee snapshot.
    private let published: Mutex<PublishedStatus>
    /// Sends the outbox and the signed report to the registry server, when there is one.
    let uploader: RegistryUploader?
    /// The printers' state and queue depth for the report, given once the workers exist.
    private var printerReport: (@Sendable () async -> (printers: [AgentReport.Printer], queueDepth: Int))?
    private var lastUploadError: SyncError?
    var attendeeChangesError: SyncError? {
        didSet { publishStatus() }
    }
    /// Set when the registry refused the kiosk's cursor: the list needs a new snapshot, so the
    /// notification waits for one instead of for attendee changes.
    var attendeeCursorRefused = false

    public init(
        settings: RegistrySettings, agentID: String, dataDirectory: URL, localTemplates: TemplateSet,
        localTiers: AgentConfiguration.Templates, active: ActiveTemplates, event: EventConfiguration, dpi: Int,
        store: LanyardStore, source: any RepositorySource, notifier: (any RegistryNotifier)?,
        attendeeChanges: (any AttendeeChangeSource)? = nil, uploader: RegistryUploader? = nil, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(AgentError) {
        guard let rootPath = settings.root, let provisioned = FileManager.default.contents(atPath: rootPath) else {
            throw AgentError(
                .configurationInvalid, "cannot read the provisioned root metadata", detail: "registry.root: \(settings.root ?? "-")")
        }
        self.settings = settings
        self.agentID = agentID
        self.syncDirectory = dataDirectory.appending(path: "sync", directoryHint: .isDirectory)
        self.localTemplates = localTemplates
        self.localTiers = localTiers
        self.active = active
        self.event = event
        self.dpi = dpi
        self.store = store
        self.source = source
        self.notifier = notifier
        self.attendeeChanges = attendeeChanges
        self.uploader = uploader
        self.logger = logger
        self.now = now
        trustedDirectory = syncDirectory.appending(path: "tuf", directoryHint: .isDirectory)
        cache = BlobCache(directory: syncDirectory.appending(path: "cache"))
        let rolledBack = RolledBackReleases(file: syncDirectory.appending(path: "rolled-back.json"))
        self.rolledBack = rolledBack
        let policy = FreshnessPolicy(gracePeriod: settings.graceHours * 3600)
        self.policy = policy
        let stored = TrustedRepository.storedRoot(in: trustedDirectory)
        if LegacySuccession.isLegacyRoot(provisioned), stored == nil {
            // The first format's root the kiosk last verified, or the one it was provisioned with.
            let legacyStored = FileManager.default.contents(atPath: syncDirectory.appending(path: "trusted/root.json").path)
            legacyRoot = legacyStored.flatMap { LegacySuccession.isLegacyRoot($0) ? $0 : nil } ?? provisioned
            trusted = nil
        } else {
            legacyRoot = nil
            do {
                trusted = try TrustedRepository(
                    directory: trustedDirectory, provisionedRoot: stored ?? provisioned, source: source, policy: policy)
            } catch {
                throw AgentError(
                    .configurationInvalid, "the provisioned root metadata is not valid: \(error.message)", detail: "registry.root")
            }
        }
        published = Mutex(PublishedStatus(trusted: trusted))
        let activeTemplates = active
        watch = PromotionWatch(failureRatio: settings.rollbackFailureRatio, window: settings.rollbackWindowSeconds) {
            digests, failures, attempts in
            Self.rollBack(
                active: activeTemplates, rolledBack: rolledBack, digests: digests, failures: failures, attempts: attempts,
                store: store, logger: logger)
        }
    }

    /// The hook the printer workers' composers call after every tier attempt.
    public nonisolated func recordRenderAttempt(_ source: TemplateSource, rendered: Bool) {
        watch.record(source, rendered: rendered)
    }

    /// The sync's state as of its last change; never waits for the sync to finish a step.
    public nonisolated var status: Status {
        let state = published.withLock { $0 }
        let trusted = state.trusted
        return Status(
            freshness: trusted?.freshness(now: now()), lastFreshRefresh: trusted?.lastFreshRefresh,
            lastAttempt: state.lastAttempt, lastError: state.lastError, rootVersion: trusted.map { Int($0.rootVersion) } ?? 0,
            targetsVersion: trusted?.snapshotVersion.map { Int($0) }, consecutiveFailures: state.consecutiveFailures,
            attendeeCursor: try? store.attendeeCursor(event: event.slug), attendeeChangesError: state.attendeeChangesError)
    }

    public nonisolated var rollbacks: [RolledBackReleases.Entry] { rolledBack.all }

    private struct PublishedStatus: Sendable {
        var trusted: TrustedRepository?
        var lastAttempt: Date?
        var lastError: SyncError?
        var consecutiveFailures = 0
        var attendeeChangesError: SyncError?
    }

    private func publishStatus() {
        let state = PublishedStatus(
            trusted: trusted, lastAttempt: lastAttempt, lastError: lastError,
            consecutiveFailures: consecutiveFailures, attendeeChangesError: attendeeChangesError)
        published.withLock { $0 = state }
    }

    // MARK: One step

    /// Refreshes the metadata and, when it calls for another template set, promotes it.
    @discardableResult
    public func syncOnce() async throws(SyncError) -> SyncStep {
        let at = now()
        lastAttempt = at
        do {
            var working = try await trustedRepository()
            let refreshed: Result<RefreshReport, SyncError>
            do { refreshed = .success(try await working.refresh(now: at)) } catch { refreshed = .failure(error) }
            // Kept even when refused: a refusal leaves the catalog as it was, and a newer root
            // the refresh verified before the refusal stays trusted (and shown), as on disk.
            trusted = working
            let report = try refreshed.get()
            if report.targetsChanged {
                logger.notice(
                    "registry metadata updated",
                    metadata: [
                        "snapshot_version": "\(report.snapshotVersion ?? 0)", "roots_followed": "\(report.rootsFollowed)",
                    ])
            }
            try await reconcileAttendees()
            let step = try await reconcileTemplates()
            await followAttendeeChanges()
            lastError = nil
            consecutiveFailures = 0
            return step
        } catch {
            lastError = error
            consecutiveFailures += 1
            logger.warning(
                "registry sync failed",
                metadata: [
                    "code": "\(error.code.rawValue)", "error": "\(error.message)",
                    "subject": "\(error.subject ?? "-")",
                ])
            throw error
        }
    }

    /// Brings the active set in line with the trusted targets: fetch, materialise, dry-run,
    /// promote. A release that fails is refused (and remembered), the plan is made again
    /// without it, and what remains is promoted.
    func reconcileTemplates() async throws(SyncError) -> SyncStep {
        guard let targets = trusted?.targets else { return .unchanged }
        var refused: [String] = []
        for _ in 0..<8 {
            let plan = TemplatePlan.make(
                targets: targets, eventSlug: event.slug, agentID: agentID, local: localTiers,
                pins: settings.pins, excluded: rolledBack.digests)
            let desired = plan.apply(to: localTemplates, directory: releaseDirectory)
            if desired == active.current { return refused.isEmpty ? .unchanged : .refused(refused) }
            var failed: RolledBackReleases.Entry?
            for choice in plan.choices {
                // A download that failed verification or was cut is retried at the next step.
                try await materialize(choice.release, of: choice.target)
                let source = TemplateSource(
                    name: String(choice.target.dropFirst("templates/".count)), directory: releaseDirectory(choice.release),
                    label: choice.release.label, digest: choice.release.digest, origin: .registry)
                if active.current.all.contains(where: { $0.source.digest == choice.release.digest }) { continue }
                do {
                    try await TemplateDryRun.checkOffPool(source, event: event, dpi: dpi, logger: logger)
                } catch {
                    failed = .init(
                        digest: choice.release.digest, target: choice.target, label: choice.release.label,
                        reason: "dry run: \(error.reason)", at: now())
                    break
                }
            }
            if let failed {
                refused.append(failed.label)
                rolledBack.add([failed])
                logger.error(
                    "release refused by its dry run",
                    metadata: [
                        "target": "\(failed.target)", "label": "\(failed.label)",
                        "reason": "\(failed.reason)",
                    ])
                _ = try? store.audit(
                    action: "template.refused", actor: "agent", subject: failed.target,
                    details: ["digest": failed.digest, "label": failed.label, "reason": failed.reason], now: now())
                continue
            }
            let promotedAt = now()
            active.activate(desired, now: promotedAt)
            TemplateAudit.record(desired, store: store, actor: "registry", reason: "promotion", logger: logger, now: promotedAt)
            let fresh = Set(desired.all.compactMap(\.source.digest))
            watch.watch(fresh, since: promotedAt)
            let labels = plan.choices.map { "\($0.target)@\($0.release.label)" }
            logger.notice("template set promoted", metadata: ["releases": "\(labels.joined(separator: ", "))"])
            return .promoted(labels)
        }
        return .refused(refused)
    }

    /// The trusted repository, reached first through the succession from the first format's
    /// root when the kiosk was provisioned under it (docs/registry-protocol.md).
    private func trustedRepository() async throws(SyncError) -> TrustedRepository {
        if let trusted { return trusted }
        guard let legacyRoot else { throw SyncError(.metadataInvalid, "no root to start from", subject: "root") }
        let tufRoot = try await LegacySuccession.follow(from: legacyRoot, source: source)
        let repository = try TrustedRepository(directory: trustedDirectory, provisionedRoot: tufRoot, source: source, policy: policy)
        logger.notice(
            "registry moved to TUF: the first format's last root names the TUF root, now trusted",
            metadata: ["root_version": "\(repository.rootVersion)"])
        return repository
    }

    nonisolated func releaseDirectory(_ release: TargetRelease) -> URL {
        syncDirectory.appending(path: "releases/\(release.digest)", directoryHint: .isDirectory)
    }

    /// Fetches a release's files into the cache and lays them out as a bundle directory, once:
    /// the directory is built aside and renamed into place, so it is complete or absent.
    func materialize(_ release: TargetRelease, of unit: String) async throws(SyncError) {
        let directory = releaseDirectory(release)
        if FileManager.default.fileExists(atPath: directory.path) { return }
        guard let trusted else { throw SyncError(.metadataInvalid, "no TUF metadata is trusted yet", subject: unit) }
        for (path, file) in release.files.sorted(by: { $0.value.sha256 < $1.value.sha256 }) {
            let name = TargetCatalog.targetName(unit: unit, release: release, path: path)
            try await cache.fetch(file, path: trusted.location(of: name, file: file), from: source)
        }
        let staging = syncDirectory.appending(path: "releases/.staging-\(release.digest)-\(UUID().uuidString)", directoryHint: .isDirectory)
        try cache.materialize(release, into: staging)
        do {
            try FileManager.default.moveItem(at: staging, to: directory)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            if !FileManager.default.fileExists(atPath: directory.path) {
                throw SyncError(.io, "cannot move the release into place", subject: directory.path, underlying: error)
            }
        }
    }

    // MARK: Rollback

    /// Goes back to the last stable set after the promoted releases failed too often.
    static func rollBack(
        active: ActiveTemplates, rolledBack: RolledBackReleases, digests: Set<String>, failures: Int, attempts: Int,
        store: LanyardStore, logger: Logger
    ) {
        guard let failed = active.rollBack() else {
            logger.error("promoted releases fail but there is no stable set to go back to", metadata: ["failures": "\(failures)"])
            return
        }
        let at = Date()
        let reason = "\(failures) of \(attempts) renders failed after promotion"
        let entries = failed.all.compactMap { tier, source -> RolledBackReleases.Entry? in
            guard let digest = source.digest, digests.contains(digest) else { return nil }
            return RolledBackReleases.Entry(digest: digest, target: "templates/\(source.name)", label: source.label, reason: reason, at: at)
        }
        rolledBack.add(entries)
        TemplateAudit.record(active.current, store: store, actor: "agent", reason: "automatic rollback: \(reason)", logger: logger, now: at)
        for entry in entries {
            _ = try? store.audit(
                action: "template.rolled_back", actor: "agent", subject: entry.target,
                details: ["digest": entry.digest, "label": entry.label, "reason": reason], now: at)
        }
        logger.error("template set rolled back", metadata: ["releases": "\(entries.map(\.label))", "reason": "\(reason)"])
    }

    // MARK: Upstream

    public func setPrinterReport(_ report: @escaping @Sendable () async -> (printers: [AgentReport.Printer], queueDepth: Int)) {
        printerReport = report
    }

    /// Sends the outbox (check-ins, print results) and the signed report. A failure is logged
    /// and retried at the next step; nothing is lost, the outbox keeps what was not taken.
    public func sendUpstream() async {
        guard let uploader else { return }
        do {
            try await uploader.uploadOutbox(store: store, now: now())
            try await uploader.sendReport(await report(publicKey: uploader.key.publicEntry.publicKey))
            lastUploadError = nil
        } catch {
            if lastUploadError?.code != error.code {
                logger.warning("upload to the registry failed", metadata: ["code": "\(error.code.rawValue)", "error": "\(error.message)"])
            }
            lastUploadError = error
        }
    }

    func report(publicKey: String) async -> AgentReport {
        let current = active.current
        var templates = current.all.compactMap { _, source -> AgentReport.Template? in
            guard let digest = source.digest else { return nil }
            return .init(name: "templates/\(source.name)", label: source.label, digest: digest, state: .active)
        }
        let entries = rolledBack.all
        templates += entries.map { .init(name: $0.target, label: $0.label, digest: $0.digest, state: .rolledBack) }
        let rollbacks = entries.map { entry in
            AgentReport.Rollback(name: entry.target, from: entry.label, to: "last stable", reason: entry.reason, at: entry.at)
        }
        let printers = await printerReport?() ?? (printers: [], queueDepth: 0)
        let freshness: AgentReport.Freshness =
            switch trusted?.freshness(now: now()) {
            case .fresh: .fresh
            case .expired: .expired
            case .stale, nil: .stale
            }
        return AgentReport(
            agentID: agentID, sentAt: now(), publicKey: publicKey, targetsVersion: trusted?.snapshotVersion.map { Int($0) },
            freshness: freshness, templates: templates, printers: printers.printers, queueDepth: printers.queueDepth,
            rollbacks: rollbacks)
    }

    // MARK: The loop

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.loop() }
                group.addTask { await self.upstreamLoop() }
            }
        }
    }

    /// The outbox and the report go up on their own cadence, so check-ins reach the registry
    /// within seconds even while the sync loop waits for a notification.
    func upstreamLoop() async {
        guard uploader != nil else { return }
        while !Task.isCancelled {
            await sendUpstream()
            try? await Task.sleep(for: .seconds(settings.uploadSeconds))
        }
    }

    func loop() async {
        while !Task.isCancelled {
            do {
                try await syncOnce()
            } catch {
                let delay = Self.backoff(failures: consecutiveFailures, cap: max(settings.pollSeconds, 300))
                try? await Task.sleep(for: .seconds(delay))
                continue
            }
            await waitForChange()
        }
    }

    /// The notification when a server can give it, else the poll interval.
    func waitForChange() async {
        let poll = Duration.seconds(settings.pollSeconds)
        guard let notifier else {
            try? await Task.sleep(for: poll)
            return
        }
        do {
            var attendees: (event: String, cursor: Int64)?
            if attendeeChanges != nil, !attendeeCursorRefused, let cursor = try? store.attendeeCursor(event: event.slug) {
                attendees = (event.slug, cursor)
            }
            try await notifier.waitForChange(
                after: Int(trusted?.timestampVersion ?? 0), attendees: attendees, timeout: min(poll, .seconds(55)))
        } catch {
            logger.debug("registry notification unavailable; polling", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: poll)
        }
    }

    /// Exponential from one second, capped, with full jitter so a fleet that lost the registry
    /// together does not come back in step.
    static func backoff(failures: Int, cap: Double) -> Double {
        let ceiling = min(cap, pow(2, Double(min(failures, 20))))
        return Double.random(in: 0...ceiling)
    }
}
