import Agent
import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Printers
import Store
import TestSupport
import Testing

/// The office printer at the end of the chain (docs/handover.md): with both printers of the box
/// down, a badge goes past its deadline to an IPP Everywhere printer (`ippeveprinter`) as a
/// PDF/A-2b document, and the job is `printed` only once the printer reports the IPP job completed.
@Suite(.timeLimit(.minutes(3))) struct IPPFallbackTests {
    static func unreachablePrinter(_ id: String) -> AgentConfiguration.Printer {
        var printer = AgentConfiguration.Printer()
        printer.id = id
        printer.address = "tcp://127.0.0.1:1"
        printer.profile = "zebra-zd621d-300"
        printer.pollSeconds = 0.05
        return printer
    }

    @Test func withBothPrintersDownABadgePrintsOnTheOfficePrinterAsPDFA() async throws {
        let office = try IPPClientTests.startPrinter(held: true)
        var options = AgentOptions()
        options.printers = [Self.unreachablePrinter("left"), Self.unreachablePrinter("right")]
        options.deadlineSeconds = 0.5
        options.destinations = [
            AgentConfiguration.Destination(id: "office", kind: .ipp(office.uri), location: "Registration desk")
        ]
        try await withAgent(options) { agent, client in
            let id = try await submitBadge(client, "ipp-1")
            // The printer holds the job (processing) until the test lets it finish: meanwhile the
            // badge is `sent`, not printed.
            let held = try #require(
                try await eventually { try agent.store.job(id: Int64(id)).flatMap { $0.state == .sent ? $0 : nil } },
                "the badge reaches the office printer")
            let remote = try #require(try agent.store.destinationRecord(jobID: held.id)?.remoteRef.flatMap { Int32($0) })
            let printer = try IPPClient(printerURI: office.uri)
            let processing = try #require(
                try await eventually { () async throws -> IPPJobStatus? in
                    let status = try await printer.jobStatus(id: remote)
                    return status.state == .processing ? status : nil
                }, "the printer processes the job")
            #expect(processing.name == held.idempotencyKey, "the IPP job is named by the badge's key")
            #expect(try agent.store.job(id: Int64(id))?.state == .sent, "not printed while the printer has not finished")
            try FileManager.default.removeItem(at: office.hold)

            #expect(try await finalState(client, job: id) == "printed")
            let job = try #require(try agent.store.job(id: Int64(id)))
            #expect(job.printerID == "office")
            let record = try #require(try agent.store.destinationRecord(jobID: job.id))
            #expect(record.printedAt != nil && record.remoteState == "printed")
            #expect(try await printer.jobStatus(id: remote).state == .completed)

            // What reached the printer is a PDF/A-2b document, by an independent reader.
            let files = try office.spooledFiles(job: remote)
            #expect(files.count == 1)
            if PythonTools.required || PythonTools.canImport("pikepdf") {
                let results = try PythonTools.runJobs(
                    script: "Tests/Tools/pdfa_check.py", [["id": "office", "kind": "pdf", "pdf": try #require(files.first).path]])
                let result = try #require(results["office"])
                #expect((result["errors"] as? [String])?.isEmpty == true, "\(result)")
            }

            // The kiosk's job stream says where to collect it.
            let events = try await client.execute(uri: "/v1/jobs/\(id)/events", method: .get)
            #expect(String(buffer: events.body).contains(#""collect_at":"Registration desk""#))
        }
    }
}

/// In the render child's suite (serialized: its tests count the children this process started):
/// the office printer's document renders in a child of its own too, bounded the same way.
extension RenderChildTests {
    @Test func aDocumentForTheOfficePrinterMadeToHangEndsAsExecutionTimeoutAndTheNextPrints() async throws {
        let office = try IPPClientTests.startPrinter()
        let hung = try Self.attendeeID("IPP-HANG-1")
        let options = try Self.options(hang: hung) { options in
            options.limits.renderSeconds = 5
            options.printers = [IPPFallbackTests.unreachablePrinter("left")]
            options.deadlineSeconds = 0.3
            options.destinations = [AgentConfiguration.Destination(id: "office", kind: .ipp(office.uri), location: "Registration desk")]
        }
        try await withAgent(options) { harness, client in
            let stuck = try await submitBadge(client, "IPP-HANG-1")
            let next = try await submitBadge(client, "IPP-NEXT-1")
            #expect(try await finalState(client, job: stuck) == "dead_lettered")
            #expect(try await finalState(client, job: next) == "printed")
            let letter = try #require(try harness.store.deadLetters(limit: 10).first { $0.code == "agent.execution_timeout" })
            #expect(letter.stage == .render && letter.reason.contains("limits.render_seconds"), "\(letter.reason)")
            #expect(try JSONDecoder().decode(Attendee.self, from: letter.payload).attendeeID == hung)
            let printed = try #require(try harness.store.job(id: Int64(next)))
            #expect(printed.printerID == "office")
        }
    }
}
