import Attendees
import Badges
public import Foundation
public import LanyardSupport
public import Logging
public import Printers
import Prometheus
public import Store
import Sync

/// Where the agent finds what ships with it, and where its state goes unless configured.
public struct AgentResources: Sendable {
    public var layout: ResourceLayout
    /// The state directory when the configuration names none.
    public var defaultDataDirectory: URL
    /// How to start a render child, in which badges to print are rendered under `limits:`;
    /// nil: they are rendered in the agent's own process, with no time limit.
    public var renderChild: RenderChildLaunch?

    public init(home: URL, defaultDataDirectory: URL) {
        layout = ResourceLayout(home: home)
        self.defaultDataDirectory = defaultDataDirectory
    }

    public var templates: URL { layout.templates }
    public var profiles: URL { layout.profiles }
    public var sampleEvent: URL { layout.sampleEvent }
    public var sampleAttendees: URL { layout.sampleAttendees }
}

/// Everything a running agent is made of, put together from its configuration: the store
/// (reconciled after an unclean stop), the attendee cache, the printer and its worker.
public struct AgentRuntime: Sendable {
    public let core: AgentCore
    public let workers: [PrinterWorker]
    /// The in-process simulator when the (first) printer is `sim`.
    public let simulator: PrinterSimulator?
    /// Every printer's simulator, by printer id, for printers that are `sim`.
    public let simulators: [String: PrinterSimulator]
    public let dataDirectory: URL
    public let reconciled: [ReconciledJob]
    /// The registry sync, when the configuration names a registry.
    public let sync: SyncService?
    /// The template set the printer workers render with.
    public let templates: ActiveTemplates
    /// This agent's hold on its data directory, released when the runtime is gone.
    public let lock: DataDirectoryLock

    /// `metrics` records into the process's metrics system unless given another factory.
    /// `adaptClient` may put something between the worker and the printer it opens (a test's
    /// line that goes silent, say); by default the worker uses the printer's client as opened.
    public static func start(
        configuration: AgentConfiguration, resources: AgentResources, metrics: AgentMetrics = AgentMetrics(),
        adaptClient: (@Sendable (PrinterClient) -> PrinterClient)? = nil,
        logger: Logger
    ) async throws -> AgentRuntime {
        let data = configuration.dataDirectory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? resources.defaultDataDirectory
        // Before anything is read or written: a second agent on the directory stops here.
        let lock = try DataDirectoryLock(directory: data)
        let store = try LanyardStore(dataDirectory: data)
        // Badges at a peer or an office printer are resumed by their destination's worker, which
        // asks the destination what became of each.
        let reconciled = try store.reconcileInterruptedJobs(resumedBy: Set(configuration.destinations.map(\.id)), now: Date())
        for job in reconciled {
            logger.warning(
                "job reconciled after an unclean stop",
                metadata: ["job": "\(job.job.id)", "was": "\(job.from.rawValue)", "now": "\(job.job.state.rawValue)"])
        }
        let event = try EventConfiguration.load(file: configuration.event.map { URL(filePath: $0) } ?? resources.sampleEvent)
        let attendeesFile = configuration.attendees.map { URL(filePath: $0) } ?? resources.sampleAttendees
        var session = Intake(event: event).makeSession()
        let batch =
            attendeesFile.pathExtension.lowercased() == "csv"
            ? try session.acceptCSV(in: attendeesFile) : try session.acceptJSONLines(in: attendeesFile)
        let attendees = batch.outcomes.compactMap(\.attendee)
        try store.upsertAttendees(attendees)
        logger.info("attendee cache loaded", metadata: ["attendees": "\(attendees.count)", "file": "\(attendeesFile.lastPathComponent)"])

        // Each printer settled (a USB printer's profile matched, a network one identified) before
        // anything prints; the simple form keeps its simulator's labels where they always were.
        var printers: [(id: String, settings: AgentConfiguration.Printer, printer: ResolvedPrinter)] = []
        for settings in configuration.configuredPrinters {
            let output = configuration.printers.isEmpty ? data.appending(path: "sim") : data.appending(path: "sim/\(settings.id ?? "")")
            let printer = try await resolvePrinter(settings, profiles: resources.profiles, simulatorOutput: output, logger: logger)
            printers.append((settings.id ?? printer.key, settings, printer))
        }
        let first = printers[0].printer
        let templates = configuration.templates.directory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? resources.templates
        let localTemplates = TemplateSet.local(directory: templates, tiers: configuration.templates)
        let activeTemplates = ActiveTemplates(localTemplates)
        TemplateAudit.record(activeTemplates.current, store: store, actor: "system", logger: logger)
        let sync = try makeSync(
            configuration: configuration, dataDirectory: data, localTemplates: localTemplates, active: activeTemplates,
            event: event, dpi: first.profile.dpi, store: store, logger: logger)
        var onAttempt: (@Sendable (TemplateSource, Bool) -> Void)?
        if let sync {
            onAttempt = { source, rendered in sync.recordRenderAttempt(source, rendered: rendered) }
        }
        let queue = configuration.queue
        let printerStateChanged = WorkSignal()
        var workers: [PrinterWorker] = []
        var previews: [String: BadgePreview] = [:]
        var previewByKind: [String: BadgePreview] = [:]
        for (id, settings, printer) in printers {
            let composer = BadgeComposer(
                templates: activeTemplates, profile: printer.profile, language: printer.language, logger: logger,
                onAttempt: onAttempt, child: resources.renderChild.map { RenderChildClient(configuration.limits, $0, metrics, logger) })
            workers.append(
                PrinterWorker(
                    printerID: id, store: store, composer: composer, event: event,
                    retry: RetryPolicy(maxAttempts: queue.maxAttempts, baseDelay: .milliseconds(queue.retryBaseMilliseconds)),
                    breaker: CircuitBreaker(
                        failureThreshold: queue.breakerFailures, coolDown: .milliseconds(Int(queue.breakerCoolDownSeconds * 1000))),
                    pollInterval: .milliseconds(Int(max(0.05, settings.pollSeconds) * 1000)),
                    confirmTimeout: .milliseconds(Int(max(1, settings.confirmSeconds) * 1000)),
                    metrics: metrics, logger: logger,
                    open: adaptClient.map { adapt in { @Sendable in adapt(try await printer.open()) } } ?? printer.open,
                    stateChanged: printers.count > 1 ? printerStateChanged : nil))
            // One preview per kind of printer (profile and language): the badge is rendered for the
            // printer it goes to, and printers of one kind share its renderers.
            let kind = "\(printer.profile.id)/\(printer.language.rawValue)"
            let preview =
                previewByKind[kind]
                ?? BadgePreview(
                    templates: activeTemplates, profile: printer.profile, language: printer.language, event: event, logger: logger)
            previewByKind[kind] = preview
            previews[id] = preview
        }
        if let sync {
            await sync.setPrinterReport { [workers] in
                var reports: [AgentReport.Printer] = []
                var depth = 0
                for worker in workers {
                    let state = worker.state
                    reports.append(
                        .init(
                            id: state.printerID, activity: state.activity.rawValue, ready: state.status.isReady,
                            conditions: state.status.sortedConditions.map(\.rawValue)))
                    depth += (try? store.queueDepth(printerID: state.printerID)) ?? 0
                }
                return (reports, depth)
            }
        }
        let routing = PrinterRouting(
            routes: printers.map { id, settings, _ in
                PrinterRouting.Route(
                    printerID: id, tiers: Set(settings.tiers.compactMap(AccessTier.init(rawValue:))), tracks: Set(settings.tracks),
                    priorities: Set(settings.priorities.compactMap(JobPriority.init(rawValue:))))
            })
        let chain = DestinationChain(
            printers: Set(printers.map(\.id)), destinations: configuration.destinations, deadlineSeconds: queue.deadlineSeconds)
        let wake = PlaceWakers()
        for worker in workers { wake.add(worker.printerID) { worker.nudge() } }
        var destinations: [String: any JobDestination] = [:]
        for destination in configuration.destinations {
            let made = try makeDestination(
                destination, configuration: configuration, store: store, chain: chain, templates: activeTemplates, event: event,
                renderChild: resources.renderChild, metrics: metrics, wake: wake, logger: logger)
            destinations[destination.id] = made
            wake.add(destination.id) { made.nudge() }
        }
        let core = AgentCore(
            configuration: configuration, store: store, event: event,
            workers: Dictionary(uniqueKeysWithValues: workers.map { ($0.printerID, $0) }),
            defaultPrinter: printers[0].id, metrics: metrics, templates: activeTemplates, sync: sync,
            printsToSimulator: printers.contains { $0.printer.simulator != nil },
            preview: previews[printers[0].id], previews: previews, routing: routing, printerStateChanged: printerStateChanged,
            bench: TechnicianBench.load(resources: resources, event: event), destinations: destinations, chain: chain, logger: logger)
        var simulators: [String: PrinterSimulator] = [:]
        for (id, _, printer) in printers { simulators[id] = printer.simulator }
        return AgentRuntime(
            core: core, workers: workers, simulator: first.simulator, simulators: simulators, dataDirectory: data,
            reconciled: reconciled,
            sync: sync, templates: activeTemplates, lock: lock)
    }

    /// The worker of one destination off the box.
    static func makeDestination(
        _ destination: AgentConfiguration.Destination, configuration: AgentConfiguration, store: LanyardStore, chain: DestinationChain,
        templates: ActiveTemplates, event: EventConfiguration, renderChild: RenderChildLaunch?, metrics: AgentMetrics, wake: PlaceWakers,
        logger: Logger
    ) throws -> any JobDestination {
        func place(_ destination: AgentConfiguration.Destination, kind: String) -> DestinationPlace {
            DestinationPlace(
                destination, kind: kind, store: store, chain: chain, kioskID: configuration.kioskID, metrics: metrics, logger: logger,
                moved: { wake.wake($0) })
        }
        switch destination.kind {
        case .peer(let url):
            let token: String
            do {
                guard let read = try TokenFile.read(destination.tokenFile) else { throw AgentError(.configurationInvalid, "no token") }
                token = read
            } catch {
                throw AgentError(
                    .configurationInvalid, "cannot read the peer's token: \(error)", detail: "destinations.\(destination.id).token_file")
            }
            do {
                return try PeerDestinationWorker(
                    destination: destination, url: url, token: token, place: place(destination, kind: "peer"))
            } catch {
                throw AgentError(
                    .configurationInvalid, "cannot set up the peer's TLS: \(error)", detail: "destinations.\(destination.id)")
            }
        case .ipp(let uri):
            do {
                return try IPPDestinationWorker(
                    destination: destination, printerURI: uri, templates: templates, event: event, place: place(destination, kind: "ipp"),
                    renderChild: renderChild.map { RenderChildClient(configuration.limits, $0, metrics, logger) })
            } catch {
                throw AgentError(
                    .configurationInvalid, "cannot use the IPP printer: \(error)", detail: "destinations.\(destination.id).ipp")
            }
        }
    }

    /// The sync service for `registry.url`: a repository over HTTP, or a directory for a
    /// `file:` URL (a share or a USB stick); notifications from `registry.server` when given.
    static func makeSync(
        configuration: AgentConfiguration, dataDirectory: URL, localTemplates: TemplateSet, active: ActiveTemplates,
        event: EventConfiguration, dpi: Int, store: LanyardStore, logger: Logger
    ) throws -> SyncService? {
        let settings = configuration.registry
        guard let url = settings.url else { return nil }
        let source: any RepositorySource =
            url.hasPrefix("file:")
            ? DirectoryRepositorySource(directory: URL(filePath: String(url.dropFirst(5)), directoryHint: .isDirectory))
            : HTTPRepositorySource(baseURL: url)
        var uploader: RegistryUploader?
        if let server = settings.server {
            do {
                uploader = try RegistryUploader(
                    serverURL: server, agentID: configuration.kioskID, credential: settings.credential,
                    keyFile: dataDirectory.appending(path: "sync/agent.key"))
            } catch {
                throw AgentError(.startupFailed, "cannot set up the report key: \(error.message)", detail: error.subject)
            }
        }
        return try SyncService(
            settings: settings, agentID: configuration.kioskID, dataDirectory: dataDirectory,
            localTemplates: localTemplates, localTiers: configuration.templates, active: active, event: event, dpi: dpi, store: store,
            source: source, notifier: settings.server.map { HTTPRegistryNotifier(serverURL: $0) },
            attendeeChanges: settings.server.map { HTTPAttendeeChangeSource(serverURL: $0, credential: settings.credential) },
            uploader: uploader, logger: logger)
    }

    /// The configured printer, or the first USB printer found, else the simulator. A profile that
    /// is missing or matches nothing is a configuration error naming `printer.profile`.
    static func resolvePrinter(
        _ settings: AgentConfiguration.Printer, profiles: URL, simulatorOutput: URL,
        logger: Logger
    ) async throws -> ResolvedPrinter {
        var resolver = PrinterResolver(
            address: try settings.address.map(PrinterAddress.init(parsing:)), profile: settings.profile,
            library: try ProfileLibrary.load(directory: profiles.path), simulatorOutput: simulatorOutput)
        resolver.whenSeveralUSBPrinters = .takeFirst
        resolver.timeout = .seconds(5)
        do {
            let printer = try await resolver.resolve()
            // Printing to the simulator without being told to means no badge reaches paper while
            // every one is reported printed: say so at the level an operator's log shows.
            let unasked = printer.simulator != nil && settings.address == nil
            for note in printer.notes {
                logger.log(level: unasked ? .warning : .notice, "\(note)", metadata: ["printer": "\(printer.key)"])
            }
            return printer
        } catch let error as PrintersError where [.profileRequired, .profileUnmatched].contains(error.code) {
            throw AgentError(.configurationInvalid, error.message, detail: "printer.profile")
        }
    }
}
