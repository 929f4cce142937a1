import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Printers
import Raster
import Testing

/// What the kiosk page reads: the badge preview is the raster that prints, dot for dot, and a
/// job's event stream follows it to `printed` and then ends.
@Suite(.serialized) struct KioskAPITests {
    static let registration =
        #"{"source":"crm","source_id":"K-1","event_slug":"devcon-2026","first_name":"Grace","last_name":"Hopper","email":"grace@example.org","ticket_type":"VIP","locale":"de-DE"}"#

    @Test func thePreviewIsThePrintedRasterAndTheEventStreamEndsAtPrinted() async throws {
        try await withAgent(AgentOptions()) { harness, client in
            let accepted = try await post(client, "/v1/badges", #"{"attendee": \#(Self.registration)}"#)
            #expect(accepted.status == .accepted)
            let id = try #require(json(accepted)["id"] as? Int)
            let attendeeID = try #require(json(accepted)["attendee_id"] as? String)

            // The stream is read to its end: it must end on its own once the job is printed.
            let stream = try await client.execute(uri: "/v1/jobs/\(id)/events", method: .get)
            #expect(stream.status == .ok && stream.headers[.contentType] == "text/event-stream")
            let events = String(buffer: stream.body).components(separatedBy: "\n\n").filter { $0.hasPrefix("event: job\ndata: ") }
            let states = try events.map { event -> String in
                let data = Data(event.dropFirst("event: job\ndata: ".count).utf8)
                let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                return try #require((object["job"] as? [String: Any])?["state"] as? String)
            }
            #expect(states.last == "printed", "\(states)")
            #expect(Set(states).count == states.count, "an event only when something changed: \(states)")

            let preview = try await client.execute(uri: "/v1/attendees/\(attendeeID)/badge.png", method: .get)
            #expect(preview.status == .ok && preview.headers[.contentType] == "image/png")
            #expect(preview.headers[.cacheControl] == "no-store")
            let printed = try #require(try harness.simulator.printedLabels.first?.bitmap)
            #expect(Array(preview.body.readableBytesView) == (try printed.png()), "the preview is the printed raster")

            let attendee = json(try await client.execute(uri: "/v1/kiosk/attendees/\(attendeeID)", method: .get))
            #expect(attendee["locale"] as? String == "de-DE")
            let missing = try await client.execute(uri: "/v1/attendees/nobody/badge.png", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test func anotherEventsTicketIsToldApartFromAForgery() async throws {
        try await withAgent(AgentOptions()) { _, client in
            let other = try await post(client, "/v1/checkins", #"{"payload": "devcon-2027|someone|AAAAAAAAAAAAAAAAAAAAAA|vip"}"#)
            #expect(other.status == .unprocessableContent)
            #expect((json(other)["error"] as? [String: Any])?["code"] as? String == "agent.ticket_other_event")
            let forged = try await post(client, "/v1/checkins", #"{"payload": "devcon-2026|someone|AAAAAAAAAAAAAAAAAAAAAA|vip"}"#)
            #expect(forged.status == .unauthorized)
        }
    }

    @Test func aPublicSearchShowsAHandfulAndOnlyWhatIdentifiesAPerson() async throws {
        try await withAgent(AgentOptions()) { _, client in
            let short = try await client.execute(uri: "/v1/kiosk/search?q=ca", method: .get)
            #expect(short.status == .badRequest, "two letters list no one")
            let found = try await client.execute(uri: "/v1/kiosk/search?q=carter", method: .get)
            #expect(found.status == .ok)
            let text = String(buffer: found.body)
            let matches = try #require(json(found)["matches"] as? [[String: Any]])
            #expect(!matches.isEmpty && matches.count <= 5)
            #expect(matches.contains { $0["name"] as? String == "Thomas C." }, "\(text)")
            #expect(!text.contains("@") && !text.contains("Carter"), "no email and no full last name: \(text)")
            // 20 a minute for the whole kiosk: the list cannot be paged through.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<20 { statuses.append(try await client.execute(uri: "/v1/kiosk/search?q=ada", method: .get).status) }
            #expect(statuses.contains(.tooManyRequests))
            let limited = try await client.execute(uri: "/v1/kiosk/search?q=ada", method: .get)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
        }
    }
}
