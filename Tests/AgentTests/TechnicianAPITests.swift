import Agent
import BadgePipeline
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Printers
import Store
import Testing

/// The technician's printer tasks: a ladder whose cells carry their settings, a scanned cell
/// stored as the printer's tuning with its reason and history, and tasks refused while the
/// printer cannot do them, with nothing printed.
@Suite struct TechnicianAPITests {
    static let admin: HTTPFields = [.authorization: "Bearer \(AgentHarness.adminToken)"]

    func printerID(_ client: any TestClientProtocol) async throws -> String {
        try #require(try await printer(client)["id"] as? String)
    }

    @Test func aScannedLadderCellBecomesThePrintersTuningAndTheNextBadgePrintsWithIt() async throws {
        try await withAgent { agent, client in
            let simulator = try agent.simulator
            let id = try await printerID(client)
            let ladder = try await post(
                client, "/v1/printers/\(id)/tasks", #"{"action": "ladder", "darkness": [14, 22], "speed_ips": [3]}"#, headers: Self.admin)
            #expect(ladder.status == .ok, "\(json(ladder))")
            let cells = try #require(json(ladder)["cells"] as? [[String: Any]])
            #expect(cells.map { $0["darkness"] as? Int } == [14, 22])
            let labels = await simulator.waitForLabels(count: 2, timeout: .seconds(10))
            #expect(labels.map(\.settings.darkness) == [14, 22], "each cell prints at its own darkness")
            #expect(labels.allSatisfy { $0.settings.printSpeedIPS == 3 })

            let chosen = try #require(cells[1]["payload"] as? String)
            #expect(chosen == "lanyard-ladder|D22|S3|P\(id)")
            let tuned = try await post(
                client, "/v1/printers/\(id)/tuning", #"{"ladder_code": "\#(chosen)", "reason": "ladder on new stock"}"#,
                headers: Self.admin)
            #expect(tuned.status == .ok, "\(json(tuned))")
            let tuning = try #require(json(tuned)["tuning"] as? [String: Any])
            #expect(tuning["darkness"] as? Int == 22 && tuning["speed_ips"] as? Int == 3)
            #expect(json(tuned)["applied"] as? Bool == true)

            let history = json(try await client.execute(uri: "/v1/printers/\(id)/tuning", method: .get, headers: Self.admin))
            let entries = try #require(history["history"] as? [[String: Any]])
            #expect(entries.count == 1 && entries[0]["reason"] as? String == "ladder on new stock")
            let audit = try agent.store.auditEntries(limit: 20)
            #expect(audit.contains { $0.action == "printer.tuning" && $0.details["darkness"] == "22" })
            #expect(audit.contains { $0.action == "printer.ladder" })

            let before = simulator.printedLabels.count
            let jobID = try await submitBadge(client, "tuned-1")
            #expect(try await finalState(client, job: jobID) == "printed")
            let badge = try #require(simulator.printedLabels.dropFirst(before).last)
            #expect(badge.settings.darkness == 22 && badge.settings.printSpeedIPS == 3, "the badge follows the stored tuning")
        }
    }

    @Test func aScanThatIsNotThisPrintersLadderCellStoresNothing() async throws {
        try await withAgent { agent, client in
            let id = try await printerID(client)
            for code in ["lanyard-ladder|D2O|S3", "DEVCON-2026|ada", "lanyard-ladder|D20|S3|Pother-printer", "lanyard-ladder|D20"] {
                let response = try await post(
                    client, "/v1/printers/\(id)/tuning", #"{"ladder_code": "\#(code)", "reason": "scan"}"#, headers: Self.admin)
                #expect(response.status == .unprocessableContent, "\(code): \(json(response))")
                #expect((json(response)["error"] as? [String: Any])?["code"] as? String == "agent.ladder_code_invalid")
            }
            let missingReason = try await post(
                client, "/v1/printers/\(id)/tuning", #"{"darkness": 18, "reason": "  "}"#, headers: Self.admin)
            #expect(missingReason.status == .badRequest)
            #expect(try agent.store.tuningHistory(printerKey: id).isEmpty)
        }
    }

    @Test func tasksThatPrintAreRefusedWhileThePrinterIsOutOfPaperAndNothingComesOut() async throws {
        try await withAgent { agent, client in
            let simulator = try agent.simulator
            let id = try await printerID(client)
            try simulator.setMode(.paperOut)
            _ = try await eventually { try await printer(client)["conditions"] as? [String] == ["paper_out"] ? true : nil }
            let test = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "test_badge"}"#, headers: Self.admin)
            #expect(test.status == .serviceUnavailable, "\(json(test))")
            #expect((json(test)["error"] as? [String: Any])?["code"] as? String == "agent.printer_unavailable")
            try simulator.setMode(.headOpen)
            _ = try await eventually { try await printer(client)["conditions"] as? [String] == ["head_open"] ? true : nil }
            let calibrate = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "calibrate_media"}"#, headers: Self.admin)
            #expect(calibrate.status == .serviceUnavailable, "\(json(calibrate))")
            try simulator.setMode(.ready)
            #expect(simulator.printedLabels.isEmpty)

            _ = try await eventually { try await printer(client)["activity"] as? String == "idle" ? true : nil }
            let again = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "test_badge"}"#, headers: Self.admin)
            #expect(again.status == .ok, "\(json(again))")
            #expect(await simulator.waitForLabels(count: 1, timeout: .seconds(10)).count == 1)
        }
    }

    @Test func theDetailSaysWhatThePrinterIsAndOnlyStaffMaySeeIt() async throws {
        try await withAgent { _, client in
            let id = try await printerID(client)
            let anonymous = try await client.execute(uri: "/v1/printers/\(id)", method: .get)
            #expect(anonymous.status == .unauthorized)
            let detail = json(try await client.execute(uri: "/v1/printers/\(id)", method: .get, headers: Self.admin))
            let profile = try #require(detail["profile"] as? [String: Any])
            #expect(profile["id"] as? String == "zebra-zd621d-300" && profile["dpi"] as? Int == 300)
            let identification = try #require(detail["identification"] as? [String: Any], "the simulator answers ~HI")
            #expect(identification["dpi"] as? Int == 300)
            #expect(detail["simulated"] as? Bool == true)
            let unknown = try await client.execute(uri: "/v1/printers/nope", method: .get, headers: Self.admin)
            #expect(unknown.status == .notFound)
            let badAction = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "reboot"}"#, headers: Self.admin)
            #expect(badAction.status == .badRequest)
            let longLadder = try await post(
                client, "/v1/printers/\(id)/tasks", #"{"action": "ladder", "darkness": [99]}"#, headers: Self.admin)
            #expect(longLadder.status == .badRequest, "outside the model's range")
        }
    }

    @Test func aNetworkPrinterIsAddressedByItsEncodedAddressAndAnUnreachableOneRefusesWork() async throws {
        let options = AgentOptions(printer: .address("tcp://127.0.0.1:1", profile: "zebra-zd621d-300"))
        try await withAgent(options) { _, client in
            let id = "tcp%3A%2F%2F127.0.0.1%3A1"
            let detail = try await client.execute(uri: "/v1/printers/\(id)", method: .get, headers: Self.admin)
            #expect(detail.status == .ok, "\(json(detail))")
            #expect(json(detail)["identification"] == nil, "nothing listens, so nothing was said")
            let test = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "test_badge"}"#, headers: Self.admin)
            #expect(test.status == .serviceUnavailable, "\(json(test))")
        }
    }

    @Test func theTechniciansRoutesAreTheTechniciansAndTheOperatorsAreNot() async throws {
        try await withAgent(try OperatorAPITests.options()) { _, client in
            let id = try await printerID(client)
            let ana = try await OperatorAPITests().signIn(client, "Ana", StaffSignInTests.operatorPIN)
            let tom = try await OperatorAPITests().signIn(client, "Tom", StaffSignInTests.technicianPIN)
            for uri in ["/v1/printers/\(id)", "/v1/printers/\(id)/tuning", "/v1/scanner/test-code"] {
                #expect(try await client.execute(uri: uri, method: .get, headers: ana).status == .forbidden, "\(uri) operator")
                #expect(try await client.execute(uri: uri, method: .get, headers: tom).status == .ok, "\(uri) technician")
            }
            let task = try await post(client, "/v1/printers/\(id)/tasks", #"{"action": "configuration_label"}"#, headers: ana)
            #expect(task.status == .forbidden)
            let tuned = try await post(
                client, "/v1/printers/\(id)/tuning", #"{"darkness": 18, "reason": "by hand"}"#, headers: tom)
            #expect(tuned.status == .ok)
            #expect((json(tuned)["tuning"] as? [String: Any])?["darkness"] as? Int == 18)
        }
    }

    @Test func aLadderCodeCarriesItsSettingsAndPrinterAndRefusesGarbledReads() throws {
        let code = LadderCode(darkness: 18, speedIPS: 4, printerKey: "tcp://10.0.0.5:9100|x%")
        #expect(code.payload == "lanyard-ladder|D18|S4|Ptcp://10.0.0.5:9100%7Cx%25")
        #expect(LadderCode(payload: code.payload) == code)
        #expect(LadderCode(payload: "lanyard-ladder|D18|S4") == LadderCode(darkness: 18, speedIPS: 4, printerKey: nil))
        for garbled in [
            "lanyard-ladder|D18", "lanyard-ladder|D18|S4|S5", "lanyard-ladder|D1x|S4", "lanyard-ladder|D18|S4|", "lanyard_ladder|D18|S4",
        ] {
            #expect(LadderCode(payload: garbled) == nil, "\(garbled)")
        }
    }
}
