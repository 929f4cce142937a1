import Agent
import Attendees
import Badges
import Foundation
import HummingbirdTesting
import Logging
import Printers
import Raster
import Store
import Testing

/// Printer faults, driven through the API against the simulator switched between modes while
/// jobs are in flight: states that stop printing pause the queue at no cost in attempts;
/// transport faults are retried with backoff, at most `max_attempts` sends, then parked for
/// manual review; the circuit breaker opens, holds, probes and closes; a printer that does not
/// answer is never assumed to have printed. Every wait is a bounded poll, never a timing claim.
@Suite(.serialized) struct AgentFaultTests {
    /// Quick retries, a breaker that stays out of the way unless a test sets it, a short cool-down.
    static func options(_ change: (inout AgentOptions) -> Void = { _ in }) -> AgentOptions {
        var options = AgentOptions()
        options.retryBaseMilliseconds = 20
        options.breakerFailures = 100
        options.breakerCoolDownSeconds = 0.5
        change(&options)
        return options
    }

    // MARK: States that stop printing

    @Test(arguments: [SimulatorMode.paperOut, .headOpen, .paused])
    func aPrinterStateMidBatchPausesTheQueueWithoutCountingAttempts(_ mode: SimulatorMode) async throws {
        try await withAgent(Self.options()) { harness, client in
            let simulator = try harness.simulator
            // Paced so that the batch is still going when the printer stops.
            let labelBytes = try encodedLabel(harness, sourceID: "B-1").count
            try simulator.setMode(.slow(bytesPerSecond: labelBytes * 4))
            var ids: [Int] = []
            for number in 1...8 { ids.append(try await submitBadge(client, "B-\(number)")) }
            _ = await simulator.waitForLabels(count: 2, timeout: .seconds(120))
            try simulator.setMode(mode)

            let paused = try await eventually { () async throws -> [String: Any]? in
                let state = try await printer(client)
                return state["activity"] as? String == "paused" ? state : nil
            }
            let state = try #require(paused, "the queue pauses while the printer is \(mode)")
            #expect(state["conditions"] as? [String] == [mode.condition.rawValue])
            #expect(state["breaker"] as? String == "closed", "a printer state is not a failure")
            let printedAtPause = simulator.printedLabels.count
            #expect(printedAtPause >= 2 && printedAtPause < ids.count, "the fault came mid-batch")
            #expect((state["queue_depth"] as? Int ?? 0) > 0)

            // While it lasts nothing prints, nothing fails and no attempt is counted again.
            for _ in 0..<20 {
                #expect(try await printer(client)["activity"] as? String == "paused")
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(simulator.printedLabels.count == printedAtPause)
            for id in ids {
                let held = try await job(client, id)
                #expect((held["attempts"] as? Int ?? 0) <= 1, "\(held)")
                #expect(["queued", "sending", "sent", "printed"].contains(held["state"] as? String ?? ""), "\(held)")
            }

            try simulator.setMode(.ready)
            for id in ids {
                #expect(try await finalState(client, job: id) == "printed")
                #expect(try await job(client, id)["attempts"] as? Int == 1, "a paused printer costs no attempt")
                #expect(try retries(harness, id) == 0)
            }
            let labels = simulator.printedLabels
            #expect(labels.count == ids.count, "every badge printed once")
            #expect(Set(labels.map { $0.bitmap.bytes.hashValue }).count == ids.count)
            let resumed = try #require(
                try await eventually { () async throws -> [String: Any]? in
                    let state = try await printer(client)
                    return state["activity"] as? String == "idle" ? state : nil
                })
            #expect(resumed["conditions"] as? [String] == ["ready"] && resumed["queue_depth"] as? Int == 0)
        }
    }

    // MARK: Transport faults

    @Test func aDroppedConnectionIsRetriedWithBackoffThenSentToManualReview() async throws {
        try await withAgent(Self.options { $0.maxAttempts = 3 }) { harness, client in
            let simulator = try harness.simulator
            // Status queries pass; every badge is cut off part-way.
            try simulator.setMode(.dropConnection(afterBytes: 512))
            let ids = [try await submitBadge(client, "D-1"), try await submitBadge(client, "D-2")]
            for id in ids {
                #expect(try await finalState(client, job: id) == "manual_review")
                let parked = try await job(client, id)
                #expect(parked["attempts"] as? Int == 3, "three sends in all: \(parked)")
                #expect((parked["last_error"] as? String ?? "").contains(TransportErrorCode.disconnected.rawValue))

                let stored = try #require(try harness.store.job(id: Int64(id)))
                #expect(stored.history.filter { $0.to == .sending }.count == 3)
                #expect(try retries(harness, id) == 2, "two retries were scheduled, then no more")
                #expect(stored.history.last.map { $0.from == .sending && $0.to == .manualReview } == true)
                let diagnostic = try #require(stored.diagnostic.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: String] })
                #expect(diagnostic["printer"] == "sim" && diagnostic["attempts"] == "3" && diagnostic["breaker"] == "closed")
                #expect((diagnostic["last_error"] ?? "").contains(TransportErrorCode.disconnected.rawValue))
            }
            #expect(simulator.printedLabels.isEmpty, "a badge cut off by the drop never prints")
            let state = try await printer(client)
            #expect(state["breaker"] as? String == "closed" && state["queue_depth"] as? Int == 0)

            // The printer is fine again: new badges print; the parked ones are not sent again.
            try simulator.setMode(.ready)
            let next = try await submitBadge(client, "D-3")
            #expect(try await finalState(client, job: next) == "printed")
            #expect(simulator.printedLabels.count == 1)
            for id in ids { #expect(try await job(client, id)["state"] as? String == "manual_review") }
        }
    }

    /// A worker at rest sleeps for its poll interval, but a retry it scheduled ends that sleep
    /// when it comes due: with an hour between polls, three sends still happen in moments.
    @Test func aRetryIsSentWhenItComesDueNotAtTheNextPoll() async throws {
        try await withAgent(
            Self.options {
                $0.maxAttempts = 3
                $0.pollSeconds = 3600
            }
        ) { harness, client in
            try harness.simulator.setMode(.dropConnection(afterBytes: 512))
            let id = try await submitBadge(client, "DUE-1")
            #expect(try await finalState(client, job: id) == "manual_review")
            #expect(try await job(client, id)["attempts"] as? Int == 3)
            #expect(try retries(harness, id) == 2)
        }
    }

    /// docs/openapi.yaml: `state` is one of queued, sending, sent, printed, manual_review,
    /// dead_lettered, cancelled.
    @Test func documentedStateNames() async throws {
        try await withAgent(Self.options { $0.maxAttempts = 1 }) { harness, client in
            try harness.simulator.setMode(.dropConnection(afterBytes: 512))
            let id = try await submitBadge(client, "N-1")
            #expect(try await finalState(client, job: id) == "manual_review")
            let raw = try await get(client, "/v1/jobs/\(id)")["state"] as? String
            #expect(raw == "manual_review")
        }
    }

    @Test func aPrinterThatRecoversMidRetryPrintsTheJobOnce() async throws {
        try await withAgent(
            Self.options {
                $0.maxAttempts = 5
                $0.retryBaseMilliseconds = 400
            }
        ) { harness, client in
            let simulator = try harness.simulator
            try simulator.setMode(.dropConnection(afterBytes: 512))
            let id = try await submitBadge(client, "R-1")
            let waiting = try await eventually { () async throws -> [String: Any]? in
                let current = try await job(client, id)
                return current["state"] as? String == "queued" && (current["attempts"] as? Int ?? 0) >= 1 ? current : nil
            }
            let retry = try #require(waiting, "the first send fails and a retry is scheduled")
            #expect((retry["last_error"] as? String ?? "").contains(TransportErrorCode.disconnected.rawValue))

            try simulator.setMode(.ready)
            #expect(try await finalState(client, job: id) == "printed")
            let printed = try await job(client, id)
            let attempts = printed["attempts"] as? Int ?? 0
            #expect(attempts >= 2 && attempts <= 5, "\(printed)")
            #expect(try retries(harness, id) == attempts - 1)
            #expect(simulator.printedLabels.count == 1, "printed once: the cut-off sends left nothing behind")
        }
    }

    @Test func aConnectionDroppedAfterTheLastByteIsNotSentAgain() async throws {
        try await withAgent(
            Self.options {
                $0.maxAttempts = 3
                $0.retryBaseMilliseconds = 0
            }
        ) { harness, client in
            let simulator = try harness.simulator
            // A new connection takes one status poll and then exactly one badge before it drops:
            // a badge sent on a fresh connection arrives whole and the drop comes right after.
            let poll = StatusPoll(language: simulator.language, profile: simulator.configuration.profile)
            let pollBytes = poll.queries.reduce(0) { $0 + $1.bytes.count }
            let labelBytes = try encodedLabel(harness, sourceID: "E-1").count
            try simulator.setMode(.dropConnection(afterBytes: pollBytes + labelBytes))
            let id = try await submitBadge(client, "E-1")
            #expect(try await finalState(client, job: id) == "printed")
            #expect(simulator.printedLabels.count == 1, "a badge the printer took whole is never sent again")
            let stored = try #require(try harness.store.job(id: Int64(id)))
            #expect(stored.history.contains { $0.to == .sent })
        }
    }

    // MARK: Circuit breaker

    @Test func theBreakerOpensAfterTheConfiguredFailuresAndHoldsJobsWhileOpen() async throws {
        let options = Self.options {
            $0.maxAttempts = 10
            $0.breakerFailures = 2
            $0.breakerCoolDownSeconds = 3600
        }
        try await withAgent(options) { harness, client in
            let simulator = try harness.simulator
            try simulator.setMode(.dropConnection(afterBytes: 512))
            let ids = [try await submitBadge(client, "C-1"), try await submitBadge(client, "C-2"), try await submitBadge(client, "C-3")]
            let opened = try await eventually { () async throws -> Bool? in
                try await printer(client)["breaker"] as? String == "open" ? true : nil
            }
            #expect(opened == true, "two failed sends in a row open the breaker")
            #expect(try await totalAttempts(client, ids) == 2)

            // The printer is healthy again, but an open breaker holds every job until its cool-down.
            try simulator.setMode(.ready)
            let holding = try await eventually { () async throws -> Bool? in
                try await printer(client)["activity"] as? String == "breaker_open" ? true : nil
            }
            #expect(holding == true)
            for _ in 0..<20 {
                let state = try await printer(client)
                #expect(state["activity"] as? String == "breaker_open" && state["breaker"] as? String == "open")
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(try await totalAttempts(client, ids) == 2, "nothing is sent while the breaker is open")
            for id in ids { #expect(try await job(client, id)["state"] as? String == "queued") }
            #expect(simulator.printedLabels.isEmpty)
            #expect(try await printer(client)["queue_depth"] as? Int == ids.count)
        }
    }

    @Test func anOpenBreakerHalfOpensAfterTheCoolDownAndClosesOnASuccessfulProbe() async throws {
        let options = Self.options {
            $0.maxAttempts = 10
            $0.breakerFailures = 2
            $0.breakerCoolDownSeconds = 0.5
        }
        try await withAgent(options) { harness, client in
            let simulator = try harness.simulator
            let labelBytes = try encodedLabel(harness, sourceID: "H-1").count
            try simulator.setMode(.dropConnection(afterBytes: 512))
            let ids = [try await submitBadge(client, "H-1"), try await submitBadge(client, "H-2"), try await submitBadge(client, "H-3")]
            let opened = try await eventually { () async throws -> Bool? in
                try await printer(client)["breaker"] as? String == "open" ? true : nil
            }
            #expect(opened == true)

            // A slow printer makes the probe last long enough to be seen.
            try simulator.setMode(.slow(bytesPerSecond: max(1, labelBytes / 4)))
            let probing = try await eventually { () async throws -> [String: Any]? in
                let state = try await printer(client)
                return state["breaker"] as? String == "half_open" ? state : nil
            }
            let probe = try #require(probing, "after the cool-down one job probes the printer")
            #expect(probe["activity"] as? String == "printing")
            try simulator.setMode(.ready)

            for id in ids {
                #expect(try await finalState(client, job: id) == "printed")
                let attempts = try await job(client, id)["attempts"] as? Int ?? 0
                #expect(attempts >= 1 && attempts <= 10)
            }
            #expect(try await printer(client)["breaker"] as? String == "closed", "the successful probe closes it")
            let labels = simulator.printedLabels
            #expect(labels.count == ids.count)
            #expect(Set(labels.map { $0.bitmap.bytes.hashValue }).count == ids.count, "each badge once")
        }
    }

    @Test func aPrinterAtAnAddressThatRefusesConnectionsHoldsJobsWithoutSpendingAttempts() async throws {
        // Nothing listens on port 1 of the loopback interface: every connect is refused at once.
        let options = Self.options { $0.printer = .address("tcp://127.0.0.1:1", profile: "zebra-zd621d-300") }
        try await withAgent(options) { _, client in
            let id = try await submitBadge(client, "U-1")
            let unreachable = try await eventually { () async throws -> [String: Any]? in
                let state = try await printer(client)
                return state["activity"] as? String == "disconnected" ? state : nil
            }
            let state = try #require(unreachable)
            #expect(state["breaker"] as? String == "closed", "a printer that cannot be reached was sent nothing")
            for _ in 0..<20 {
                let waiting = try await job(client, id)
                #expect(waiting["state"] as? String == "queued" && waiting["attempts"] as? Int == 0, "\(waiting)")
                try await Task.sleep(for: .milliseconds(25))
            }
        }
    }

    // MARK: Silence

    @Test func aPrinterThatNeverAnswersIsSentNothing() async throws {
        let line = PrinterLine(.silent)
        try await withAgent(Self.options { $0.printer = .simulatorOnLine(line) }) { harness, client in
            let simulator = try harness.simulator
            let id = try await submitBadge(client, "S-1")
            let silent = try await eventually { () async throws -> [String: Any]? in
                let state = try await printer(client)
                return state["activity"] as? String == "paused" ? state : nil
            }
            let state = try #require(silent, "a printer whose state is unknown holds the queue")
            #expect(state["conditions"] as? [String] == ["unknown"])
            for _ in 0..<20 {
                let waiting = try await job(client, id)
                #expect(waiting["state"] as? String == "queued" && waiting["attempts"] as? Int == 0, "\(waiting)")
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(simulator.printedLabels.isEmpty)

            line.state = .answering
            #expect(try await finalState(client, job: id) == "printed")
            #expect(try await job(client, id)["attempts"] as? Int == 1)
            #expect(simulator.printedLabels.count == 1)
        }
    }

    @Test func aBadgeThePrinterNeverConfirmsIsNotReportedPrinted() async throws {
        let line = PrinterLine(.silentAfterNextJob)
        let options = Self.options {
            $0.printer = .simulatorOnLine(line)
            $0.confirmSeconds = 1
        }
        try await withAgent(options) { harness, client in
            let simulator = try harness.simulator
            let id = try await submitBadge(client, "S-2")
            #expect(try await finalState(client, job: id) == "manual_review", "printed is read from the printer, not assumed")
            let parked = try await job(client, id)
            #expect(parked["attempts"] as? Int == 1, "and it is not sent again: \(parked)")
            let stored = try #require(try harness.store.job(id: Int64(id)))
            #expect(stored.history.map(\.to) == [.queued, .sending, .sent, .manualReview])
            let diagnostic = try #require(stored.diagnostic.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: String] })
            #expect((diagnostic["last_error"] ?? "").contains("did not confirm"))
            #expect(diagnostic["status"] == PrinterCondition.unknown.rawValue)
            #expect(simulator.printedLabels.count == 1, "the printer took the badge; only its confirmation is missing")
            let held = try await eventually { () async throws -> [String: Any]? in
                let state = try await printer(client)
                return state["activity"] as? String == "paused" ? state : nil
            }
            #expect(held?["conditions"] as? [String] == ["unknown"], "nothing more is sent to a printer that does not answer")

            // The printer answers again: the next badge prints; the unconfirmed one stays parked.
            line.state = .answering
            let next = try await submitBadge(client, "S-3")
            #expect(try await finalState(client, job: next) == "printed")
            #expect(simulator.printedLabels.count == 2)
            #expect(try await job(client, id)["state"] as? String == "manual_review")
        }
    }

    // MARK: Helpers

    /// Sends of these jobs in all, as the API reports them.
    func totalAttempts(_ client: any TestClientProtocol, _ ids: [Int]) async throws -> Int {
        var total = 0
        for id in ids { total += try await job(client, id)["attempts"] as? Int ?? 0 }
        return total
    }

    /// How many times the job went back to the queue after a failed send.
    func retries(_ harness: AgentHarness, _ id: Int) throws -> Int {
        let stored = try #require(try harness.store.job(id: Int64(id)))
        return stored.history.filter { $0.from == .sending && $0.to == .queued }.count
    }

    /// The bytes the worker sends for the badge of `registration(sourceID)`: the fallback
    /// template rendered for the simulator's profile and encoded with no tuning, as the worker
    /// does (rendering is deterministic).
    func encodedLabel(_ harness: AgentHarness, sourceID: String) throws -> [UInt8] {
        let event = harness.core.event
        let outcome = Intake(event: event).validate(jsonObject: Data(registration(sourceID).utf8), line: nil)
        let attendee = try #require(outcome.attendee)
        let simulator = try harness.simulator
        let profile = simulator.configuration.profile
        let bundle = try TemplateBundle.load(directory: AgentHarness.repositoryRoot.appending(path: "Templates/standard"))
        let renderer = try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: Logger(label: "test"))
        let bitmap = try renderer.render(fields: BadgeFields.fields(for: attendee, event: event)).bitmap
        return try LabelEncoder.encode(bitmap: bitmap, profile: profile, language: simulator.language, overrides: JobOverrides()).bytes
    }
}
