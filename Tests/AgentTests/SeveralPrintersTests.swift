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

/// Several printers on one box: badges routed by tier (VIPs and speakers on their own printer)
/// or to the least loaded printer, and a printer that cannot print handing its queued badges to
/// one that can, each badge printed exactly once.
@Suite struct SeveralPrintersTests {
    static func printer(_ id: String, tiers: [String] = []) -> AgentConfiguration.Printer {
        var printer = AgentConfiguration.Printer()
        printer.id = id
        printer.address = "sim"
        printer.pollSeconds = 0.05
        printer.tiers = tiers
        return printer
    }

    func attendee(_ tier: AccessTier, track: String? = nil) -> Attendee {
        Attendee(
            attendeeID: UUID().uuidString.lowercased(), source: "crm", sourceID: UUID().uuidString, eventSlug: "devcon-2026",
            email: "x@example.org", ticketType: tier.rawValue, accessTier: tier, track: track)
    }

    @Test func routesSendNamedTiersToTheirPrinterAndTheRestToTheLeastLoaded() {
        let routing = PrinterRouting(routes: [
            .init(printerID: "hall-1"), .init(printerID: "hall-2"), .init(printerID: "vip", tiers: [.vip, .speaker]),
        ])
        var loads = [
            "hall-1": PrinterRouting.Load(ready: true, queued: 3), "hall-2": .init(ready: true, queued: 1),
            "vip": .init(ready: true, queued: 9),
        ]
        let load = { (id: String) in loads[id]! }
        #expect(routing.printer(for: attendee(.vip), load: load) == "vip", "named tiers go to their printer however loaded")
        #expect(routing.printer(for: attendee(.speaker), load: load) == "vip")
        #expect(routing.printer(for: attendee(.general), load: load) == "hall-2", "the least loaded of the printers for everyone")
        loads["hall-2"] = .init(ready: false, queued: 0)
        #expect(routing.printer(for: attendee(.general), load: { loads[$0]! }) == "hall-1", "a printer that cannot print is passed over")
        loads["vip"] = .init(ready: false, queued: 0)
        #expect(routing.printer(for: attendee(.vip), load: { loads[$0]! }) == "hall-1", "with its own printer down, any ready one")
        #expect(routing.printer(for: attendee(.general), load: { loads[$0]! }, excluding: "hall-1") != "hall-1")
    }

    @Test func aPrinterKeptForAPriorityTakesThoseBadgesAndNoOthers() throws {
        let routing = PrinterRouting(routes: [.init(printerID: "batch"), .init(printerID: "door", priorities: [.high])])
        let loads = ["batch": PrinterRouting.Load(ready: true, queued: 40), "door": .init(ready: true, queued: 0)]
        #expect(routing.printer(for: attendee(.general), priority: .high, load: { loads[$0]! }) == "door")
        #expect(routing.printer(for: attendee(.general), priority: .normal, load: { loads[$0]! }) == "batch", "however loaded")
        #expect(routing.printer(for: attendee(.general), priority: .low, load: { loads[$0]! }) == "batch")
        var configuration = AgentConfiguration()
        configuration.printers = [Self.printer("a"), Self.printer("b")]
        configuration.printers[1].priorities = ["urgent"]
        #expect(throws: AgentError.self) { try configuration.validate() }
        configuration.printers[1].priorities = ["high"]
        try configuration.validate()
    }

    @Test func aBadgeRequestCarriesItsPriorityAndAnUnknownOneIsRefused() async throws {
        try await withAgent { _, client in
            let refused = try await post(client, "/v1/badges", #"{"attendee": \#(registration("prio-0")), "priority": "urgent"}"#)
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("$.priority"), "\(String(buffer: refused.body))")
            let low = try await post(client, "/v1/badges", #"{"attendee": \#(registration("prio-1")), "priority": "low"}"#)
            #expect(json(low)["priority"] as? String == "low")
            let plain = try await post(client, "/v1/badges", #"{"attendee": \#(registration("prio-2"))}"#)
            #expect(json(plain)["priority"] as? String == "normal")
        }
    }

    @Test func printerIdsAreRequiredDistinctAndTiersReal() throws {
        var configuration = AgentConfiguration()
        configuration.printers = [Self.printer("a"), Self.printer("a")]
        #expect(throws: AgentError.self) { try configuration.validate() }
        configuration.printers = [Self.printer("a"), Self.printer("b", tiers: ["royalty"])]
        #expect(throws: AgentError.self) { try configuration.validate() }
        configuration.printers = [Self.printer("a"), AgentConfiguration.Printer()]
        #expect(throws: AgentError.self) { try configuration.validate() }
        configuration.printers = [Self.printer("a"), Self.printer("b", tiers: ["vip"])]
        try configuration.validate()
        #expect(throws: (any Error).self) {
            _ = try AgentConfiguration.load(file: try Self.write("printer: {address: sim}\nprinters: [{id: a, address: sim}]\n"))
        }
    }

    /// Polls `/v1/printers` until `printer` reports `conditions` (bounded, like `eventually`).
    func waitUntil(_ client: any TestClientProtocol, printer: String, reports conditions: [String]) async throws {
        let seen = try await eventually {
            (try await get(client, "/v1/printers")["printers"] as? [[String: Any]])?
                .first { $0["id"] as? String == printer }?["conditions"] as? [String] == conditions ? true : nil
        }
        #expect(seen == true, "\(printer) never reported \(conditions)")
    }

    static func write(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appending(path: "lanyard-printers-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: url)
        return url.path
    }

    @Test func aPrinterOutOfPaperHandsItsQueuedBadgesToTheOtherAndEachPrintsOnce() async throws {
        var options = AgentOptions()
        options.printers = [Self.printer("left"), Self.printer("right")]
        options.handoverSeconds = 0.2
        try await withAgent(options) { harness, client in
            let left = try #require(harness.simulators["left"])
            let right = try #require(harness.simulators["right"])
            // Both start; then the left one runs out of paper with badges queued for it.
            _ = try await eventually { try await get(client, "/v1/printers")["printers"].map { _ in true } }
            try left.setMode(.paperOut)
            try await waitUntil(client, printer: "left", reports: ["paper_out"])
            var ids: [Int] = []
            for number in 0..<12 {
                let response = try await post(
                    client, "/v1/badges", #"{"attendee": \#(registration("handover-\(number)")), "printer": "left"}"#)
                #expect(response.status == .accepted, "\(json(response))")
                ids.append(try #require(json(response)["id"] as? Int))
            }
            for id in ids { #expect(try await finalState(client, job: id) == "printed", "job \(id)") }
            #expect(left.printedLabels.isEmpty, "nothing came out of the printer without paper")
            let ready = try await client.execute(uri: "/v1/ready", method: .get)
            #expect(ready.status == .ok, "one printer of two can print: the kiosk is ready \(json(ready))")
            #expect((json(ready)["not_ready"] as? [String: Any])?["left"] != nil, "and says which one cannot")
            #expect(right.printedLabels.count == ids.count, "each badge once, on the other printer")
            let moved = try harness.store.auditEntries(limit: 100).filter { $0.action == "job.moved" }
            #expect(moved.count == ids.count && moved.allSatisfy { $0.details["from"] == "left" && $0.details["to"] == "right" })
            for id in ids { #expect(try harness.store.job(id: Int64(id))?.printerID == "right") }
            // Paper back: nothing held at the left printer prints a second time.
            try left.setMode(.ready)
            try await Task.sleep(for: .milliseconds(500))
            #expect(left.printedLabels.isEmpty && right.printedLabels.count == ids.count)
        }
    }

    @Test func aBadgeWithoutANamedPrinterGoesWhereItsTierIsRouted() async throws {
        var options = AgentOptions()
        var vipPrinter = Self.printer("vip", tiers: ["vip", "speaker"])
        vipPrinter.profile = "zebra-zd421d-203"
        options.printers = [Self.printer("hall"), vipPrinter]
        try await withAgent(options) { harness, client in
            let vip = try await post(client, "/v1/badges", #"{"attendee": \#(registration("routed-vip"))}"#)
            let general = registration("routed-general").replacingOccurrences(
                of: #""ticket_type":"VIP""#, with: #""ticket_type":"General Admission""#)
            let hall = try await post(client, "/v1/badges", #"{"attendee": \#(general)}"#)
            let vipID = try #require(json(vip)["id"] as? Int)
            let hallID = try #require(json(hall)["id"] as? Int)
            #expect(try await finalState(client, job: vipID) == "printed")
            #expect(try await finalState(client, job: hallID) == "printed")
            #expect(try harness.store.job(id: Int64(vipID))?.printerID == "vip")
            #expect(try harness.store.job(id: Int64(hallID))?.printerID == "hall")
            #expect(harness.simulators["vip"]?.printedLabels.count == 1 && harness.simulators["hall"]?.printedLabels.count == 1)
            // The preview is rendered for the printer the badge goes to (203 dpi here), dot for dot.
            let vipAttendee = try #require(json(vip)["attendee_id"] as? String)
            let preview = try await client.execute(uri: "/v1/attendees/\(vipAttendee)/badge.png", method: .get)
            let printed = try #require(harness.simulators["vip"]?.printedLabels.first?.bitmap)
            #expect(Array(preview.body.readableBytesView) == (try printed.png()))
            let printers = try #require(try await get(client, "/v1/printers")["printers"] as? [[String: Any]])
            #expect(Set(printers.compactMap { $0["id"] as? String }) == ["hall", "vip"])
        }
    }

    @Test func anOperatorMovesOrCancelsAQueuedBadgeWithAReasonAndNothingElse() async throws {
        var options = AgentOptions()
        options.printers = [Self.printer("left"), Self.printer("right")]
        options.handoverSeconds = 600
        let admin: HTTPFields = [.authorization: "Bearer \(AgentHarness.adminToken)"]
        try await withAgent(options) { harness, client in
            let left = try #require(harness.simulators["left"])
            try left.setMode(.paperOut)
            try await waitUntil(client, printer: "left", reports: ["paper_out"])
            var ids: [Int] = []
            for number in 0..<2 {
                let response = try await post(
                    client, "/v1/badges", #"{"attendee": \#(registration("operator-move-\(number)")), "printer": "left"}"#)
                ids.append(try #require(json(response)["id"] as? Int))
            }
            let anonymous = try await post(client, "/v1/jobs/\(ids[0])/move", #"{"printer": "right", "reason": "paper out"}"#)
            #expect(anonymous.status == .unauthorized)
            let noReason = try await post(client, "/v1/jobs/\(ids[0])/move", #"{"printer": "right"}"#, headers: admin)
            #expect(noReason.status == .badRequest)
            let nowhere = try await post(client, "/v1/jobs/\(ids[0])/move", #"{"printer": "roof", "reason": "x"}"#, headers: admin)
            #expect(nowhere.status == .badRequest)
            let moved = try await post(
                client, "/v1/jobs/\(ids[0])/move", #"{"printer": "right", "reason": "left is empty"}"#, headers: admin)
            #expect(moved.status == .ok, "\(json(moved))")
            #expect(try await finalState(client, job: ids[0]) == "printed")
            #expect(harness.simulators["right"]?.printedLabels.count == 1)
            let cancelled = try await post(client, "/v1/jobs/\(ids[1])/cancel", #"{"reason": "attendee left"}"#, headers: admin)
            #expect(cancelled.status == .ok, "\(json(cancelled))")
            #expect(json(cancelled)["state"] as? String == "cancelled")
            let again = try await post(client, "/v1/jobs/\(ids[0])/move", #"{"printer": "left", "reason": "back"}"#, headers: admin)
            #expect(again.status == .conflict, "a printed job does not move: \(json(again))")
            try left.setMode(.ready)
            try await Task.sleep(for: .milliseconds(400))
            #expect(left.printedLabels.isEmpty, "the cancelled badge never prints")
            let audit = try harness.store.auditEntries(limit: 50)
            #expect(audit.contains { $0.action == "job.moved" && $0.actor == "admin" && $0.details["reason"] == "left is empty" })
            #expect(audit.contains { $0.action == "job.cancelled" && $0.details["reason"] == "attendee left" })
        }
    }
}
