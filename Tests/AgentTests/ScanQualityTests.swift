import Attendees
import Badges
import Foundation
import HTTPTypes
import HummingbirdTesting
import LanyardSupport
import NIOCore
import Printers
import Store
import Testing

@testable import Agent

/// The scan-quality loop: how a read is classified, when a window's failures call for an
/// adjustment, what the adjustment changes at the limits, and the loop through the agent's API.
@Suite struct ScanQualityTests {
    static let event = try! EventConfiguration(slug: "devcon-2026", name: "DevCon", checkInSecret: "sample-event-secret-not-for-production")

    /// A verifying ticket whose payload has a y or z in it (the token is random-looking base64).
    static func ticket(containing letters: Set<Character> = ["y", "z"]) -> (payload: String, attendeeID: String) {
        for number in 1...500 {
            let id = String(format: "3f1c5b8e-0000-4000-8000-%012d", number)
            let payload = CheckIn.payload(eventSlug: event.slug, attendeeID: id, accessTier: .general, secret: event.checkInSecret)
            if payload.contains(where: letters.contains) { return (payload, id) }
        }
        fatalError("no payload among 500 has a y or z")
    }

    @Test func eachKindOfRead() {
        let (payload, id) = Self.ticket()
        #expect(ScanClassifier.classify(payload, event: Self.event) == ScanClassification(kind: .success, attendeeID: id))
        for standIn in ["<", ">", "#"] {
            let garbled = payload.replacingOccurrences(of: "|", with: standIn)
            #expect(
                ScanClassifier.classify(garbled, event: Self.event) == ScanClassification(kind: .garbled, attendeeID: id),
                "| typed as \(standIn)")
        }
        let swapped = String(payload.map { $0 == "y" ? "z" : $0 == "z" ? "y" : $0 == "Y" ? "Z" : $0 == "Z" ? "Y" : $0 })
        #expect(swapped != payload)
        #expect(
            ScanClassifier.classify(swapped, event: Self.event) == ScanClassification(kind: .garbled, attendeeID: id), "y and z swapped")
        let both = swapped.replacingOccurrences(of: "|", with: "<")
        #expect(ScanClassifier.classify(both, event: Self.event).kind == .garbled, "a German layout does both")

        var fields = payload.split(separator: "|").map(String.init)
        fields[2] = String(repeating: "A", count: CheckIn.tokenLength)
        #expect(
            ScanClassifier.classify(fields.joined(separator: "|"), event: Self.event)
                == ScanClassification(kind: .unverified, attendeeID: id), "a wrong token names its attendee")
        let other = CheckIn.payload(
            eventSlug: "other-event-2027", attendeeID: id, accessTier: .general, secret: "another-event-secret-0000")
        #expect(ScanClassifier.classify(other, event: Self.event).kind == .unverified)
        #expect(ScanClassifier.classify("a|b|c|d", event: Self.event) == ScanClassification(kind: .unverified, attendeeID: nil))

        #expect(ScanClassifier.classify("hello world", event: Self.event).kind == .unparseable)
        #expect(ScanClassifier.classify("", event: Self.event).kind == .unparseable)
        let damaged = String(payload.replacingOccurrences(of: "|", with: "<").dropLast(3))
        #expect(ScanClassifier.classify(damaged, event: Self.event).kind == .unparseable, "garbled and cut short: nothing to undo")
    }

    func counts(total: Int, failures: Int) -> ScanCounts {
        var counts = ScanCounts()
        counts.success = total - failures
        counts.garbled = failures
        return counts
    }

    @Test func theWindowAdjustsOnlyAboveTheThresholdWithEnoughReads() {
        let settings = ScanQualitySettings(windowSeconds: 1800, minimumScans: 50, failureThreshold: 0.02)
        #expect(!settings.calls(for: counts(total: 49, failures: 20)), "below the minimum never adjusts, however bad")
        #expect(!settings.calls(for: counts(total: 50, failures: 1)), "exactly 2 % does not")
        #expect(!settings.calls(for: counts(total: 150, failures: 3)), "exactly 2 % does not")
        #expect(settings.calls(for: counts(total: 50, failures: 2)))
        #expect(settings.calls(for: counts(total: 149, failures: 3)), "2.01 %")
        #expect(!settings.calls(for: counts(total: 100, failures: 0)))
    }

    static let darkness = SettingRange(min: 0, max: 30, defaultValue: 20)

    @Test func theQRModuleGoesFirstThenDarknessThenNothing() {
        let qr = ScanQualityLoop.choose(currentModule: 5, raisedModule: 6, darkness: 20, darknessRange: Self.darkness, storedFloor: nil)
        #expect(qr.change == .qrModule && qr.from == nil && qr.to == 6)
        let larger = ScanQualityLoop.choose(currentModule: 6, raisedModule: 8, darkness: 20, darknessRange: Self.darkness, storedFloor: nil)
        #expect(larger.change == .qrModule && larger.to == 7, "the floor is one dot up, whatever the smaller symbol gets")
        let floorAgain = ScanQualityLoop.choose(
            currentModule: 6, raisedModule: 7, darkness: 20, darknessRange: Self.darkness, storedFloor: 6)
        #expect(floorAgain.change == .qrModule && floorAgain.from == 6 && floorAgain.to == 7)

        // The box holds no larger module (the raised render fell back to the same one).
        let darker = ScanQualityLoop.choose(currentModule: 5, raisedModule: 5, darkness: 20, darknessRange: Self.darkness, storedFloor: nil)
        #expect(darker.change == .darkness && darker.from == 20 && darker.to == 21)
        let noQR = ScanQualityLoop.choose(
            currentModule: nil, raisedModule: nil, darkness: 29, darknessRange: Self.darkness, storedFloor: nil)
        #expect(noQR.change == .darkness && noQR.to == 30)

        let none = ScanQualityLoop.choose(currentModule: 5, raisedModule: 5, darkness: 30, darknessRange: Self.darkness, storedFloor: nil)
        #expect(none.change == .none && none.from == nil && none.to == nil)
    }

    @Test func settingsAreReadAndChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "agent.yaml")
        func load(_ yaml: String) throws(AgentError) -> AgentConfiguration {
            try? Data(yaml.utf8).write(to: file)
            return try AgentConfiguration.load(file: file.path, environment: [:])
        }
        #expect(try load("kiosk_id: k\n").scanQuality == ScanQualitySettings())
        let read = try load("scan_quality: { window_seconds: 600, minimum_scans: 20, failure_threshold: 0.05, enabled: false }\n")
        #expect(read.scanQuality == ScanQualitySettings(enabled: false, windowSeconds: 600, minimumScans: 20, failureThreshold: 0.05))
        for (yaml, detail) in [
            ("scan_quality: { window_seconds: 10 }", "scan_quality.window_seconds: 10.0"),
            ("scan_quality: { minimum_scans: 0 }", "scan_quality.minimum_scans: 0"),
            ("scan_quality: { failure_threshold: 2 }", "scan_quality.failure_threshold: 2.0"),
        ] {
            do {
                _ = try load(yaml + "\n")
                Issue.record("\(yaml) was accepted")
            } catch {
                #expect(error.code == .configurationInvalid && error.context == detail, "\(error)")
            }
        }
        do {
            _ = try load("scan_quality: { window: 30m }\n")
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.code == .configurationInvalid && error.message.contains("window"), "\(error)")
        }
    }

    static let admin: HTTPFields = [.authorization: "Bearer \(AgentHarness.adminToken)"]

    func authorized(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil
    ) async throws
        -> [String: Any]
    {
        var headers = Self.admin
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        #expect(response.status == .ok, "\(uri): \(json(response))")
        return json(response)
    }

    /// Through the agent: badges print, their scans come in as the kiosk page sends them, a
    /// garbled read past 2 % of the window raises the QR module floor (audited, counted, shown),
    /// the preview for the printer gets the larger module, and a revert restores the tuning.
    @Test func garbledReadsRaiseTheQRModuleAndARevertRestoresIt() async throws {
        var options = AgentOptions()
        options.scanQuality = ScanQualitySettings(windowSeconds: 1800, minimumScans: 10, failureThreshold: 0.02)
        try await withAgent(options) { harness, client in
            let event = harness.core.event
            var session = Intake(event: event).makeSession()
            let samples = try session.acceptJSONLines(in: AgentHarness.repositoryRoot.appending(path: "Templates/sample-attendees.jsonl"))
            let attendees = Array(samples.outcomes.compactMap(\.attendee).prefix(3))
            var tickets: [String] = []
            for attendee in attendees {
                let ticket = CheckIn.payload(for: attendee, secret: event.checkInSecret)
                tickets.append(ticket)
                let response = try await post(client, "/v1/checkins", #"{"payload": "\#(ticket)"}"#)
                let id = try #require(json(response)["id"] as? Int)
                #expect(try await finalState(client, job: id) == "printed")
            }
            let printerID = harness.core.defaultPrinter
            let preview = try #require(harness.core.previews[printerID])
            let before = try #require(try preview.badge(of: attendees[0], options: RenderOptions()).qr)

            // The check-ins read tickets, not printed badges: unattributed. Nine re-scans of the
            // printed badges make nine reads of the printed template, none failed.
            let unattributed = try await authorized(client, .get, "/v1/operator/scan-quality")
            #expect((unattributed["unattributed"] as? [String: Any])?["total"] as? Int == 3, "\(unattributed)")
            for index in 0..<9 {
                let answer = try await post(client, "/v1/scans", #"{"payload": "\#(tickets[index % 3])"}"#)
                #expect(json(answer)["result"] as? String == "success")
            }
            #expect(try harness.store.scanAdjustments().isEmpty, "nine reads, none failed")
            let garbled = tickets[1].replacingOccurrences(of: "|", with: "<")
            let answer = try await post(client, "/v1/scans", #"{"payload": "\#(garbled)"}"#)
            #expect(json(answer)["result"] as? String == "garbled")

            let adjustment = try #require(try harness.store.scanAdjustments(printerKey: printerID).first)
            #expect(adjustment.change == .qrModule && adjustment.status == .pending)
            #expect(adjustment.scans == 10 && adjustment.failures == 1)
            #expect(adjustment.currentModuleDots == before.moduleDots && adjustment.toValue == before.moduleDots + 1)
            #expect(adjustment.templateVersion?.hasPrefix("standard@") == true)
            let tuning = try #require(try harness.store.currentTuning(printerKey: printerID))
            #expect(tuning.qrModuleDots == before.moduleDots + 1)
            let audit = try #require(try harness.store.latestAuditEntry(action: "scan_quality.adjusted", subject: "printer:\(printerID)"))
            #expect(audit.details["scans"] == "10" && audit.details["failures"] == "1" && audit.details["garbled"] == "1")
            #expect(audit.details["failure_rate"] == "10.0" && audit.details["window_seconds"] == "1800")
            #expect(audit.details["to"] == "\(before.moduleDots + 1)")

            let scrape = try await client.execute(uri: "/metrics", method: .get)
            let lines = String(decoding: scrape.body.readableBytesView, as: UTF8.self).split(separator: "\n").map(String.init)
            func counted(_ name: String, _ labels: [String]) -> [String] {
                lines.filter { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
            }
            #expect(
                counted("lanyard_scans_total", [#"result="garbled""#, #"printer="\#(printerID)""#, #"template_version="standard@"#]).map {
                    $0.split(separator: " ").last
                } == ["1"], "\(lines.filter { $0.hasPrefix("lanyard_scan") })")
            #expect(counted("lanyard_scan_quality_adjustments_total", [#"change="qr_module""#, #"printer="\#(printerID)""#]).count == 1)

            // The printer's next badges, as its preview renders them, have the larger module.
            let raised = try #require(
                try preview.badge(of: attendees[0], options: RenderOptions(minimumQRModuleDots: tuning.qrModuleDots)).qr)
            #expect(raised.moduleDots >= before.moduleDots + 1)

            // A new window starts at the adjustment: one more failure does not adjust again.
            _ = try await post(client, "/v1/scans", #"{"payload": "not a ticket at all"}"#)
            #expect(try harness.store.scanAdjustments(printerKey: printerID).count == 1)

            let view = try await authorized(client, .get, "/v1/operator/scan-quality")
            let printers = try #require(view["printers"] as? [[String: Any]])
            let pending = try #require(printers.first?["pending"] as? [[String: Any]])
            #expect(pending.first?["change"] as? String == "qr_module")
            let counts = try #require(printers.first?["counts"] as? [String: Any])
            #expect(counts["unparseable"] as? Int == 1 && counts["total"] as? Int == 1, "the window restarted at the adjustment")

            let path = "/v1/printers/\(printerID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? printerID)/scan-quality"
            let decided = try await authorized(client, .post, "\(path)/adjustments/\(adjustment.id)", #"{"decision": "revert"}"#)
            #expect((decided["adjustment"] as? [String: Any])?["status"] as? String == "reverted")
            #expect(try harness.store.currentTuning(printerKey: printerID)?.qrModuleDots == nil, "the floor is gone again")
            #expect(try harness.store.latestAuditEntry(action: "scan_quality.reverted", subject: "printer:\(printerID)")?.actor == "admin")
            var headers = Self.admin
            headers[.contentType] = "application/json"
            let again = try await client.execute(
                uri: "\(path)/adjustments/\(adjustment.id)", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"decision": "keep"}"#))
            #expect(again.status == .conflict && (json(again)["error"] as? [String: Any])?["code"] as? String == "store.adjustment_decided")
        }
    }
}
