import Attendees
import Foundation
import LanyardSupport
import Logging
import Store

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
public actor PeerDestinationWorker: DestinationWorker {
    public nonisolated let id: String
    private let executor: DedicatedQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let place: DestinationPlace
    let client: PeerClient
    /// How often a held job's state is read from the peer.
    let pollInterval: Duration
    var backoff = ExponentialBackoff()

    init(
        destination: AgentConfiguration.Destination, url: URL, token: String, place: DestinationPlace,
        pollInterval: Duration = .milliseconds(200)
    ) throws {
        id = destination.id
        executor = DedicatedQueueExecutor(label: "lanyard.peer.\(destination.id)")
        client = try PeerClient(destination: destination, url: url, token: token)
        self.place = place
        self.pollInterval = pollInterval
    }

    /// An offer that got no answer: past its deadline, withdrawn and moved on if the peer
    /// confirms; otherwise offered again.
    func resume(_ job: PrintJob) async -> Bool {
        if place.chain.dueAt(job) <= Date(), await withdrawAndMoveOn(job) { return true }
        return await send(job)
    }

    /// Sends the offer; false when the peer could not be reached (the pass ends and backs off).
    func send(_ job: PrintJob) async -> Bool {
        let log = place.log(job)
        var attendee: Attendee
        do { attendee = try JSONDecoder().decode(Attendee.self, from: job.payload) } catch {
            place.review(job, because: "the job's stored request cannot be read: \(error)")
            return true
        }
        // The name as the attendee corrected it here: the peer prints what this kiosk showed.
        if let shown = try? place.store.shown(attendee) { attendee = shown }
        do { try place.store.recordOffer(jobID: job.id, destination: id) } catch {
            log.error("cannot record an offer before sending it; not sending", metadata: ["error": "\(error)"])
            return false
        }
        let started = ContinuousClock.now
        let result = await client.offer(
            PeerOffer(
                idempotencyKey: job.idempotencyKey, correlationID: job.correlationID, from: place.kioskID, attendee: attendee,
                priority: job.priority))
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        switch result {
        case .success(let answer) where answer.state == PeerHandoverStatus.withdrawn:
            // Only a withdrawal this agent confirmed makes that answer, and a withdrawn job is
            // not offered again: a person should look.
            place.metrics.recordPeerOffer(seconds: seconds, outcome: "withdrawn")
            place.review(job, because: "the peer answered that this badge was withdrawn from it", facts: Self.facts(answer))
        case .success(let answer):
            place.metrics.recordPeerOffer(seconds: seconds, outcome: "accepted")
            place.reachable(true, detail: nil)
            place.handedOver(
                job, remoteRef: answer.jobID.map(String.init) ?? "", remoteState: answer.state,
                note: "handed over to \(id)\(answer.jobID.map { " as its job \($0)" } ?? "")")
        case .failure(let failure):
            place.metrics.recordPeerOffer(seconds: seconds, outcome: Self.outcome(failure))
            place.reachable(Self.reached(failure), detail: failure.message)
            switch failure {
            case .notDelivered, .refused:
                place.putBack(job, because: "peer \(failure.message)")
            case .uncertain:
                log.warning("no answer from the peer to an offer; it is sent again", metadata: ["why": "\(failure.message)"])
            }
            return false
        }
        return true
    }

    /// Reads the peer's state of a job it holds and settles it here once the peer's is final.
    func follow(_ job: PrintJob) async {
        switch await client.status(idempotencyKey: job.idempotencyKey) {
        case .failure(let failure):
            place.reachable(Self.reached(failure), detail: failure.message)
            if case .refused(404, _) = failure {
                place.review(job, because: "the peer no longer knows this badge (\(failure.message))")
            }
        case .success(let answer):
            place.reachable(true, detail: nil)
            switch answer.state {
            case JobState.printed.apiName:
                let where_ = [answer.printer, answer.location].compactMap { $0 }.joined(separator: ", ")
                let printedAt = answer.printedAt.flatMap(Timestamps.parse) ?? Date()
                place.printed(
                    job, place: where_.isEmpty ? nil : where_, printedAt: printedAt,
                    note: "printed by \(id)\(where_.isEmpty ? "" : " on \(where_)") at \(Timestamps.iso8601(printedAt))")
            case JobState.queued.apiName, JobState.sending.apiName, JobState.sent.apiName:
                try? place.store.recordRemoteState(jobID: job.id, state: answer.state)
            default:
                place.review(job, because: "the peer reports the badge \(answer.state)", facts: Self.facts(answer))
            }
        }
    }

    /// Asks the peer to give back an offer that got no answer; on its confirmation the job goes
    /// on along the chain. False when it stays (no next place, the peer holds it, or no answer).
    private func withdrawAndMoveOn(_ job: PrintJob) async -> Bool {
        guard let next = place.next(for: job) else { return false }
        switch await client.withdraw(idempotencyKey: job.idempotencyKey, from: place.kioskID) {
        case .success(let answer) where answer.state == PeerHandoverStatus.withdrawn:
            do {
                try place.store.takeBack(id: job.id, to: next, actor: "agent", reason: "not taken by \(id) before its deadline; withdrawn")
                place.metrics.recordDeadlineMove(to: next)
                place.moved(next)
                return true
            } catch {
                place.log(job).error("cannot move a withdrawn job on", metadata: ["error": "\(error)"])
                return false
            }
        case .success(let answer):
            // The peer has it: record the hand-over the lost answer would have.
            place.handedOver(
                job, remoteRef: answer.jobID.map(String.init) ?? "", remoteState: answer.state,
                note: "handed over to \(id) (found when withdrawing)")
            return true
        case .failure:
            return false
        }
    }

    private static func facts(_ answer: PeerHandoverStatus) -> [String: String] {
        var facts = ["remote_state": answer.state]
        facts["remote_job"] = answer.jobID.map(String.init)
        return facts
    }

    /// Whether the request got as far as the peer (a refusal is an answer).
    private static func reached(_ failure: DeliveryFailure) -> Bool {
        if case .refused = failure { return true }
        return false
    }

    private static func outcome(_ failure: DeliveryFailure) -> String {
        switch failure {
        case .notDelivered: "not_delivered"
        case .refused: "refused"
        case .uncertain: "uncertain"
        }
    }
}
