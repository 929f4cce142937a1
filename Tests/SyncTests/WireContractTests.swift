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

    /// A publication sent to the registry server: the release's files as base64, the role
    /// `targets` unless told, and nothing but what the action takes.
    @Test func aPublicationAndItsResultReadBackAsSent() throws {
        let request = PublicationRequest(
            action: .publish, target: "templates/standard", kind: .template, scope: .event("devcon-2026"), label: "1.0.0",
            share: 0.25, files: ["template.yaml": Data("name: standard\n".utf8), "fonts/Face.ttf": Data([0, 1, 2])])
        let wire = try roundTrip(request)
        #expect(Set(wire.keys) == ["action", "target", "role", "kind", "scope", "label", "share", "files"])
        #expect(wire["scope"] as? String == "event:devcon-2026" && wire["role"] as? String == "targets")
        #expect((wire["files"] as? [String: String])?["fonts/Face.ttf"] == "AAEC")
        try request.validate()

        let promote = Data(#"{"action":"promote","target":"templates/standard"}"#.utf8)
        let decoded = try WireJSON.decoder.decode(PublicationRequest.self, from: promote)
        #expect(decoded == PublicationRequest(action: .promote, target: "templates/standard"))
        try decoded.validate()
        var stray = decoded
        stray.label = "x"
        #expect(throws: SyncError.self) { try stray.validate() }

        let result = PublicationResult(
            action: .publish, target: "templates/standard", role: "targets", roleVersion: 4, snapshotVersion: 5,
            current: .init(label: "1.0.0", digest: "d1"), staged: .init(label: "1.1.0", digest: "d2", share: 0.25),
            summary: "staged templates/standard: targets version 4 (snapshot 5)")
        #expect(
            Set(try roundTrip(result).keys) == [
                "action", "target", "role", "role_version", "snapshot_version", "current", "staged", "summary", "warnings",
            ])
    }

    /// Every path a kiosk's cache could be tricked with is refused before anything is signed,
    /// the path named; so is a kind that is not the unit's, which would make the role unreadable.
    @Test func aPublicationWithAPathOutsideItsReleaseIsRefused() throws {
        for path in ["../escape", "/etc/passwd", "a//b", "a/./b", ".hidden", "a/b/c/d/e", "a\\b", ""] {
            let request = PublicationRequest(
                action: .publish, target: "templates/standard", kind: .template, label: "1", files: [path: Data("x".utf8)])
            #expect(throws: SyncError.self, "\(path)") { try request.validate() }
            do { try request.validate() } catch { #expect(error.subject == path) }
        }
        let nested = PublicationRequest(
            action: .publish, target: "templates/standard", kind: .template, label: "1", files: ["a": Data(), "a/b": Data()])
        #expect(throws: SyncError.self) { try nested.validate() }
        let wrongKind = PublicationRequest(
            action: .publish, target: "templates/standard", kind: .profiles, label: "1", files: ["a.yaml": Data()])
        #expect(throws: SyncError.self) { try wrongKind.validate() }
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
