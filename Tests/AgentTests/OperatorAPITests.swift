import Agent
import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing

/// What the operator page reads: one overview with every kind of work an operator handles (jobs
/// with their times, dead letters, reviews, check-ins), the kiosk's health and how jobs ended
/// hour by hour, for an operator only.
@Suite(.serialized) struct OperatorAPITests {
    static let staff = StaffSignInTests()

    static func options() throws -> AgentOptions {
        var options = AgentOptions()
        options.staff = [
            StaffMember(name: "Ana", role: .operator, pinHash: try PinHash.make(pin: StaffSignInTests.operatorPIN)),
            StaffMember(name: "Tom", role: .technician, pinHash: try PinHash.make(pin: StaffSignInTests.technicianPIN)),
        ]
        return options
    }

    /// Signs in and returns the session cookie to send.
    func signIn(_ client: any TestClientProtocol, _ name: String, _ pin: String) async throws -> HTTPFields {
        let response = try await Self.staff.signIn(client, name, pin)
        #expect(response.status == .ok)
        return [.cookie: try Self.staff.cookie(response)]
    }

    /// A job on a printer no worker serves, ended in `state` at `at`.
    func job(_ store: LanyardStore, _ key: String, endedAs state: JobState, at: Date) throws {
        _ = try store.enqueue(
            NewPrintJob(idempotencyKey: key, correlationID: key, printerID: "elsewhere", payload: Data("{}".utf8)), maxQueued: 100,
            now: at)
        let claimed = try #require(try store.claimNextJob(printerID: "elsewhere", now: at))
        switch state {
        case .printed:
            _ = try store.markSent(id: claimed.id, now: at)
            _ = try store.markPrinted(id: claimed.id, now: at)
        case .manualReview:
            _ = try store.markSent(id: claimed.id, now: at)
            _ = try store.moveToManualReview(id: claimed.id, diagnostic: Data("{}".utf8), now: at)
        default:
            _ = try store.moveToDeadLetters(id: claimed.id, stage: .render, code: "render.all_tiers_failed", reason: "no template", now: at)
        }
    }

    @Test func theOverviewListsEveryKindOfWorkAnOperatorHandles() async throws {
        try await withAgent(try Self.options()) { harness, client in
            let printed = try await submitBadge(client, "OV-1")
            #expect(try await finalState(client, job: printed) == "printed")
            let rejected = try await post(client, "/v1/badges", #"{"attendee": {"source":"crm","source_id":"OV-2"}}"#)
            let letter = try #require((json(rejected)["error"] as? [String: Any])?["dead_letter_id"] as? Int)
            let parked = try ManualReviewAPITests().parkedJob(harness.store)
            let event = harness.core.event
            var session = Intake(event: event).makeSession()
            let samples = try session.acceptJSONLines(in: AgentHarness.repositoryRoot.appending(path: "Templates/sample-attendees.jsonl"))
            let attendee = try #require(samples.outcomes.compactMap(\.attendee).first)
            let checkIn = try await post(
                client, "/v1/checkins", #"{"payload": "\#(CheckIn.payload(for: attendee, secret: event.checkInSecret))"}"#)
            let checkInJob = try #require(json(checkIn)["id"] as? Int)
            #expect(try await finalState(client, job: checkInJob) == "printed")

            let ana = try await signIn(client, "Ana", StaffSignInTests.operatorPIN)
            let response = try await client.execute(uri: "/v1/operator/overview", method: .get, headers: ana)
            #expect(response.status == .ok)
            let overview = json(response)

            let jobs = try #require(overview["jobs"] as? [[String: Any]])
            let job = try #require(jobs.first { $0["id"] as? Int == printed })
            #expect(job["state"] as? String == "printed" && job["attendee_name"] as? String == "Ada Lovelace OV-1")
            let times = ["queued_at", "sent_at", "printed_at"].compactMap { job[$0] as? String }
            #expect(times.count == 3 && times == times.sorted(), "queued, sent and printed, in that order: \(times)")
            let letters = try #require(overview["dead_letters"] as? [[String: Any]])
            #expect(letters.map { $0["id"] as? Int } == [letter])
            let review = try #require(overview["manual_review"] as? [[String: Any]])
            #expect(review.map { $0["id"] as? Int } == [Int(parked.id)])
            #expect((review.first?["diagnostic"] as? [String: Any])?["conditions"] as? [String] == ["head_open"])
            let checkIns = try #require(overview["check_ins"] as? [[String: Any]])
            #expect(checkIns.map { $0["attendee_id"] as? String } == [attendee.attendeeID])
            #expect(checkIns.first?["attendee_name"] as? String == attendee.displayNameForTests)
            #expect(checkIns.first?["kiosk_id"] as? String == harness.options.kioskID)

            let health = try #require(overview["health"] as? [String: Any])
            #expect((health["printers"] as? [[String: Any]])?.count == 1)
            #expect((health["readiness"] as? [String: Any])?["ready"] as? Bool == true)
            #expect((health["registry"] as? [String: Any])?["enabled"] as? Bool == false)
            let disk = try #require(health["disk"] as? [String: Any])
            #expect((disk["free_bytes"] as? Int ?? 0) > 0 && (disk["total_bytes"] as? Int ?? 0) >= (disk["free_bytes"] as? Int ?? 0))
            #expect(health["queue_depth"] as? Int == 0)

            let series = try #require(overview["series"] as? [String: Any])
            #expect(series["hours"] as? Int == 6 && series["bucket_seconds"] as? Int == 600)
            #expect((series["buckets"] as? [[String: Any]])?.count == 36)
            let total = try #require(series["total"] as? [String: Any])
            #expect(total["printed"] as? Int == 2 && total["manual_review"] as? Int == 1 && total["dead_lettered"] as? Int == 0)
            #expect((total["success_ratio"] as? Double).map { abs($0 - 2.0 / 3.0) < 1e-9 } == true)

            let listed = try await client.execute(uri: "/v1/checkins?limit=5", method: .get, headers: ana)
            #expect((json(listed)["check_ins"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func onlyAnOperatorReadsTheOverview() async throws {
        try await withAgent(try Self.options()) { _, client in
            for uri in ["/v1/operator/overview", "/v1/checkins"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .unauthorized, "\(uri) anonymous")
                let tom = try await signIn(client, "Tom", StaffSignInTests.technicianPIN)
                #expect(try await client.execute(uri: uri, method: .get, headers: tom).status == .forbidden, "\(uri) technician")
            }
            let ana = try await signIn(client, "Ana", StaffSignInTests.operatorPIN)
            for hours in ["0", "25", "six"] {
                let refused = try await client.execute(uri: "/v1/operator/overview?hours=\(hours)", method: .get, headers: ana)
                #expect(refused.status == .badRequest, "hours=\(hours)")
            }
            let day = json(try await client.execute(uri: "/v1/operator/overview?hours=24", method: .get, headers: ana))
            #expect(((day["series"] as? [String: Any])?["buckets"] as? [[String: Any]])?.count == 144)
        }
    }

    @Test func aJobCountsInTheBucketItEndedInEdgesIncluded() async throws {
        try await withAgent { harness, _ in
            let store = harness.store
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try job(store, "before", endedAs: .printed, at: start.addingTimeInterval(-0.001))
            try job(store, "first-edge", endedAs: .printed, at: start)
            try job(store, "first-last", endedAs: .printed, at: start.addingTimeInterval(599.999))
            try job(store, "second-edge", endedAs: .printed, at: start.addingTimeInterval(600))
            try job(store, "second-dead", endedAs: .deadLettered, at: start.addingTimeInterval(600.001))
            try job(store, "third-review", endedAs: .manualReview, at: start.addingTimeInterval(1799.999))
            try job(store, "after", endedAs: .printed, at: start.addingTimeInterval(1800))

            let buckets = try store.jobOutcomes(from: start, bucketSeconds: 600, count: 3)
            #expect(buckets.map(\.start) == [start, start.addingTimeInterval(600), start.addingTimeInterval(1200)])
            #expect(buckets.map(\.printed) == [2, 1, 0])
            #expect(buckets.map(\.deadLettered) == [0, 1, 0])
            #expect(buckets.map(\.manualReview) == [0, 0, 1])
            #expect(buckets.map(\.successRatio) == [1, 0.5, 0])
            #expect(try store.jobOutcomes(from: start.addingTimeInterval(-600), bucketSeconds: 600, count: 1).map(\.printed) == [1])
            #expect(OutcomeBucket(start: start).successRatio == nil, "no job ended: no ratio, not zero")
        }
    }
}

extension Attendee {
    /// The name the overview shows, spelled out here independently of the agent's code.
    fileprivate var displayNameForTests: String {
        [preferredName ?? firstName, lastName].compactMap { $0 }.joined(separator: " ")
    }
}
