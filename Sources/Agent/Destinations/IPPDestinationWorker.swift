import Attendees
import Badges
import Foundation
import LanyardSupport
import Logging
import Printers
import Store
import Synchronization

/// A badge as a document for an office printer: the template by tier as the thermal printers
/// resolve it, rendered as a one-page PDF/A-2b (vector text, fonts embedded) at 300 dpi for the
/// placement of its codes. Renderers are kept per bundle directory; one worker owns it.
final class BadgeDocuments {
    let templates: ActiveTemplates
    let dpi = 300
    let logger: Logger
    private var renderers: [String: BadgeRenderer] = [:]

    init(templates: ActiveTemplates, logger: Logger) {
        self.templates = templates
        self.logger = logger
    }

    /// The PDF of the first tier that renders, and its template's name and version.
    func pdf(for attendee: Attendee, event: EventConfiguration) throws(ComposeFailure) -> (bytes: [UInt8], template: String) {
        var failure = ComposeFailure(reasons: [])
        let fields = BadgeFields.fields(for: attendee, event: event)
        for (tier, source) in templates.current.candidates(track: attendee.track) {
            do {
                let key = source.directory.standardizedFileURL.path
                let renderer: BadgeRenderer
                if let cached = renderers[key] {
                    renderer = cached
                } else {
                    renderer = try BadgeRenderer(bundle: try TemplateBundle.load(directory: source.directory), dpi: dpi, logger: logger)
                    renderers[key] = renderer
                }
                if let missing = renderer.blockingIssue {
                    failure.reasons.append((tier, source.name, missing.message))
                    continue
                }
                let document = try renderer.renderPDFDocument(fields: fields)
                return (document.bytes, "\(renderer.bundle.template.name)@\(renderer.bundle.template.version)")
            } catch {
                failure.reasons.append((tier, source.name, error.description))
            }
        }
        throw failure
    }
}

/// An office printer over IPP as the chain's destination (docs/handover.md): each badge moved
/// here is rendered as PDF/A-2b and sent as one IPP job named by the badge's idempotency key, then
/// followed until the printer reports the job completed; only then is the badge `printed`.
///
/// - Print-Job that certainly never reached the printer (no connection), or that the printer
///   refused with an IPP status: the job goes back to the queue here.
/// - Print-Job with no answer: the job stays `sending`, and the printer's jobs are searched by
///   name before anything is sent again, so the badge is not printed twice.
/// - The printer's job `canceled` or `aborted`: manual review, with the printer's reasons.
///
/// After a crash the worker resumes: `sending` jobs by that search, `sent` ones by reading the
/// printer's job again.
public actor IPPDestinationWorker: JobDestination {
    public nonisolated let id: String
    private let executor: DedicatedQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let client: IPPClient
    let documents: BadgeDocuments
    let event: EventConfiguration
    let store: LanyardStore
    let chain: DestinationChain
    let kioskID: String
    let metrics: AgentMetrics
    let logger: Logger
    let moved: @Sendable (String) -> Void
    /// How often a job the printer holds is read.
    let pollInterval: Duration
    private let signal = WorkSignal()
    private let published: Mutex<DestinationStatus>
    private var backoff = ExponentialBackoff()

    init(
        destination: AgentConfiguration.Destination, printerURI: String, templates: ActiveTemplates, event: EventConfiguration,
        store: LanyardStore, chain: DestinationChain, kioskID: String, metrics: AgentMetrics, logger: Logger,
        pollInterval: Duration = .milliseconds(500), moved: @escaping @Sendable (String) -> Void
    ) throws {
        id = destination.id
        executor = DedicatedQueueExecutor(label: "lanyard.ipp.\(destination.id)")
        client = try IPPClient(printerURI: printerURI)
        documents = BadgeDocuments(templates: templates, logger: logger)
        self.event = event
        self.store = store
        self.chain = chain
        self.kioskID = kioskID
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
        self.moved = moved
        published = Mutex(DestinationStatus(id: destination.id, kind: "ipp", location: destination.location))
    }

    public nonisolated var status: DestinationStatus { published.withLock { $0 } }

    public nonisolated func nudge() { signal.signal() }

    public func run() async {
        while !Task.isCancelled {
            let wait = await step()
            _ = await signal.wait(upTo: wait)
        }
    }

    func step() async -> Duration {
        let now = Date()
        let sending: [PrintJob]
        do {
            try moveOverdue(now: now)
            sending = try store.jobs(printerID: id, in: [.sending])
        } catch {
            logger.error("cannot read the jobs for an IPP printer", metadata: ["printer": "\(id)", "error": "\(error)"])
            return .seconds(1)
        }
        for job in sending {
            guard await resolveUnanswered(job) else { return backoff.next() }
        }
        while true {
            let claimed: PrintJob?
            do { claimed = try store.claimNextJob(printerID: id) } catch {
                logger.error("cannot claim a job for an IPP printer", metadata: ["printer": "\(id)", "error": "\(error)"])
                return .seconds(1)
            }
            guard let job = claimed else { break }
            guard await send(job) else { return backoff.next() }
        }
        let sent = (try? store.jobs(printerID: id, in: [.sent])) ?? []
        for job in sent {
            await follow(job)
        }
        backoff.reset()
        var rest: Duration = sent.isEmpty ? .seconds(3600) : pollInterval
        if let due = (try? store.queuedJobs(printerID: id))?.map({ chain.dueAt($0) }).min() {
            rest = min(rest, .milliseconds(max(10, Int(due.timeIntervalSince(Date()) * 1000))))
        }
        return rest
    }

    /// Renders and sends one badge; false when the printer could not be reached.
    private func send(_ job: PrintJob) async -> Bool {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "printer"] = "\(id)"
        var attendee: Attendee
        do { attendee = try JSONDecoder().decode(Attendee.self, from: job.payload) } catch {
            deadLetter(job, stage: .spool, code: "agent.payload_unreadable", reason: "the job's stored request cannot be read: \(error)")
            return true
        }
        if let shown = try? store.shown(attendee) { attendee = shown }
        let document: (bytes: [UInt8], template: String)
        do { document = try documents.pdf(for: attendee, event: event) } catch {
            metrics.recordRenderFailure()
            deadLetter(job, stage: .render, code: "render.all_tiers_failed", reason: error.description)
            return true
        }
        do { try store.recordOffer(jobID: job.id, destination: id) } catch {
            log.error("cannot record a print job before sending it; not sending", metadata: ["error": "\(error)"])
            return false
        }
        let outcome = await result { () async throws(IPPError) in
            try await client.printJob(document: document.bytes, format: "application/pdf", jobName: job.idempotencyKey, userName: kioskID)
        }
        switch outcome {
        case .success(let printed):
            reachable(true, detail: nil)
            handedOver(job, remote: printed, note: "sent to \(id) as IPP job \(printed.id) (\(document.template), PDF/A-2b)", log: log)
            return true
        case .failure(let error) where !error.requestMayHaveArrived || error.ippStatus != nil:
            // It never arrived, or the printer answered that it made no job.
            reachable(error.ippStatus != nil, detail: error.message)
            putBack(job, because: error.message, log: log)
            return error.ippStatus != nil
        case .failure(let error):
            reachable(false, detail: error.message)
            log.warning("no answer to a print job; the printer's queue is searched before sending again", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// A job sent without an answer: the printer's jobs named by its key say whether it exists.
    private func resolveUnanswered(_ job: PrintJob) async -> Bool {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "printer"] = "\(id)"
        let found = await result { () async throws(IPPError) in try await client.jobs(named: job.idempotencyKey) }
        switch found {
        case .success(let jobs):
            reachable(true, detail: nil)
            if let existing = jobs.max(by: { $0.id < $1.id }) {
                handedOver(job, remote: existing, note: "found at \(id) as IPP job \(existing.id) after an unanswered request", log: log)
            } else {
                putBack(job, because: "the printer has no job of this badge: the request did not make one", log: log)
            }
            return true
        case .failure(let error):
            reachable(false, detail: error.message)
            return false
        }
    }

    /// Reads the printer's job; settles the badge once the job is finished there.
    private func follow(_ job: PrintJob) async {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "printer"] = "\(id)"
        guard let remote = (try? store.destinationRecord(jobID: job.id))?.remoteRef, let remoteID = Int32(remote) else {
            review(job, because: "no IPP job is recorded for this badge", log: log)
            return
        }
        switch await result({ () async throws(IPPError) in try await client.jobStatus(id: remoteID) }) {
        case .failure(let error):
            reachable(!error.requestMayHaveArrived, detail: error.message)
        case .success(let status):
            reachable(true, detail: nil)
            switch status.state {
            case .completed:
                let printedAt = Date()
                do {
                    try store.markPrintedAway(
                        id: job.id, place: id, printedAt: printedAt,
                        note: "IPP job \(remoteID) completed at \(id) at \(Timestamps.iso8601(printedAt))")
                    metrics.recordOutcome(.printed)
                    log.info("badge printed by an IPP printer", metadata: ["ipp_job": "\(remoteID)"])
                } catch {
                    log.error("cannot record a badge printed over IPP", metadata: ["error": "\(error)"])
                }
            case .canceled, .aborted:
                review(
                    job,
                    because: "the IPP printer \(status.state == .canceled ? "canceled" : "aborted") job \(remoteID): "
                        + status.stateReasons.joined(separator: ", "), log: log)
            case .pending, .held, .processing, .stopped:
                try? store.recordRemoteState(jobID: job.id, state: "\(status.state)")
            }
        }
    }

    private func handedOver(_ job: PrintJob, remote: IPPJobStatus, note: String, log: Logger) {
        do {
            try store.markHandedOver(id: job.id, destination: id, remoteRef: String(remote.id), remoteState: "\(remote.state)", note: note)
            log.info("badge sent to an IPP printer", metadata: ["ipp_job": "\(remote.id)"])
        } catch {
            log.error("cannot record a badge sent over IPP", metadata: ["error": "\(error)"])
        }
    }

    private func putBack(_ job: PrintJob, because reason: String, log: Logger) {
        do {
            try store.clearOffer(jobID: job.id)
            try store.scheduleRetry(id: job.id, error: "\(id): \(reason)", at: Date())
        } catch {
            log.error("cannot put a job back in the queue", metadata: ["error": "\(error)"])
        }
        log.warning("IPP printer did not take the badge", metadata: ["why": "\(reason)"])
    }

    private func moveOverdue(now: Date) throws(StoreError) {
        for job in try store.queuedJobs(printerID: id) where chain.dueAt(job) <= now {
            guard let next = chain.next(after: id, handedOver: try store.handedOverBy(jobID: job.id) != nil) else { continue }
            do {
                try store.reassign(id: job.id, to: next, actor: "agent", reason: "not printed by \(id) before its deadline")
                metrics.recordDeadlineMove(to: next)
                moved(next)
            } catch {
                continue
            }
        }
    }

    private func deadLetter(_ job: PrintJob, stage: PipelineStage, code: String, reason: String) {
        do {
            _ = try store.moveToDeadLetters(id: job.id, stage: stage, code: code, reason: reason)
            metrics.recordDeadLetter(stage: stage)
            metrics.recordOutcome(.deadLettered)
        } catch {
            logger.error("cannot dead-letter a job", metadata: ["error": "\(error)"])
        }
    }

    private func review(_ job: PrintJob, because reason: String, log: Logger) {
        do {
            let diagnostic = try JSONEncoder().encode(["printer": id, "reason": reason])
            _ = try store.moveToManualReview(id: job.id, diagnostic: diagnostic, note: reason)
            metrics.recordOutcome(.manualReview)
            log.error("badge sent over IPP went to manual review", metadata: ["reason": "\(reason)"])
        } catch {
            log.error("cannot send a job to manual review", metadata: ["error": "\(error)"])
        }
    }

    private func reachable(_ reached: Bool, detail: String?) {
        published.withLock {
            $0.reachable = reached
            $0.detail = detail
        }
    }

    /// `Result` of a typed-throwing async call (no `await` inside a `catch`: see docs/agent.md).
    private func result<T>(_ body: () async throws(IPPError) -> T) async -> Result<T, IPPError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
