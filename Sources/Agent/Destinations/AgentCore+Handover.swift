import Attendees
import Foundation
import LanyardSupport
import Logging
import Store

/// The receiving agent's side of the peer hand-over (docs/handover.md).
extension AgentCore {
    /// A peer's offer: one job per idempotency key, on the printer this agent would choose,
    /// durable before the answer. True when this offer made the job.
    func receiveHandover(_ offer: PeerOffer, correlationID: String) throws -> (status: PeerHandoverStatus, created: Bool) {
        guard !offer.idempotencyKey.isEmpty, offer.idempotencyKey.utf8.count <= 200 else {
            throw AgentError(.requestInvalid, "the idempotency key must be 1 to 200 bytes", detail: "$.idempotency_key")
        }
        guard !offer.from.trimmingCharacters(in: .whitespaces).isEmpty, offer.from.count <= 200 else {
            throw AgentError(.requestInvalid, "from names the handing kiosk: 1 to 200 characters", detail: "$.from")
        }
        let priority = offer.priority ?? .normal
        let printerID = route(offer.attendee, priority: priority)
        let job = NewPrintJob(
            idempotencyKey: offer.idempotencyKey, correlationID: offer.correlationID.isEmpty ? correlationID : offer.correlationID,
            attendeeID: offer.attendee.attendeeID, printerID: printerID, payload: try JSONEncoder().encode(offer.attendee),
            priority: priority)
        let receipt: HandoverReceipt
        do { receipt = try store.receiveHandover(job, from: offer.from, maxQueued: configuration.queue.maxQueued) } catch {
            let failure: StoreError = error
            guard failure.code == .queueFull else { throw failure }
            throw AgentError(.queueFull, "the queue for \(printerID) is full", detail: "\(configuration.queue.maxQueued) jobs")
        }
        switch receipt {
        case .accepted(let job):
            workers[job.printerID]?.nudge()
            jobAccepted.signal()
            logger.info(
                "badge handed over by a peer",
                metadata: ["from": "\(offer.from)", "job": "\(job.id)", "correlation_id": "\(job.correlationID)"])
            return (try handoverStatus(of: job), true)
        case .duplicate(let job):
            return (try handoverStatus(of: job), false)
        case .withdrawn:
            return (PeerHandoverStatus(state: PeerHandoverStatus.withdrawn, idempotencyKey: offer.idempotencyKey), false)
        }
    }

    /// What became of a handed-over key here; nil when this agent never heard of it.
    func handoverStatus(idempotencyKey: String) throws -> PeerHandoverStatus? {
        if let job = try store.job(idempotencyKey: idempotencyKey) { return try handoverStatus(of: job) }
        if try store.handoverWithdrawn(idempotencyKey: idempotencyKey) {
            return PeerHandoverStatus(state: PeerHandoverStatus.withdrawn, idempotencyKey: idempotencyKey)
        }
        return nil
    }

    func withdrawHandover(idempotencyKey: String, from: String) throws -> PeerHandoverStatus {
        guard !from.trimmingCharacters(in: .whitespaces).isEmpty, from.count <= 200 else {
            throw AgentError(.requestInvalid, "from names the handing kiosk: 1 to 200 characters", detail: "$.from")
        }
        switch try store.withdrawHandover(idempotencyKey: idempotencyKey, from: from) {
        case .withdrawn:
            logger.info("hand-over withdrawn by its peer", metadata: ["from": "\(from)"])
            return PeerHandoverStatus(state: PeerHandoverStatus.withdrawn, idempotencyKey: idempotencyKey)
        case .kept(let job):
            return try handoverStatus(of: job)
        }
    }

    func handoverStatus(of job: PrintJob) throws -> PeerHandoverStatus {
        let record = try store.destinationRecord(jobID: job.id)
        let printedAt = job.state == .printed ? (record?.printedAt ?? job.updatedAt) : nil
        return PeerHandoverStatus(
            state: job.state.apiName, idempotencyKey: job.idempotencyKey, jobID: job.id, printer: job.printerID,
            location: location(of: job.printerID), printedAt: printedAt.map(Timestamps.iso8601))
    }

    /// Where an attendee collects what `place` (a printer of the box, a destination) prints.
    public func location(of place: String) -> String? {
        if let printer = configuration.configuredPrinters.first(where: { ($0.id ?? defaultPrinter) == place }) { return printer.location }
        return configuration.destinations.first { $0.id == place }?.location
    }
}
