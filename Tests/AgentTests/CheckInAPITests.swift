import Agent
import Attendees
import Badges
import Foundation
import HTTPTypes
import HummingbirdTesting
import Store
import Testing

/// `POST /v1/checkins` records the check-in (for the registry, through the outbox) before the
/// badge job, and tells the kiosk page about an earlier check-in without refusing the badge.
@Suite struct CheckInAPITests {
    @Test func aScanIsRecordedQueuedUpstreamAndASecondScanIsToldAboutTheFirst() async throws {
        try await withAgent { harness, client in
            let event = harness.core.event
            var session = Intake(event: event).makeSession()
            let samples = try session.acceptJSONLines(in: AgentHarness.repositoryRoot.appending(path: "Templates/sample-attendees.jsonl"))
            let attendee = try #require(samples.outcomes.compactMap(\.attendee).first)
            let body = #"{"payload": "\#(CheckIn.payload(for: attendee, secret: event.checkInSecret))"}"#
            let kiosk = harness.core.configuration.kioskID

            let first = try await post(client, "/v1/checkins", body)
            #expect(first.status == .accepted, "\(json(first))")
            #expect(json(first)["already_checked_in"] == nil, "nobody checked this attendee in before")
            let state = try #require(try harness.store.checkInState(attendeeID: attendee.attendeeID))
            let checkIn = try #require(state.local.first)
            #expect(state.local.count == 1 && checkIn.kioskID == kiosk && checkIn.event == attendee.eventSlug)
            let upstream = try harness.store.pendingOutbox(limit: 100).filter { $0.kind == "check_in" }
            #expect(upstream.map(\.nonce) == [checkIn.nonce])

            let second = try await post(client, "/v1/checkins", body)
            #expect(second.status == .ok, "the badge job already exists: \(json(second))")
            #expect(json(second)["duplicate"] as? Bool == true)
            let earlier = try #require(json(second)["already_checked_in"] as? [String: Any])
            #expect(earlier["kiosk_id"] as? String == kiosk)
            #expect(earlier["scanned_at"] as? String == ScanTime.text(checkIn.scannedAt))
            #expect(try harness.store.checkInState(attendeeID: attendee.attendeeID)?.local.count == 2)
            #expect(try harness.store.pendingOutbox(limit: 100).filter { $0.kind == "check_in" }.count == 2)
        }
    }

    @Test func aForgedTicketRecordsNoCheckIn() async throws {
        try await withAgent { harness, client in
            let forged = "\(harness.core.event.slug)|00000000-0000-4000-8000-000000000001|AAAAAAAAAAAAAAAAAAAAAA|general"
            let refused = try await post(client, "/v1/checkins", #"{"payload": "\#(forged)"}"#)
            #expect(refused.status == .unauthorized)
            #expect(try harness.store.pendingOutbox(limit: 100).filter { $0.kind == "check_in" }.isEmpty)
        }
    }

    @Test func theKioskIDComesFromTheFileOrTheEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-kiosk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "agent.yaml")
        try Data("kiosk_id: hall-a-1\n".utf8).write(to: file)

        #expect(try AgentConfiguration.load(file: file.path, environment: [:]).kioskID == "hall-a-1")
        #expect(try AgentConfiguration.load(file: file.path, environment: ["LANYARD_KIOSK_ID": "hall-b-2"]).kioskID == "hall-b-2")
        let defaulted = try AgentConfiguration.load(file: nil, environment: [:])
        #expect(!defaulted.kioskID.isEmpty && defaulted.kioskID == AgentConfiguration.defaultKioskID)

        try Data("kiosk_id: \"  \"\n".utf8).write(to: file)
        #expect(throws: AgentError.self) { try AgentConfiguration.load(file: file.path, environment: [:]) }
    }
}
