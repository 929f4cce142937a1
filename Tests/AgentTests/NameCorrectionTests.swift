import Agent
import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Printers
import Raster
import Store
import Testing

/// An attendee changes how their name is written on the badge: a correction beside the
/// registration (which stays as it came), audited, printed on the badge and every reprint. At
/// the kiosk it may only write the registered name differently, and only before a badge printed;
/// staff may write any name, with a reason.
@Suite struct NameCorrectionTests {
    static let admin: HTTPFields = [.authorization: "Bearer \(AgentHarness.adminToken)"]

    func cachedAttendee(_ harness: AgentHarness, first: String, last: String) throws -> Attendee {
        let record =
            #"{"source":"crm","source_id":"name-\#(UUID().uuidString)","event_slug":"devcon-2026","first_name":"\#(first)","last_name":"\#(last)","email":"x@example.org","ticket_type":"VIP"}"#
        let attendee = try #require(Intake(event: harness.core.event).validate(jsonObject: Data(record.utf8), line: nil).attendee)
        try harness.store.upsertAttendees([attendee])
        return attendee
    }

    func preview(_ client: any TestClientProtocol, _ id: String) async throws -> [UInt8] {
        Array(try await client.execute(uri: "/v1/attendees/\(id)/badge.png", method: .get).body.readableBytesView)
    }

    @Test func theSameNameWrittenDifferentlyIsAllowedAndAnotherNameIsNot() {
        #expect(NameCorrection.writesSameName("José García López", as: "jose garcia-lopez"))
        #expect(NameCorrection.writesSameName("O’Brien", as: "OBRIEN"))
        #expect(NameCorrection.writesSameName("Zoë", as: "ZOE"))
        #expect(!NameCorrection.writesSameName("Bob", as: "Robert"))
        #expect(!NameCorrection.writesSameName("Anna", as: "Ana"), "a letter more is another name")
        #expect(!NameCorrection.writesSameName("--", as: "--"), "no letters is no name")
        #expect(NameCorrection.problem(with: "Ada") == nil)
        #expect(NameCorrection.problem(with: "直子") == nil)
        #expect(NameCorrection.problem(with: "") != nil)
        #expect(NameCorrection.problem(with: "Ada2") != nil)
        #expect(NameCorrection.problem(with: "Ada 🎉") != nil)
        #expect(NameCorrection.problem(with: "<b>Ada</b>") != nil)
        #expect(NameCorrection.problem(with: String(repeating: "a", count: 65)) != nil)
        #expect(NameCorrection.tidy("  José   María ") == "José María")
    }

    @Test func aKioskCorrectionIsKeptBesideTheRegistrationAndPrinted() async throws {
        try await withAgent { harness, client in
            let attendee = try cachedAttendee(harness, first: "Jose", last: "Garcia lopez")
            let id = attendee.attendeeID
            let before = try await preview(client, id)
            let view = json(try await client.execute(uri: "/v1/kiosk/attendees/\(id)", method: .get))
            #expect(view["name_corrections"] as? Bool == true, "the sample event allows it")

            let renamed = try await post(client, "/v1/kiosk/attendees/\(id)/name", #"{"first_name": "José", "last_name": "García  López"}"#)
            #expect(renamed.status == .ok, "\(json(renamed))")
            #expect(json(renamed)["first_name"] as? String == "José" && json(renamed)["last_name"] as? String == "García López")
            #expect(try harness.store.attendee(id: id)?.firstName == "Jose", "the registration stays as it came")
            let audit = try harness.store.auditEntries(limit: 10)
            #expect(audit.contains { $0.action == "attendee.name_correction" && $0.actor == "kiosk" && $0.subject == "attendee:\(id)" })
            #expect(!audit.contains { $0.details.values.contains("García López") }, "names stay out of the audit trail")

            let after = try await preview(client, id)
            #expect(after != before, "the preview shows the corrected name")
            let accepted = try await post(client, "/v1/badges", #"{"attendee_id": "\#(id)"}"#)
            let jobID = try #require(json(accepted)["id"] as? Int)
            #expect(try await finalState(client, job: jobID) == "printed")
            let printed = try #require(try harness.simulator.printedLabels.last?.bitmap)
            #expect((try printed.png()) == after, "the badge prints the corrected name, dot for dot as previewed")

            let again = try await post(client, "/v1/kiosk/attendees/\(id)/name", #"{"first_name": "JOSE", "last_name": "GARCIA LOPEZ"}"#)
            #expect(again.status == .conflict, "after a printed badge a change needs staff")
            #expect((json(again)["error"] as? [String: Any])?["code"] as? String == "agent.name_change_needs_staff")
        }
    }

    @Test func aDifferentNameNeedsStaffAndAReason() async throws {
        try await withAgent { harness, client in
            let attendee = try cachedAttendee(harness, first: "Robert", last: "Tables")
            let id = attendee.attendeeID
            let kiosk = try await post(client, "/v1/kiosk/attendees/\(id)/name", #"{"first_name": "Bob", "last_name": "Tables"}"#)
            #expect(kiosk.status == .conflict, "\(json(kiosk))")
            for bad in [
                #"{"first_name": "", "last_name": "Tables"}"#, #"{"first_name": "Bob1", "last_name": "Tables"}"#, #"{"first_name": "Bob"}"#,
            ] {
                let refused = try await post(client, "/v1/kiosk/attendees/\(id)/name", bad)
                #expect(refused.status == .badRequest, "\(bad): \(json(refused))")
            }
            #expect(try harness.store.nameCorrection(attendeeID: id) == nil)

            let anonymous = try await post(
                client, "/v1/attendees/\(id)/name", #"{"first_name": "Bob", "last_name": "Tables", "reason": "x"}"#)
            #expect(anonymous.status == .unauthorized)
            let noReason = try await post(
                client, "/v1/attendees/\(id)/name", #"{"first_name": "Bob", "last_name": "Tables"}"#, headers: Self.admin)
            #expect(noReason.status == .badRequest)
            let staff = try await post(
                client, "/v1/attendees/\(id)/name", #"{"first_name": "Bob", "last_name": "Tables", "reason": "goes by Bob"}"#,
                headers: Self.admin)
            #expect(staff.status == .ok, "\(json(staff))")
            let correction = try #require(try harness.store.nameCorrection(attendeeID: id))
            #expect(correction.firstName == "Bob" && correction.actor == "admin" && correction.reason == "goes by Bob")
            let unknown = try await post(client, "/v1/kiosk/attendees/nobody/name", #"{"first_name": "A", "last_name": "B"}"#)
            #expect(unknown.status == .notFound)
        }
    }
}
