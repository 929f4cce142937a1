import Attendees
import Badges
import Foundation
import LanyardSupport
import Logging
import Printers
import Store
import Synchronization

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
public actor IPPDestinationWorker: DestinationWorker {
    public nonisolated let id: String
    private let executor: DedicatedQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let place: DestinationPlace
    let client: IPPClient
    let documents: BadgeDocuments
    let event: EventConfiguration
    /// How often a job the printer holds is read.
    let pollInterval: Duration
    var backoff = ExponentialBackoff()

    init(
        destination: AgentConfiguration.Destination, printerURI: String, templates: ActiveTemplates, event: EventConfiguration,
        place: DestinationPlace, renderChild: RenderChildClient? = nil, pollInterval: Duration = .milliseconds(500)
    ) throws {
        id = destination.id
        executor = DedicatedQueueExecutor(label: "lanyard.ipp.\(destination.id)")
        client = try IPPClient(printerURI: printerURI)
        documents = BadgeDocuments(templates: templates, child: renderChild, logger: place.logger)
        self.event = event
        self.place = place
        self.pollInterval = pollInterval
    }

    /// Renders and sends one badge; false when the printer could not be reached.
    func send(_ job: PrintJob) async -> Bool {
        var attendee: Attendee
        do { attendee = try JSONDecoder().decode(Attendee.self, from: job.payload) } catch {
            place.deadLetter(
                job, stage: .spool, code: "agent.payload_unreadable", reason: "the job's stored request cannot be read: \(error)")
            return true
        }
        if let shown = try? place.store.shown(attendee) { attendee = shown }
        let document: (bytes: [UInt8], template: String)
        do { document = try documents.pdf(for: attendee, event: event) } catch {
            // Whichever way it failed, the payload is kept with the dead letter and the next badge comes.
            switch error {
            case .tiers:
                place.metrics.recordRenderFailure()
                place.deadLetter(job, stage: .render, code: "render.all_tiers_failed", reason: error.description)
            case .timedOut(let stage, _):
                place.deadLetter(job, stage: stage, code: AgentErrorCode.executionTimeout.rawValue, reason: error.description)
            case .childFailed:
                place.metrics.recordRenderFailure()
                place.deadLetter(job, stage: .render, code: AgentErrorCode.renderChildFailed.rawValue, reason: error.description)
            }
            return true
        }
        do { try place.store.recordOffer(jobID: job.id, destination: id) } catch {
            place.log(job).error("cannot record a print job before sending it; not sending", metadata: ["error": "\(error)"])
            return false
        }
        let outcome = await result { () async throws(IPPError) in
            try await client.printJob(
                document: document.bytes, format: "application/pdf", jobName: job.idempotencyKey, userName: place.kioskID)
        }
        switch outcome {
        case .success(let printing):
            place.reachable(true, detail: nil)
            place.handedOver(
                job, remoteRef: String(printing.id), remoteState: "\(printing.state)",
                note: "sent to \(id) as IPP job \(printing.id) (\(document.template), PDF/A-2b)")
            return true
        case .failure(let error) where !error.requestMayHaveArrived || error.ippStatus != nil:
            // It never arrived, or the printer answered that it made no job.
            place.reachable(error.ippStatus != nil, detail: error.message)
            place.putBack(job, because: error.message)
            return error.ippStatus != nil
        case .failure(let error):
            place.reachable(false, detail: error.message)
            place.log(job).warning(
                "no answer to a print job; the printer's queue is searched before sending again", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Lets an idle render child go, as a printer's worker does between badges.
    func rested() {
        documents.retireIdleChild()
    }

    func stopped() {
        documents.stopChild()
    }

    /// A job sent without an answer: the printer's jobs named by its key say whether it exists.
    func resume(_ job: PrintJob) async -> Bool {
        switch await result({ () async throws(IPPError) in try await client.jobs(named: job.idempotencyKey) }) {
        case .success(let jobs):
            place.reachable(true, detail: nil)
            if let existing = jobs.max(by: { $0.id < $1.id }) {
                place.handedOver(
                    job, remoteRef: String(existing.id), remoteState: "\(existing.state)",
                    note: "found at \(id) as IPP job \(existing.id) after an unanswered request")
            } else {
                place.putBack(job, because: "the printer has no job of this badge: the request did not make one")
            }
            return true
        case .failure(let error):
            place.reachable(false, detail: error.message)
            return false
        }
    }

    /// Reads the printer's job; settles the badge once the job is finished there.
    func follow(_ job: PrintJob) async {
        guard let remote = (try? place.store.destinationRecord(jobID: job.id))?.remoteRef, let remoteID = Int32(remote) else {
            place.review(job, because: "no IPP job is recorded for this badge")
            return
        }
        switch await result({ () async throws(IPPError) in try await client.jobStatus(id: remoteID) }) {
        case .failure(let error):
            place.reachable(!error.requestMayHaveArrived, detail: error.message)
        case .success(let status):
            place.reachable(true, detail: nil)
            switch status.state {
            case .completed:
                let printedAt = Date()
                place.printed(
                    job, place: id, printedAt: printedAt, note: "IPP job \(remoteID) completed at \(id) at \(Timestamps.iso8601(printedAt))"
                )
            case .canceled, .aborted:
                place.review(
                    job, because: "the IPP printer \(status.state == .canceled ? "canceled" : "aborted") job \(remoteID)",
                    facts: ["ipp_job": String(remoteID), "reasons": status.stateReasons.joined(separator: ", ")])
            case .pending, .held, .processing, .stopped:
                try? place.store.recordRemoteState(jobID: job.id, state: "\(status.state)")
            }
        }
    }

    /// `Result` of a typed-throwing async call (no `await` inside a `catch`: see docs/agent.md).
    private func result<T>(_ body: () async throws(IPPError) -> T) async -> Result<T, IPPError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
