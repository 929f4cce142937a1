import Attendees
import Foundation
import Logging
import Printers
import Store

/// With several printers: a printer that has been unable to print (out of paper, open, paused,
/// unreachable, resting after faults) for `queue.handover_seconds` hands its queued jobs to
/// printers of the box that can, chosen as a new badge would be (`PrinterRouting`). Only queued
/// jobs move, each with its idempotency key (`LanyardStore.reassign`): a badge being sent, or
/// sent and held by the printer, stays where it is and prints there once the printer recovers.
///
/// It sleeps until a printer's state changes (the workers ring `printerStateChanged`) or until a
/// blocked printer's time is up, so a box whose printers are fine costs no wake-ups for it.
struct PrinterHandover: Sendable {
    let core: AgentCore
    let after: Duration

    init(core: AgentCore) {
        self.core = core
        after = .milliseconds(Int(core.configuration.queue.handoverSeconds * 1000))
    }

    func run() async {
        guard let changed = core.printerStateChanged, core.workers.count > 1 else { return }
        var blockedSince: [String: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            let now = ContinuousClock.now
            var nextCheck: Duration = .seconds(3600)
            for (id, worker) in core.workers.sorted(by: { $0.key < $1.key }) {
                guard worker.state.cannotPrint else {
                    blockedSince[id] = nil
                    continue
                }
                let since = blockedSince[id] ?? now
                blockedSince[id] = since
                let waited = since.duration(to: now)
                if waited >= after {
                    // Jobs queued meanwhile are handed over at the next look, a second later at most.
                    handOver(from: id, state: worker.state)
                    nextCheck = min(nextCheck, .seconds(1))
                } else {
                    nextCheck = min(nextCheck, after - waited)
                }
            }
            _ = await changed.wait(upTo: nextCheck)
        }
    }

    private func handOver(from source: String, state: WorkerSnapshot) {
        let jobs: [PrintJob]
        do { jobs = try core.store.queuedJobs(printerID: source) } catch {
            core.logger.error("cannot read the queue to hand it over", metadata: ["printer": "\(source)", "error": "\(error)"])
            return
        }
        guard !jobs.isEmpty else { return }
        let why = state.status.sortedConditions.filter { $0 != .unknown && $0 != .ready }.map(\.rawValue) + [state.activity.rawValue]
        let reason = "printer \(source) could not print (\(why.joined(separator: ", "))) for \(after)"
        var moved: [String: Int] = [:]
        for job in jobs {
            guard let attendee = try? JSONDecoder().decode(Attendee.self, from: job.payload) else { continue }
            let target = core.route(attendee, priority: job.priority, excluding: source)
            guard target != source, core.printerLoad(target).ready else { continue }
            do {
                try core.store.reassign(id: job.id, to: target, actor: "agent", reason: reason)
                moved[target, default: 0] += 1
            } catch {
                // Claimed or cancelled meanwhile: it is no longer this hand-over's to move.
                continue
            }
        }
        for (target, count) in moved {
            core.workers[target]?.nudge()
            core.metrics.recordHandover(from: source, to: target, jobs: count)
            core.logger.warning(
                "queued badges handed to another printer",
                metadata: ["from": "\(source)", "to": "\(target)", "jobs": "\(count)", "reason": "\(why.joined(separator: ","))"])
        }
    }
}
