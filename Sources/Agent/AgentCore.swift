public import Attendees
public import Foundation
import LanyardSupport
public import Logging
import Printers
public import Store

/// What the agent does with a badge request, shared by every way one arrives (kiosk page, API,
/// check-in scan, webhook, import): intake, dead letters for what cannot become a badge, and one
/// durable job per idempotency key on the printer's queue.
public final class AgentCore: Sendable {
    public let configuration: AgentConfiguration
    public let store: LanyardStore
    public let event: EventConfiguration
    public let logger: Logger
    public let workers: [String: PrinterWorker]
    /// The printer a request goes to when it names none.
    public let defaultPrinter: String
    let rateLimiter: RateLimiter
    /// The kiosk page's name search, for the whole kiosk (`kiosk.search_per_minute`).
    let searchLimiter: RateLimiter
    /// Staff signed in on the kiosk's pages (`staff` in the configuration).
    public let staff: StaffSessions
    public let metrics: AgentMetrics
    /// The template set badges render with now.
    public let templates: ActiveTemplates?
    /// The registry sync, when there is a registry.
    public let sync: SyncService?
    public let startedAt = Date()
    /// Badges go to the built-in simulator, not to paper (health says so, for the kiosk page and
    /// the operator).
    public let printsToSimulator: Bool
    /// The kiosk's preview: the badge an attendee would get, rendered as the printer gets it.
    public let preview: BadgePreview?
    /// The preview for each printer (shared between printers of one profile).
    public let previews: [String: BadgePreview]
    /// Which printer a badge goes to when the request names none.
    public let routing: PrinterRouting
    /// Rings when a printer starts or stops being unable to print (several printers only).
    public let printerStateChanged: WorkSignal?
    /// The technician's test badge and ladder template.
    public let bench: TechnicianBench?
    /// Peer kiosks and office printers, by id (`destinations`).
    public let destinations: [String: any JobDestination]
    /// The order a badge tries the box's printers and the destinations in, and its deadline.
    public let chain: DestinationChain
    /// Rings when a badge is accepted: the deadline watch wakes for it.
    let jobAccepted = WorkSignal()
    /// Counts the kiosk's reads and raises a printer's QR module or darkness when too many fail.
    public let scanQuality: ScanQualityLoop
    /// The operator page's alerts, evaluated by `AlertService` (docs/alerts.md).
    public let alerts: AlertMonitor

    public init(
        configuration: AgentConfiguration, store: LanyardStore, event: EventConfiguration,
        workers: [String: PrinterWorker], defaultPrinter: String, metrics: AgentMetrics = AgentMetrics(),
        templates: ActiveTemplates? = nil, sync: SyncService? = nil, printsToSimulator: Bool = false, preview: BadgePreview? = nil,
        previews: [String: BadgePreview] = [:], routing: PrinterRouting? = nil, printerStateChanged: WorkSignal? = nil,
        bench: TechnicianBench? = nil, destinations: [String: any JobDestination] = [:], chain: DestinationChain? = nil,
        logger: Logger
    ) {
        self.destinations = destinations
        self.chain =
            chain
            ?? DestinationChain(
                printers: Set(workers.keys), destinations: configuration.destinations, deadlineSeconds: configuration.queue.deadlineSeconds)
        self.printsToSimulator = printsToSimulator
        self.preview = preview
        self.previews = previews
        self.routing = routing ?? PrinterRouting(routes: [PrinterRouting.Route(printerID: defaultPrinter)])
        self.printerStateChanged = printerStateChanged
        self.bench = bench
        self.configuration = configuration
        self.templates = templates
        self.sync = sync
        self.store = store
        self.event = event
        self.workers = workers
        self.defaultPrinter = defaultPrinter
        self.logger = logger
        self.metrics = metrics
        rateLimiter = RateLimiter(perMinute: configuration.webhooks.perMinute)
        searchLimiter = RateLimiter(perMinute: configuration.kiosk.searchPerMinute)
        staff = StaffSessions(staff: configuration.staff)
        scanQuality = ScanQualityLoop(
            settings: configuration.scanQuality, store: store, event: event, profiles: workers.mapValues(\.profile), previews: previews,
            metrics: metrics, logger: logger)
        alerts = AlertMonitor(interval: configuration.alerts.intervalSeconds)
    }

    /// The outcome of a badge request.
    public enum Submission: Sendable {
        case queued(PrintJob)
        /// The idempotency key is known: this is the job it already made.
        case duplicate(PrintJob)
        /// The record cannot become a badge; it is in the dead letters.
        case rejected(deadLetterID: Int64, issues: [IntakeIssue])
        /// Intake took longer than `limits.intake_seconds`; the record is in the dead letters.
        case timedOut(deadLetterID: Int64, reason: String)
    }

    /// Intake of a raw registration (JSON object bytes) on the blocking pool, waited for no
    /// longer than `limits.intake_seconds`: nil when it took longer. Intake is Swift without C
    /// calls and its input is bounded by the body size limits, so it ends on its own; the request
    /// does not wait for it (the pool thread finishes it and its result is dropped).
    func intake(_ body: Data) async throws -> IntakeOutcome? {
        let intake = Intake(event: event)
        return try await Blocking.run(limit: LimitSettings.duration(configuration.limits.intakeSeconds)) {
            intake.validate(jsonObject: body, line: nil)
        }
    }

    /// A registration through intake (`outcome`, nil when intake ran out of time), then a job.
    public func submit(
        registration body: Data, outcome: IntakeOutcome?, idempotencyKey: String?, printer: String?, correlationID: String,
        stage: PipelineStage = .intake, priority: JobPriority = .normal
    ) throws -> Submission {
        guard let outcome else {
            let reason = "intake took longer than limits.intake_seconds (\(configuration.limits.intakeSeconds) s); the record was abandoned"
            let code = AgentErrorCode.executionTimeout.rawValue
            let id = try store.deadLetter(
                payload: body, stage: stage, code: code, reason: reason, fieldPath: nil, correlationID: correlationID
            ).id
            metrics.recordDeadLetter(stage: stage)
            metrics.recordExecutionTimeout(stage: stage)
            logger.warning(
                "registration dead-lettered",
                metadata: ["correlation_id": "\(correlationID)", "code": "\(code)", "stage": "\(stage.rawValue)"])
            return .timedOut(deadLetterID: id, reason: reason)
        }
        guard let attendee = outcome.attendee else {
            // The errors that rejected the record come first, then the repairs noted on the way:
            // the dead letter's code and field (and the answer's) are the rejecting error's,
            // never a warning that happened to be found earlier (padding stripped from a name).
            let issues = outcome.errors + outcome.warnings
            let first = issues.first
            let reason = issues.map { "\($0.fieldPath): \($0.reason)" }.joined(separator: "; ")
            let id = try store.deadLetter(
                payload: body, stage: stage, code: first?.code.rawValue ?? "intake.rejected", reason: reason,
                fieldPath: first?.fieldPath, correlationID: correlationID
            ).id
            metrics.recordDeadLetter(stage: stage)
            logger.warning(
                "registration dead-lettered",
                metadata: [
                    "correlation_id": "\(correlationID)", "code": "\(first?.code.rawValue ?? "")", "field": "\(first?.fieldPath ?? "")",
                    "stage": "\(stage.rawValue)",
                ])
            return .rejected(deadLetterID: id, issues: issues)
        }
        _ = try? store.upsertAttendees([attendee])
        return try enqueue(attendee, idempotencyKey: idempotencyKey, printer: printer, correlationID: correlationID, priority: priority)
    }

    /// A badge for an attendee already known (cache, check-in).
    public func enqueue(
        _ attendee: Attendee, idempotencyKey: String?, printer: String?, correlationID: String, priority: JobPriority = .normal
    ) throws -> Submission {
        let printerID = printer ?? route(attendee, priority: priority)
        guard let worker = workers[printerID] else {
            throw AgentError(.notFound, "no printer \(printerID) on this agent", detail: "printer")
        }
        // One badge per attendee unless the caller says otherwise: a retried webhook or a second
        // scan of the same ticket must not print again (reprints are explicit).
        let key = idempotencyKey ?? "attendee:\(attendee.attendeeID)"
        let job = NewPrintJob(
            idempotencyKey: key, correlationID: correlationID, attendeeID: attendee.attendeeID,
            printerID: printerID, payload: try JSONEncoder().encode(attendee), priority: priority)
        let result: EnqueueResult
        do {
            result = try store.enqueue(job, maxQueued: configuration.queue.maxQueued)
        } catch {
            let failure: StoreError = error
            guard failure.code == .queueFull else { throw failure }
            throw AgentError(.queueFull, "the queue for \(printerID) is full", detail: "\(configuration.queue.maxQueued) jobs")
        }
        switch result {
        case .accepted(let job):
            worker.nudge()
            jobAccepted.signal()
            return .queued(job)
        case .duplicate(let job):
            return .duplicate(job)
        }
    }
}

extension AgentCore {
    /// The printer a badge for `attendee` goes to now (`PrinterRouting`), `excluding` one.
    public func route(_ attendee: Attendee, priority: JobPriority = .normal, excluding: String? = nil) -> String {
        guard workers.count > 1 else { return defaultPrinter }
        return routing.printer(for: attendee, priority: priority, load: printerLoad, excluding: excluding) ?? defaultPrinter
    }

    func printerLoad(_ printerID: String) -> PrinterRouting.Load {
        PrinterRouting.Load(
            ready: workers[printerID].map { !$0.state.cannotPrint } ?? false,
            queued: (try? store.queueDepth(printerID: printerID)) ?? 0)
    }
}
