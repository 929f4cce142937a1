import Attendees
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

/// The handing agent's side of the peer hand-over (docs/handover.md, which has both sides'
/// states). For each job moved to this peer:
///
/// - `queued` -> `sending`: the worker claims it and records, durably, that an offer may reach
///   the peer; then it sends the offer, with the job's idempotency key, as often as it takes.
///   The peer makes one job per key, whatever number of offers arrive.
/// - An offer that certainly did not arrive (no connection, a 4xx refusal) puts the job back in
///   the queue here, free to go elsewhere. An offer with no answer leaves the job `sending`: the
///   peer may hold it, so it goes nowhere else until the peer confirms a withdrawal.
/// - The peer's answer moves it to `sent`, with the peer's job id; the worker then reads the
///   peer's state until it is final: `printed` there is `printed` here, with the peer's printer
///   and time; anything else final there goes to manual review here.
///
/// After a crash nothing is reconciled away: the worker resumes `sending` jobs by offering them
/// again and `sent` ones by reading their state. At its deadline a `queued` job, or a `sending`
/// one whose withdrawal the peer confirms, goes on along the chain.
public actor PeerDestinationWorker: JobDestination {
    public nonisolated let id: String
    private let executor: DedicatedQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let client: PeerClient
    let store: LanyardStore
    let chain: DestinationChain
    let kioskID: String
    let location: String?
    let metrics: AgentMetrics
    let logger: Logger
    /// Called with the place a job went on to, so that its worker wakes.
    let moved: @Sendable (String) -> Void
    /// How often a held job's state is read from the peer.
    let pollInterval: Duration
    private let signal = WorkSignal()
    private let published: Mutex<DestinationStatus>
    private var backoff = ExponentialBackoff()

    init(
        destination: AgentConfiguration.Destination, url: URL, token: String, store: LanyardStore, chain: DestinationChain,
        kioskID: String, metrics: AgentMetrics, logger: Logger, pollInterval: Duration = .milliseconds(200),
        moved: @escaping @Sendable (String) -> Void
    ) throws {
        id = destination.id
        executor = DedicatedQueueExecutor(label: "lanyard.peer.\(destination.id)")
        client = try PeerClient(destination: destination, url: url, token: token)
        self.store = store
        self.chain = chain
        self.kioskID = kioskID
        location = destination.location
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
        self.moved = moved
        published = Mutex(DestinationStatus(id: destination.id, kind: "peer", location: destination.location))
    }

    public nonisolated var status: DestinationStatus { published.withLock { $0 } }

    public nonisolated func nudge() { signal.signal() }

    public func run() async {
        while !Task.isCancelled {
            let wait = await step()
            _ = await signal.wait(upTo: wait)
        }
    }

    /// One pass over this peer's jobs; returns how long to rest before the next.
    func step() async -> Duration {
        var rest: Duration = .seconds(3600)
        let now = Date()
        let sending: [PrintJob]
        do {
            try moveOverdue(now: now)
            sending = try store.jobs(printerID: id, in: [.sending])
        } catch {
            logger.error("cannot read the jobs handed to a peer", metadata: ["peer": "\(id)", "error": "\(error)"])
            return .seconds(1)
        }
        // Offers that got no answer first (after a crash, or the peer was away), then new ones.
        for job in sending {
            if chain.dueAt(job) <= now, await withdrawAndMoveOn(job) { continue }
            guard await offer(job) else { return backoff.next() }
        }
        while true {
            let claimed: PrintJob?
            do { claimed = try store.claimNextJob(printerID: id) } catch {
                logger.error("cannot claim a job for a peer", metadata: ["peer": "\(id)", "error": "\(error)"])
                return .seconds(1)
            }
            guard let job = claimed else { break }
            guard await offer(job) else { return backoff.next() }
        }
        // Those the peer holds, the ones just handed over included.
        let sent = (try? store.jobs(printerID: id, in: [.sent])) ?? []
        for job in sent {
            await follow(job)
        }
        if !sent.isEmpty { rest = pollInterval }
        if let due = (try? store.queuedJobs(printerID: id))?.map({ chain.dueAt($0) }).min() {
            rest = min(rest, .milliseconds(max(10, Int(due.timeIntervalSince(Date()) * 1000))))
        }
        backoff.reset()
        return rest
    }

    /// Sends the offer; false when the peer could not be reached (the pass ends and backs off).
    private func offer(_ job: PrintJob) async -> Bool {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "peer"] = "\(id)"
        var attendee: Attendee
        do { attendee = try JSONDecoder().decode(Attendee.self, from: job.payload) } catch {
            review(job, because: "the job's stored request cannot be read: \(error)", remote: nil, log: log)
            return true
        }
        // The name as the attendee corrected it here: the peer prints what this kiosk showed.
        if let shown = try? store.shown(attendee) { attendee = shown }
        do { try store.recordOffer(jobID: job.id, destination: id) } catch {
            log.error("cannot record an offer before sending it; not sending", metadata: ["error": "\(error)"])
            return false
        }
        let started = ContinuousClock.now
        let result = await client.offer(
            PeerOffer(
                idempotencyKey: job.idempotencyKey, correlationID: job.correlationID, from: kioskID, attendee: attendee,
                priority: job.priority))
        let seconds = Self.seconds(ContinuousClock.now - started)
        switch result {
        case .success(let answer) where answer.state == PeerHandoverStatus.withdrawn:
            // Only a withdrawal this agent confirmed makes that answer, and a withdrawn job is
            // not offered again: a person should look.
            metrics.recordPeerOffer(seconds: seconds, outcome: "withdrawn")
            review(job, because: "the peer answered that this badge was withdrawn from it", remote: answer, log: log)
            return true
        case .success(let answer):
            metrics.recordPeerOffer(seconds: seconds, outcome: "accepted")
            reachable(true, detail: nil)
            do {
                try store.markHandedOver(
                    id: job.id, destination: id, remoteRef: answer.jobID.map(String.init) ?? "", remoteState: answer.state,
                    note: "handed over to \(id)\(answer.jobID.map { " as its job \($0)" } ?? "")")
                log.info("badge handed over to a peer", metadata: ["remote_job": "\(answer.jobID.map(String.init) ?? "")"])
            } catch {
                log.error("cannot record a hand-over; it is offered again next time", metadata: ["error": "\(error)"])
            }
            return true
        case .failure(let failure):
            metrics.recordPeerOffer(seconds: seconds, outcome: Self.outcome(failure))
            reachable(!Self.unreached(failure), detail: failure.message)
            switch failure {
            case .notDelivered, .refused:
                // The peer does not hold it: back to the queue here, free to go elsewhere.
                do {
                    try store.clearOffer(jobID: job.id)
                    try store.scheduleRetry(id: job.id, error: "peer \(id): \(failure.message)", at: Date())
                } catch {
                    log.error("cannot put back a job the peer did not take", metadata: ["error": "\(error)"])
                }
                log.warning("peer did not take the badge", metadata: ["why": "\(failure.message)"])
            case .uncertain:
                log.warning("no answer from the peer to an offer; it is sent again", metadata: ["why": "\(failure.message)"])
            }
            return false
        }
    }

    /// Reads the peer's state of a job it holds and settles it here once the peer's is final.
    private func follow(_ job: PrintJob) async {
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "peer"] = "\(id)"
        switch await client.status(idempotencyKey: job.idempotencyKey) {
        case .failure(let failure):
            reachable(!Self.unreached(failure), detail: failure.message)
            if case .refused(404, _) = failure {
                review(job, because: "the peer no longer knows this badge (\(failure.message))", remote: nil, log: log)
            }
        case .success(let answer):
            reachable(true, detail: nil)
            switch answer.state {
            case JobState.printed.apiName:
                let place = [answer.printer, answer.location].compactMap { $0 }.joined(separator: ", ")
                let printedAt = answer.printedAt.flatMap(Timestamps.parse) ?? Date()
                do {
                    try store.markPrintedAway(
                        id: job.id, place: place.isEmpty ? nil : place, printedAt: printedAt,
                        note: "printed by \(id)\(place.isEmpty ? "" : " on \(place)") at \(Timestamps.iso8601(printedAt))")
                    metrics.recordOutcome(.printed)
                    log.info("badge printed by a peer", metadata: ["where": "\(place)"])
                } catch {
                    log.error("cannot record a badge printed by a peer", metadata: ["error": "\(error)"])
                }
            case JobState.queued.apiName, JobState.sending.apiName, JobState.sent.apiName:
                try? store.recordRemoteState(jobID: job.id, state: answer.state)
            default:
                review(job, because: "the peer reports the badge \(answer.state)", remote: answer, log: log)
            }
        }
    }

    /// Asks the peer to give back an offer that got no answer; on its confirmation the job goes
    /// on along the chain. False when it stays (no next place, the peer holds it, or no answer).
    private func withdrawAndMoveOn(_ job: PrintJob) async -> Bool {
        guard let next = chain.next(after: id, handedOver: (try? store.handedOverBy(jobID: job.id)) != nil) else { return false }
        switch await client.withdraw(idempotencyKey: job.idempotencyKey, from: kioskID) {
        case .success(let answer) where answer.state == PeerHandoverStatus.withdrawn:
            do {
                try store.takeBack(id: job.id, to: next, actor: "agent", reason: "not taken by \(id) before its deadline; withdrawn")
                metrics.recordDeadlineMove(to: next)
                moved(next)
                return true
            } catch {
                logger.error("cannot move a withdrawn job on", metadata: ["job": "\(job.id)", "error": "\(error)"])
                return false
            }
        case .success(let answer):
            // The peer has it: record the hand-over the lost answer would have.
            _ = try? store.markHandedOver(
                id: job.id, destination: id, remoteRef: answer.jobID.map(String.init) ?? "", remoteState: answer.state,
                note: "handed over to \(id) (found when withdrawing)")
            return true
        case .failure:
            return false
        }
    }

    /// Queued jobs past their deadline go on along the chain.
    private func moveOverdue(now: Date) throws(StoreError) {
        for job in try store.queuedJobs(printerID: id) where chain.dueAt(job) <= now {
            guard let next = chain.next(after: id, handedOver: try store.handedOverBy(jobID: job.id) != nil) else { continue }
            do {
                try store.reassign(id: job.id, to: next, actor: "agent", reason: "not taken by \(id) before its deadline")
                metrics.recordDeadlineMove(to: next)
                moved(next)
            } catch {
                continue
            }
        }
    }

    private func review(_ job: PrintJob, because reason: String, remote: PeerHandoverStatus?, log: Logger) {
        var diagnostic = ["peer": id, "reason": reason]
        diagnostic["remote_state"] = remote?.state
        diagnostic["remote_job"] = remote?.jobID.map(String.init)
        do {
            _ = try store.moveToManualReview(id: job.id, diagnostic: try JSONEncoder().encode(diagnostic), note: reason)
            metrics.recordOutcome(.manualReview)
            log.error("badge handed to a peer sent to manual review", metadata: ["reason": "\(reason)"])
        } catch {
            log.error("cannot send a job to manual review", metadata: ["error": "\(error)"])
        }
    }

    private func reachable(_ reached: Bool, detail: String?) {
        published.withLock {
            if $0.reachable != reached {
                logger.log(
                    level: reached ? .notice : .warning, reached ? "peer reachable" : "peer unreachable", metadata: ["peer": "\(id)"])
            }
            $0.reachable = reached
            $0.detail = detail
        }
    }

    private static func unreached(_ failure: DeliveryFailure) -> Bool {
        if case .notDelivered = failure { return true }
        if case .uncertain = failure { return true }
        return false
    }

    private static func outcome(_ failure: DeliveryFailure) -> String {
        switch failure {
        case .notDelivered: "not_delivered"
        case .refused: "refused"
        case .uncertain: "uncertain"
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
