import Foundation
import Sync
import Testing

/// The contracts between a kiosk and the registry server are defined once, in Sync, and both
/// sides encode and decode them with `WireJSON`: what one writes the other reads back unchanged,
/// with one date encoding (UTC, milliseconds) and the snake_case names the API documents.
@Suite struct WireContractTests {
    static let instant = Date(timeIntervalSince1970: 1_796_630_400.125)

    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> [String: Any] {
        let data = WireJSON.encode(value)
        #expect(try WireJSON.decoder.decode(T.self, from: data) == value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func anAgentReportReadsBackAsSent() throws {
        let report = AgentReport(
            agentID: "kiosk-1", sentAt: Self.instant, publicKey: String(repeating: "ab", count: 32), targetsVersion: 7, freshness: .fresh,
            templates: [.init(name: "templates/standard", label: "1.0.0", digest: "d1", state: .active)],
            printers: [.init(id: "usb:1", activity: "idle", ready: true, conditions: ["ready"])], queueDepth: 2,
            rollbacks: [.init(name: "templates/vip", from: "2.0", to: "last stable", reason: "renders failed", at: Self.instant)])
        let wire = try roundTrip(report)
        #expect(wire["sent_at"] as? String == "2026-12-07T08:00:00.125Z")
        #expect(
            Set(wire.keys) == [
                "agent_id", "sent_at", "public_key", "targets_version", "freshness", "templates", "printers",
                "queue_depth", "rollbacks",
            ])
    }

    @Test func uploadsAndTheirAnswersReadBackAsSent() throws {
        let checkIn = CheckInUpload(nonce: "n-1", attendeeID: "a-1", event: "devcon-2026", kioskID: "door-1", scannedAt: Self.instant)
        #expect(try roundTrip(checkIn)["scanned_at"] as? String == "2026-12-07T08:00:00.125Z")
        let result = PrintResultUpload(
            nonce: "n-2", jobID: "42", attendeeID: "a-1", state: .manualReview, template: "standard",
            templateVersion: "standard@1.0.0", tier: "event", finishedAt: Self.instant)
        #expect(try roundTrip(result)["state"] as? String == "manual_review")
        let answer = CheckInBatchResult(
            accepted: 1, duplicates: 0,
            resolutions: [
                .init(
                    event: "devcon-2026", cursor: 9,
                    resolution: CheckInResolution(
                        attendeeID: "a-1", nonce: "n-1", kioskID: "door-1",
                        scannedAt: Self.instant))
            ])
        let resolved = try #require((try roundTrip(answer)["resolutions"] as? [[String: Any]])?.first)
        #expect(resolved["cursor"] as? Int == 9 && resolved["nonce"] as? String == "n-1", "flat: the resolution beside event and cursor")
        _ = try roundTrip(UploadBatchResult(accepted: 3, duplicates: 1))
    }

    @Test func datesAreReadInEveryISOFormAKioskMightSend() throws {
        for text in ["2026-12-07T08:00:00Z", "2026-12-07T08:00:00.000Z", "2026-12-07T09:00:00+01:00"] {
            let json = Data(#"{"nonce":"n","attendee_id":"a","event":"e","kiosk_id":"k","scanned_at":"\#(text)"}"#.utf8)
            let upload = try WireJSON.decoder.decode(CheckInUpload.self, from: json)
            #expect(upload.scannedAt == Date(timeIntervalSince1970: 1_796_630_400), "\(text)")
        }
        let garbled = Data(#"{"nonce":"n","attendee_id":"a","event":"e","kiosk_id":"k","scanned_at":"yesterday"}"#.utf8)
        #expect(throws: DecodingError.self) { try WireJSON.decoder.decode(CheckInUpload.self, from: garbled) }
    }
}
