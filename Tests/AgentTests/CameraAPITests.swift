import Agent
import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardHTTP
import LanyardSupport
import Printers
import Raster
import Store
import Testing

/// `POST /v1/kiosk/decode`: the kiosk camera's grayscale frames, read on the box. A printed
/// badge's QR code reads back as the text a keyboard scanner would have typed, and the page checks
/// in with it; a frame too large, of another size than it says, or not sent as raw pixels is a
/// problem, never a crash.
@Suite struct CameraAPITests {
    static let frameType: HTTPFields = [.contentType: "application/octet-stream"]

    func decode(_ client: any TestClientProtocol, _ pixels: [UInt8], width: Int, height: Int) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/kiosk/decode?width=\(width)&height=\(height)", method: .post, headers: Self.frameType,
            body: ByteBuffer(bytes: pixels))
    }

    func problem(_ response: TestResponse) throws -> Problem.Body {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView)).error
    }

    @Test func aPrintedBadgesCodeReadsBackAndChecksIn() async throws {
        try await withAgent { harness, client in
            let id = try await submitBadge(client, "CAM-1")
            #expect(try await finalState(client, job: id) == "printed")
            let badge = try #require(try harness.simulator.printedLabels.first?.bitmap)
            let attendeeID = try #require(try await job(client, id)["attendee_id"] as? String)
            let attendee = try #require(try harness.store.attendee(id: attendeeID))
            let payload = CheckIn.payload(for: attendee, secret: harness.core.event.checkInSecret)

            // The badge as printed, somewhere in a larger gray frame.
            let width = badge.width + 200, height = badge.height + 120
            var pixels = [UInt8](repeating: 110, count: width * height)
            badge.drawLuminance(into: &pixels, frameWidth: width, atX: 137, y: 71)
            let read = try await decode(client, pixels, width: width, height: height)
            #expect(read.status == .ok)
            let symbols = try JSONDecoder().decode(DecodedSymbolList.self, from: Data(read.body.readableBytesView)).symbols
            #expect(symbols.map(\.text) == [payload])
            #expect(symbols.map(\.format) == ["qr_code"])

            // The page checks in with what it read, as with a scanner's text: the badge's job.
            let checkIn = try await post(client, "/v1/checkins", try JSONEncoder().encode(["payload": symbols[0].text]))
            #expect(checkIn.status == .ok, "\(json(checkIn))")
            #expect(json(checkIn)["id"] as? Int == id)
        }
    }

    @Test func aFrameWithoutACodeHasNoSymbols() async throws {
        try await withAgent { _, client in
            var random = SplitMix64(seed: 7)
            let noise = (0..<(640 * 480)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let read = try await decode(client, noise, width: 640, height: 480)
            #expect(read.status == .ok)
            #expect(String(buffer: read.body) == #"{"symbols":[]}"#)
            let blank = try await decode(client, [UInt8](repeating: 255, count: 320 * 240), width: 320, height: 240)
            #expect(String(buffer: blank.body) == #"{"symbols":[]}"#)
        }
    }

    @Test func aFrameTooLargeOrOfAnotherSizeIsAProblem() async throws {
        try await withAgent { harness, client in
            let large = try await decode(client, [UInt8](repeating: 255, count: 2049 * 2048), width: 2049, height: 2048)
            #expect(large.status == .badRequest)
            #expect(try problem(large).code == "agent.request_invalid" && problem(large).detail == "body")

            let short = try await decode(client, [UInt8](repeating: 255, count: 1000), width: 640, height: 480)
            #expect(short.status == .badRequest)
            #expect(try problem(short).code == "symbols.invalid_image")

            let wide = try await decode(client, [UInt8](repeating: 255, count: 5000), width: 5000, height: 1)
            #expect(try problem(wide).code == "symbols.invalid_image")

            for query in ["width=640", "height=480&width=six", "width=-1&height=480"] {
                let missing = try await client.execute(
                    uri: "/v1/kiosk/decode?\(query)", method: .post, headers: Self.frameType, body: ByteBuffer(bytes: [0, 0]))
                #expect(missing.status == .badRequest, "\(query)")
            }
            #expect(try harness.store.recentJobs(state: nil, limit: 10).isEmpty, "reading a frame changes nothing")
        }
    }

    /// The frame is raw pixels: a text or JSON body is refused at the browser boundary, since a
    /// page of another site could send text/plain without asking.
    @Test func aFrameNotSentAsRawPixelsIsRefused() async throws {
        try await withAgent { _, client in
            for type in ["text/plain", "application/json", "application/x-www-form-urlencoded"] {
                let refused = try await client.execute(
                    uri: "/v1/kiosk/decode?width=2&height=1", method: .post, headers: [.contentType: type],
                    body: ByteBuffer(bytes: [0, 255]))
                #expect(refused.status == .unsupportedMediaType, "\(type)")
                #expect(try problem(refused).code == "http.content_type_required")
            }
            let foreign = try await client.execute(
                uri: "/v1/kiosk/decode?width=2&height=1", method: .post,
                headers: [.contentType: "application/octet-stream", .origin: "https://attacker.example"], body: ByteBuffer(bytes: [0, 255]))
            #expect(foreign.status == .forbidden)
        }
    }

    /// Two frames are read at a time; more at once are refused with Retry-After rather than
    /// queued, as the camera sends a newer frame a moment later.
    @Test func framesBeyondTwoAtATimeAreRefusedForNow() async throws {
        try await withAgent { _, client in
            var random = SplitMix64(seed: 11)
            let noise = (0..<(2048 * 2048)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<8 { group.addTask { try await decode(client, noise, width: 2048, height: 2048) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let statuses = responses.map(\.status.code)
            #expect(Set(statuses).isSubset(of: [200, 429]), "\(statuses)")
            #expect(statuses.contains(200) && statuses.contains(429), "\(statuses)")
            for refused in responses where refused.status == .tooManyRequests {
                #expect(refused.headers[.retryAfter] == "1")
                #expect(try problem(refused).code == "agent.rate_limited")
            }
        }
    }
}
