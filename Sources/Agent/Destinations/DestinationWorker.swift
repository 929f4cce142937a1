import Foundation
import LanyardSupport
import Logging
import Store
import Synchronization

/// A destination off the box as the operator's page and the kiosk see it.
public struct DestinationStatus: Sendable, Codable, Equatable {
    public var id: String
    /// `peer` or `ipp`.
    public var kind: String
    public var location: String?
    /// Whether the last request reached it; nil before the first.
    public var reachable: Bool?
    public var detail: String?
}

/// Where badges go when the box's printers have not printed them in time: each runs for the
/// life of the agent, taking the jobs routed to its id from the store.
public protocol JobDestination: Sendable {
    var id: String { get }
    var status: DestinationStatus { get }
    /// A job was moved here: stop idling.
    func nudge()
    func run() async
}

/// What every destination shares: its id and the chain it belongs to, the store, how it reports
/// (metrics, log, the published status), how it is woken, and the moves it makes on its own
/// (on along the chain at a deadline, back to the queue, to manual review, to the dead letters).
final class DestinationPlace: Sendable {
    let id: String
    let store: LanyardStore
    let chain: DestinationChain
    let kioskID: String
    let metrics: AgentMetrics
    let logger: Logger
    /// Called with the place a job went on to, so that its worker wakes.
    let moved: @Sendable (String) -> Void
    let signal = WorkSignal()
    private let published: Mutex<DestinationStatus>

    init(
        _ destination: AgentConfiguration.Destination, kind: String, store: LanyardStore, chain: DestinationChain, kioskID: String,
        metrics: AgentMetrics, logger: Logger, moved: @escaping @Sendable (String) -> Void
    ) {
        id = destination.id
        self.store = store
        self.chain = chain
        self.kioskID = kioskID
        self.metrics = metrics
        self.logger = logger
        self.moved = moved
        published = Mutex(DestinationStatus(id: destination.id, kind: kind, location: destination.location))
    }

    var status: DestinationStatus { published.withLock { $0 } }

    /// The log with the job and the destination named.
    func log(_ job: PrintJob) -> Logger {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "destination"] = "\(id)"
        return log
    }

    func reachable(_ reached: Bool, detail: String?) {
        let changed = published.withLock {
            let changed = $0.reachable != reached
            $0.reachable = reached
            $0.detail = detail
            return changed
        }
        if changed {
            logger.log(
                level: reached ? .notice : .warning, reached ? "destination reachable" : "destination unreachable",
                metadata: ["destination": "\(id)", "detail": "\(detail ?? "")"])
        }
    }

    /// The place after this one for `job`, if any.
    func next(for job: PrintJob) -> String? {
        chain.next(after: id, handedOver: (try? store.handedOverBy(jobID: job.id)) != nil)
    }

    /// Queued jobs past their deadline here go on along the chain.
    func moveOverdue(now: Date) throws(StoreError) {
        for job in try store.queuedJobs(printerID: id) where chain.dueAt(job) <= now {
            guard let next = next(for: job) else { continue }
            do {
                try store.reassign(id: job.id, to: next, actor: "agent", reason: "not printed by \(id) before its deadline")
                metrics.recordDeadlineMove(to: next)
                moved(next)
            } catch {
                continue
            }
        }
    }

    /// The destination certainly does not hold the job: back to the queue here, free to go on.
    func putBack(_ job: PrintJob, because reason: String) {
        do {
            try store.clearOffer(jobID: job.id)
            try store.scheduleRetry(id: job.id, error: "\(id): \(reason)", at: Date())
        } catch {
            log(job).error("cannot put a job back in the queue", metadata: ["error": "\(error)"])
        }
        log(job).warning("the destination did not take the badge", metadata: ["why": "\(reason)"])
    }

    /// The destination took the job (`sent`), under its own reference.
    func handedOver(_ job: PrintJob, remoteRef: String, remoteState: String, note: String) {
        do {
            try store.markHandedOver(id: job.id, destination: id, remoteRef: remoteRef, remoteState: remoteState, note: note)
            log(job).info("badge handed to a destination off the box", metadata: ["remote": "\(remoteRef)"])
        } catch {
            log(job).error("cannot record a hand-over; it is asked again next time", metadata: ["error": "\(error)"])
        }
    }

    /// The destination printed it, at `place`, at `printedAt`.
    func printed(_ job: PrintJob, place: String?, printedAt: Date, note: String) {
        do {
            try store.markPrintedAway(id: job.id, place: place, printedAt: printedAt, note: note)
            metrics.recordOutcome(.printed)
            log(job).info("badge printed off the box", metadata: ["where": "\(place ?? id)"])
        } catch {
            log(job).error("cannot record a badge printed off the box", metadata: ["error": "\(error)"])
        }
    }

    func review(_ job: PrintJob, because reason: String, facts: [String: String] = [:]) {
        do {
            let diagnostic = try JSONEncoder().encode(facts.merging(["destination": id, "reason": reason]) { first, _ in first })
            _ = try store.moveToManualReview(id: job.id, diagnostic: diagnostic, note: reason)
            metrics.recordOutcome(.manualReview)
            log(job).error("badge sent off the box went to manual review", metadata: ["reason": "\(reason)"])
        } catch {
            log(job).error("cannot send a job to manual review", metadata: ["error": "\(error)"])
        }
    }

    func deadLetter(_ job: PrintJob, stage: PipelineStage, code: String, reason: String) {
        do {
            _ = try store.moveToDeadLetters(id: job.id, stage: stage, code: code, reason: reason)
            metrics.recordDeadLetter(stage: stage)
            metrics.recordOutcome(.deadLettered)
        } catch {
            logger.error("cannot dead-letter a job", metadata: ["error": "\(error)"])
        }
    }
}

/// A destination's worker: what it does with a job in each state, driven the same way for every
/// kind (`step`): jobs left `sending` (no answer came, or the agent stopped) first, then every
/// queued job claimed and sent, then every `sent` job followed; between passes it sleeps until
/// nudged, until a queued job's deadline, or for `pollInterval` while it follows a job.
protocol DestinationWorker: Actor, JobDestination {
    nonisolated var place: DestinationPlace { get }
    var pollInterval: Duration { get }
    var backoff: ExponentialBackoff { get set }
    /// A job left `sending`; false when the destination could not be reached (the pass ends).
    func resume(_ job: PrintJob) async -> Bool
    /// A job just claimed; false when the destination could not be reached.
    func send(_ job: PrintJob) async -> Bool
    /// A job the destination holds: read its state there and settle it here once final.
    func follow(_ job: PrintJob) async
    /// Before resting between passes (an IPP printer lets its idle render child go).
    func rested()
    /// When the agent stops (an IPP printer stops its render child).
    func stopped()
}

extension DestinationWorker {
    public nonisolated var status: DestinationStatus { place.status }

    public nonisolated func nudge() { place.signal.signal() }

    public func run() async {
        while !Task.isCancelled {
            let wait = await step()
            rested()
            _ = await place.signal.wait(upTo: wait)
        }
        stopped()
    }

    func rested() {}

    func stopped() {}

    /// One pass over the destination's jobs; how long to rest before the next.
    func step() async -> Duration {
        let store = place.store
        let sending: [PrintJob]
        do {
            try place.moveOverdue(now: Date())
            sending = try store.jobs(printerID: place.id, in: [.sending])
        } catch {
            place.logger.error("cannot read a destination's jobs", metadata: ["destination": "\(place.id)", "error": "\(error)"])
            return .seconds(1)
        }
        for job in sending {
            guard await resume(job) else { return backoff.next() }
        }
        while true {
            let claimed: PrintJob?
            do { claimed = try store.claimNextJob(printerID: place.id) } catch {
                place.logger.error("cannot claim a job for a destination", metadata: ["destination": "\(place.id)", "error": "\(error)"])
                return .seconds(1)
            }
            guard let job = claimed else { break }
            guard await send(job) else { return backoff.next() }
        }
        // Those the destination holds, the ones just handed over included.
        let sent = (try? store.jobs(printerID: place.id, in: [.sent])) ?? []
        for job in sent {
            await follow(job)
        }
        backoff.reset()
        var rest: Duration = sent.isEmpty ? .seconds(3600) : pollInterval
        if let due = (try? store.queuedJobs(printerID: place.id))?.map({ place.chain.dueAt($0) }).min() {
            rest = min(rest, .milliseconds(max(10, Int(due.timeIntervalSince(Date()) * 1000))))
        }
        return rest
    }
}

/// Rests between attempts at something unreachable: 0.25 s, doubling to 5 s.
struct ExponentialBackoff: Sendable {
    private var current: Duration = .zero

    mutating func next() -> Duration {
        current = current == .zero ? .milliseconds(250) : min(current * 2, .seconds(5))
        return current
    }

    mutating func reset() { current = .zero }
}
