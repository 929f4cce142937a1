public import Foundation
import Logging
public import Store

/// Keeps every badge within its deadline (`DestinationChain`): a badge still `queued` at the
/// box's printers when its time is up goes to the first destination off the box; a badge past
/// its deadline with no place left, or held where it cannot move (sending, sent), is flagged to
/// the operator: logged once, counted, audited, and listed on the operator's page.
/// (Destinations move their own overdue badges on, since a peer's may first need withdrawing.)
///
/// It sleeps until the earliest deadline of a waiting badge, or until a badge is accepted; with
/// nothing waiting it costs no wake-ups.
struct DeadlineWatch: Sendable {
    let core: AgentCore

    func run() async {
        var flagged: Set<Int64> = []
        while !Task.isCancelled {
            let wait = pass(flagged: &flagged, now: Date())
            _ = await core.jobAccepted.wait(upTo: wait)
        }
    }

    /// One look at the unfinished badges; returns how long to sleep.
    func pass(flagged: inout Set<Int64>, now: Date) -> Duration {
        let jobs: [PrintJob]
        do { jobs = try core.store.unfinishedJobs() } catch {
            core.logger.error("cannot read the unfinished jobs for their deadlines", metadata: ["error": "\(error)"])
            return .seconds(5)
        }
        let chain = core.chain
        var nextDue: Date?
        var newlyOverdue: [PrintJob] = []
        for job in jobs {
            let due = chain.dueAt(job)
            guard due <= now else {
                nextDue = min(nextDue ?? due, due)
                continue
            }
            let next = core.nextPlace(for: job)
            if job.state == .queued, chain.printers.contains(job.printerID), let next, let destination = core.destinations[next] {
                do {
                    try core.store.reassign(
                        id: job.id, to: next, actor: "agent",
                        reason: "not printed by the box's printers within \(Int(chain.deadline)) s")
                    core.metrics.recordDeadlineMove(to: next)
                    destination.nudge()
                    core.logger.warning("badge past its deadline sent on", metadata: ["job": "\(job.id)", "to": "\(next)"])
                    // Its time at the new place counts from now.
                    let dueThere = now.addingTimeInterval(chain.deadline)
                    nextDue = min(nextDue ?? dueThere, dueThere)
                    continue
                } catch {
                    // Claimed meanwhile: it is printing here after all.
                    continue
                }
            }
            if core.isOverdue(job, next: next, now: now), flagged.insert(job.id).inserted { newlyOverdue.append(job) }
        }
        flagged.formIntersection(jobs.map(\.id))
        if !newlyOverdue.isEmpty { flag(newlyOverdue, now: now) }
        let stuck = !flagged.isEmpty
        guard let nextDue else { return stuck ? .seconds(5) : .seconds(3600) }
        let until = Duration.milliseconds(max(20, Int(nextDue.timeIntervalSince(now) * 1000) + 5))
        return stuck ? min(until, .seconds(5)) : until
    }

    private func flag(_ jobs: [PrintJob], now: Date) {
        for job in jobs {
            core.metrics.recordOverdue()
            _ = try? core.store.audit(
                action: "job.overdue", actor: "agent", subject: "job:\(job.id)",
                details: ["printer_id": job.printerID, "state": job.state.apiName, "deadline_seconds": "\(Int(core.chain.deadline))"])
        }
        core.logger.warning(
            "badges past their deadline with nowhere left to go; flagged to the operator",
            metadata: ["jobs": "\(jobs.count)", "first_job": "\(jobs[0].id)"])
    }
}

extension AgentCore {
    /// Where the job goes after the place it waits at now, if anywhere.
    func nextPlace(for job: PrintJob) -> String? {
        chain.next(after: job.printerID, handedOver: (try? store.handedOverBy(jobID: job.id)) != nil)
    }

    /// Past its deadline with no place left to go, or held where it cannot move (being sent, or
    /// sent and not confirmed): what the operator is shown. A queued badge with a next place is
    /// about to move, not overdue.
    func isOverdue(_ job: PrintJob, next: String?, now: Date) -> Bool {
        guard !job.state.isTerminal, chain.dueAt(job) <= now else { return false }
        return job.state != .queued || next == nil
    }

    /// The unfinished badges past their deadline with nowhere to go, oldest first.
    public func overdueJobs(now: Date = Date(), limit: Int = 50) throws -> [PrintJob] {
        // The deadline first: where a job would go next is a query, asked only of those past it.
        Array(
            try store.unfinishedJobs().lazy.filter { self.chain.dueAt($0) <= now }
                .filter { self.isOverdue($0, next: self.nextPlace(for: $0), now: now) }.prefix(limit))
    }
}
