public import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
public import Logging
public import Printers
public import Store
import Synchronization

/// What a printer's queue is doing, for `/v1/printers`, metrics and logs.
public struct WorkerSnapshot: Sendable, Codable, Equatable {
    public enum Activity: String, Sendable, Codable, CaseIterable {
        case starting, idle, printing
        /// The printer reports a state that stops printing; jobs wait, none fails.
        case paused
        /// The printer cannot be reached; jobs wait.
        case disconnected
        /// Too many transport failures in a row; jobs wait for the cool-down.
        case breakerOpen = "breaker_open"
        case stopped
    }

    public var printerID: String
    public var activity: Activity
    public var status: PrinterStatus
    public var breaker: CircuitBreaker.State
    public var detail: String?
    /// What the printer said it is (`~HI`), once a technician asked.
    public var identification: PrinterIdentification?

    /// Out of paper or ribbon, open, paused, faulted, unreachable or resting after faults: badges
    /// sent here wait. A full buffer is not among them: it empties as the printer prints.
    public var cannotPrint: Bool {
        [.disconnected, .breakerOpen].contains(activity)
            || status.sortedConditions.contains { $0.blocksPrinting && ![.unknown, .bufferFull].contains($0) }
    }
}

/// The one worker of one printer: takes its jobs in order from the store, renders each, sends
/// it, and confirms it from the printer's own status before calling it printed.
///
/// - A printer that reports paper out, head open or paused pauses the queue: nothing is sent and
///   no attempt is counted until it reports ready again. A badge sent just before such a state
///   stays `sent` and is confirmed once the printer has printed it.
/// - A transport fault counts an attempt: the job is retried after an exponential, fully
///   jittered delay, and after the last attempt it goes to manual review with the errors.
///   Consecutive faults open the circuit breaker.
/// - A badge that no template tier can render is dead-lettered; it will not print by retrying.
/// - A badge the printer took whole (every byte, even if the connection failed just after) is
///   never sent again; if the printer does not then confirm it in time, it goes to manual review.
///
/// The worker runs on a dispatch queue of its own (`DedicatedQueueExecutor`), not on Swift's
/// cooperative pool: rendering and the store's writes are blocking C calls.
public actor PrinterWorker {
    public let printerID: String
    /// The profile and language its badges are encoded for (the composer's).
    public nonisolated let profile: PrinterProfile
    public nonisolated let language: PrinterLanguage
    private let executor: DedicatedQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let store: LanyardStore
    let composer: BadgeComposer
    let event: EventConfiguration
    let retry: RetryPolicy
    let pollInterval: Duration
    let confirmTimeout: Duration
    let logger: Logger
    private let open: @Sendable () async throws -> PrinterClient
    let metrics: AgentMetrics
    var client: PrinterClient?
    var breaker: CircuitBreaker
    /// The worker's state as it changes; every change is published at once to `published`.
    var snapshot: WorkerSnapshot {
        didSet {
            published.withLock { $0 = snapshot }
            if oldValue.cannotPrint != snapshot.cannotPrint { stateChanged?.signal() }
        }
    }
    /// Rung when this printer starts or stops being able to print (the hand-over listens).
    private let stateChanged: WorkSignal?
    /// The last published state, read by the HTTP API, metrics and the registry report without
    /// waiting for the actor, which may be rendering a badge or committing to the store.
    private let published: Mutex<WorkerSnapshot>
    /// Rings when a job is queued for this printer.
    package nonisolated let jobQueued = WorkSignal()
    /// When the earliest retry this worker scheduled comes due, so that an idle wait ends then
    /// rather than at the next poll.
    private var nextRetryDue: ContinuousClock.Instant?
    /// Technician work waiting for a moment between badges (`perform`).
    var pendingTasks: [PendingPrinterTask] = []
    var lastTaskID: UInt64 = 0
    /// The calibration ladder's renderer, loaded on the first ladder and kept.
    var ladderRenderer: (directory: URL, renderer: BadgeRenderer)?

    public init(
        printerID: String, store: LanyardStore, composer: BadgeComposer, event: EventConfiguration,
        retry: RetryPolicy, breaker: CircuitBreaker, pollInterval: Duration, confirmTimeout: Duration,
        metrics: AgentMetrics = AgentMetrics(), logger: Logger, open: @escaping @Sendable () async throws -> PrinterClient,
        stateChanged: WorkSignal? = nil
    ) {
        self.printerID = printerID
        profile = composer.profile
        language = composer.language
        executor = DedicatedQueueExecutor(label: "lanyard.worker.\(printerID)")
        self.store = store
        self.composer = composer
        self.event = event
        self.retry = retry
        self.breaker = breaker
        self.pollInterval = pollInterval
        self.confirmTimeout = confirmTimeout
        self.metrics = metrics
        self.logger = logger
        self.open = open
        self.stateChanged = stateChanged
        let initial = WorkerSnapshot(printerID: printerID, activity: .starting, status: .unknown, breaker: .closed)
        snapshot = initial
        published = Mutex(initial)
    }

    /// The worker's state as last published; never waits for the worker.
    public nonisolated var state: WorkerSnapshot { published.withLock { $0 } }

    /// Whether the worker's code runs on its own queue (what the tests check).
    package var runsOnItsOwnQueue: Bool { executor.isCurrent }

    /// A new job is waiting: stop idling.
    public nonisolated func nudge() {
        jobQueued.signal()
    }

    /// Runs until the task is cancelled; the job in flight is finished or left in a state the
    /// startup reconciliation understands.
    public func run() async {
        while !Task.isCancelled {
            await step()
        }
        snapshot.activity = .stopped
        composer.stopChild()
        await client?.close()
        client = nil
    }

    private func step() async {
        guard let client = await connectedClient() else {
            failPendingTasks(because: snapshot.detail ?? "the printer cannot be reached")
            return await pause()
        }
        let reading: StatusReading
        do { reading = try await client.status() } catch {
            failPendingTasks(because: "\(error)")
            return await lost(error)
        }
        snapshot.status = reading.status
        if !pendingTasks.isEmpty { return await runPendingTasks(on: client, reading: reading) }
        if !reading.status.isReady, client.connection.canRead {
            if snapshot.activity != .paused {
                logger.warning(
                    "printer not ready; queue paused",
                    metadata: ["printer": "\(printerID)", "state": "\(reading.status.sortedConditions.map(\.rawValue))"])
            }
            snapshot.activity = .paused
            return await pause()
        }
        guard breaker.allowsAttempt(now: .now) else {
            snapshot.activity = .breakerOpen
            snapshot.breaker = breaker.state
            return await pause()
        }
        let job: PrintJob?
        do { job = try store.claimNextJob(printerID: printerID, now: Date()) } catch {
            logger.error("cannot read the job queue", metadata: ["error": "\(error)"])
            return await pause()
        }
        // The cool-down may just have turned the breaker half-open: the probe is reported as such,
        // breaker and activity in one published state, so no reader sees a half-open breaker
        // beside a worker still waiting on it.
        var next = snapshot
        next.breaker = breaker.state
        next.activity = job == nil ? .idle : .printing
        snapshot = next
        guard let job else { return await idle() }
        await process(job, on: client)
    }

    private func process(_ job: PrintJob, on client: PrinterClient) async {
        var log = logger
        log[metadataKey: "correlation_id"] = "\(job.correlationID)"
        log[metadataKey: "job"] = "\(job.id)"
        var attendee: Attendee
        do {
            attendee = try JSONDecoder().decode(Attendee.self, from: job.payload)
        } catch {
            return deadLetter(
                job, stage: .spool, code: "agent.payload_unreadable", reason: "the job's stored request cannot be read: \(error)", log: log)
        }
        // How the attendee asked their name to be written, as of now: a reprint of a badge
        // printed before the correction carries it too.
        do { attendee = try store.shown(attendee) } catch {
            log.warning("cannot read the name correction; printing the registered name", metadata: ["error": "\(error)"])
        }
        let stored = storedTuning()
        let badge: ComposedBadge
        do {
            badge = try composer.composeToPrint(attendee, event: event, overrides: stored.overrides, options: stored.renderOptions)
        } catch {
            // Whichever way it failed, the job's payload is kept with the dead letter and the
            // printer goes on with its next badge.
            switch error {
            case .tiers:
                metrics.recordRenderFailure()
                return deadLetter(job, stage: .render, code: "render.all_tiers_failed", reason: error.description, log: log)
            case .timedOut(let stage, _):
                return deadLetter(job, stage: stage, code: AgentErrorCode.executionTimeout.rawValue, reason: error.description, log: log)
            case .childFailed:
                metrics.recordRenderFailure()
                return deadLetter(job, stage: .render, code: AgentErrorCode.renderChildFailed.rawValue, reason: error.description, log: log)
            }
        }
        metrics.recordRender(seconds: badge.renderSeconds, tier: badge.tier.rawValue)
        log.info(
            "badge rendered",
            metadata: [
                "template": "\(badge.templateName)", "template_version": "\(badge.templateVersion)",
                "tier": "\(badge.tier.rawValue)", "render_ms": "\(Int(badge.renderSeconds * 1000))",
            ])
        do {
            try await client.send(job: badge.label.bytes, timeout: .seconds(30))
        } catch {
            // A connection that fails after the printer took the last byte leaves a whole label
            // at the printer, which prints it: sending it again would print a second badge. Only
            // a send cut short is a transport fault worth a retry; this one is sent, and is
            // confirmed over a new connection.
            guard error.bytesWritten == badge.label.bytes.count else {
                return await failedSend(job, error: error, log: log)
            }
            log.warning(
                "connection lost after the printer took every byte; confirming, not resending",
                metadata: ["error": "\(error)"])
            await client.close()
            self.client = nil
        }
        breaker.recordSuccess()
        snapshot.breaker = breaker.state
        do {
            _ = try store.markSent(
                id: job.id, templateTier: badge.tier.rawValue, templateVersion: "\(badge.templateName)@\(badge.templateVersion)",
                templateRelease: badge.templateRelease)
        } catch {
            log.error("cannot record a sent job", metadata: ["error": "\(error)"])
        }
        await confirm(job, log: log)
    }

    /// Waits until the printer reports it has printed: ready with nothing left in its buffer.
    /// A state that stops printing extends the wait (the label is held, not lost) and restarts
    /// the confirmation time once it clears; a lost connection is reopened; a printer that cannot
    /// be read (device file) is trusted once it took every byte. A printer that can be read but
    /// does not confirm in time leaves the outcome unknown: the job goes to manual review, never
    /// recorded printed on an assumption and never sent again.
    private func confirm(_ job: PrintJob, log: Logger) async {
        var deadline = ContinuousClock.now + confirmTimeout
        var note = "the printer reported ready with an empty buffer"
        while true {
            // Shutting down: the job stays `sent`, which the next start records as printed
            // (every byte was accepted) rather than sending it again.
            if Task.isCancelled { return }
            if let client = await connectedClient() {
                guard client.connection.canRead else {
                    note = "every byte was written; this printer cannot report its state"
                    break
                }
                do {
                    let reading = try await client.status()
                    snapshot.status = reading.status
                    if reading.status.isReady, (reading.status.formatsInBuffer ?? 0) == 0 { break }
                    if !reading.status.isReady, !reading.status.conditions.contains(.unknown) {
                        // Held by the printer: wait as long as it takes; the confirmation time
                        // starts again once it resumes printing.
                        snapshot.activity = .paused
                        deadline = ContinuousClock.now + confirmTimeout
                        try? await Task.sleep(for: pollInterval)
                        continue
                    }
                } catch {
                    await client.close()
                    self.client = nil
                }
            }
            if ContinuousClock.now >= deadline {
                return unconfirmed(job, log: log)
            }
            try? await Task.sleep(for: min(pollInterval, .milliseconds(200)))
        }
        do {
            _ = try store.markPrinted(id: job.id, note: note)
            metrics.recordOutcome(.printed)
            log.info("badge printed", metadata: ["confirmation": "\(note)"])
        } catch {
            log.error("cannot record a printed job", metadata: ["error": "\(error)"])
        }
    }

    /// Every byte was accepted but the printer never confirmed the badge.
    private func unconfirmed(_ job: PrintJob, log: Logger) {
        let reason = "every byte was accepted, but the printer did not confirm the badge within \(confirmTimeout)"
        let diagnostic: [String: String] = [
            "printer": printerID, "attempts": "\(job.attempts)", "last_error": reason, "breaker": breaker.state.rawValue,
            "status": snapshot.status.sortedConditions.map(\.rawValue).joined(separator: ","),
        ]
        do {
            _ = try store.moveToManualReview(id: job.id, diagnostic: try JSONEncoder().encode(diagnostic), note: reason)
            metrics.recordOutcome(.manualReview)
            log.error(
                "badge not confirmed by the printer; job sent to manual review", metadata: ["status": "\(diagnostic["status"] ?? "")"])
        } catch {
            log.error("cannot record an unconfirmed job", metadata: ["error": "\(error)"])
        }
    }

    private func failedSend(_ job: PrintJob, error: any Error, log: Logger) async {
        breaker.recordFailure(now: .now)
        snapshot.breaker = breaker.state
        await client?.close()
        client = nil
        let message = "\(error)"
        do {
            if let delay = retry.delay(afterFailedAttempt: job.attempts) {
                _ = try store.scheduleRetry(
                    id: job.id, error: message, at: Date().addingTimeInterval(Double(RetryPolicy.nanoseconds(delay)) / 1e9))
                // A little after the stored time, so the claim at the wake-up finds it due.
                let due = ContinuousClock.now + delay + .milliseconds(5)
                nextRetryDue = nextRetryDue.map { $0 > .now ? min($0, due) : due } ?? due
                log.warning("send failed; will retry", metadata: ["attempt": "\(job.attempts)", "error": "\(message)"])
            } else {
                let diagnostic: [String: String] = [
                    "printer": printerID, "attempts": "\(job.attempts)", "last_error": message,
                    "breaker": breaker.state.rawValue, "status": snapshot.status.sortedConditions.map(\.rawValue).joined(separator: ","),
                ]
                _ = try store.moveToManualReview(id: job.id, diagnostic: try JSONEncoder().encode(diagnostic))
                metrics.recordOutcome(.manualReview)
                log.error("send failed on the last attempt; job sent to manual review", metadata: ["error": "\(message)"])
            }
        } catch {
            log.error("cannot record a failed send", metadata: ["error": "\(error)"])
        }
    }

    private func deadLetter(_ job: PrintJob, stage: PipelineStage, code: String, reason: String, log: Logger) {
        do {
            _ = try store.moveToDeadLetters(id: job.id, stage: stage, code: code, reason: reason)
            metrics.recordDeadLetter(stage: stage)
            metrics.recordOutcome(.deadLettered)
            log.error("badge dead-lettered", metadata: ["stage": "\(stage.rawValue)", "code": "\(code)"])
        } catch {
            log.error("cannot dead-letter a job", metadata: ["error": "\(error)"])
        }
    }

    /// The technician's stored tuning for this printer (`TuningOverrides`, as every command that
    /// prints takes it); a tuning that cannot be read is logged and the profile's defaults apply.
    func tuning() -> JobOverrides { storedTuning().overrides }

    /// The stored tuning with what it changes in the raster (its QR module floor), for a badge.
    func storedTuning() -> TuningOverrides {
        let tuning = TuningOverrides(printerKey: printerID, store: store)
        if let reason = tuning.tuningUnreadable {
            logger.warning("cannot read the stored tuning; printing with the profile's defaults", metadata: ["error": "\(reason)"])
        }
        return tuning
    }

    func connectedClient() async -> PrinterClient? {
        if let client { return client }
        do {
            let opened = try await open()
            client = opened
            logger.info("printer connected", metadata: ["printer": "\(printerID)", "profile": "\(opened.profile.id)"])
            return opened
        } catch {
            if snapshot.activity != .disconnected {
                logger.warning("printer unreachable; jobs wait", metadata: ["printer": "\(printerID)", "error": "\(error)"])
            }
            snapshot.activity = .disconnected
            snapshot.status =
                (error as? TransportError).map { $0.code == .disconnected || $0.code == .notFound ? .unplugged : .unknown } ?? .unknown
            snapshot.detail = "\(error)"
            return nil
        }
    }

    func lost(_ error: any Error) async {
        logger.warning("printer connection lost", metadata: ["printer": "\(printerID)", "error": "\(error)"])
        await client?.close()
        client = nil
        snapshot.activity = .disconnected
        snapshot.status = .unplugged
        await pause()
    }

    private func pause() async {
        // A printer out of paper for an hour keeps no render child either.
        composer.retireIdleChild()
        try? await Task.sleep(for: pollInterval)
    }

    /// Sleeps until nudged, until a retry this worker scheduled comes due, or until the poll
    /// interval passes: at rest, one status query and one look at the queue per interval.
    private func idle() async {
        composer.retireIdleChild()
        var timeout = pollInterval
        if let due = nextRetryDue {
            // Kept until it has passed: a job queued meanwhile may end this wait before it.
            let remaining = ContinuousClock.now.duration(to: due)
            if remaining <= .zero { nextRetryDue = nil } else { timeout = min(timeout, remaining) }
        }
        _ = await jobQueued.wait(upTo: timeout)
    }
}
