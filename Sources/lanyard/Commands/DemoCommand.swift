import Agent
import ArgumentParser
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Logging
import Prometheus
import Store

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Render every bundled template for the sample attendees, then run the agent on its embedded default.",
        discussion: """
            First the renders: PNG previews, ZPL, EPL and a PDF per template in OUT/<template>/. Then \
            the agent starts with no configuration (bundled templates, the sample event and its \
            attendees) printing to the built-in simulator (labels in OUT/agent/sim), prints its URL and \
            prints the sample attendees' badges through its queue. On a terminal it keeps serving until \
            Ctrl-C; otherwise it stops once the badges are printed.
            """)

    @Option(help: "Output directory.")
    var out = "out"

    @Option(help: "HOST:PORT for the demo agent; a busy port falls back to one the system picks.")
    var listen = "127.0.0.1:8080"

    @Flag(help: "Only render; do not start the agent.")
    var renderOnly = false

    /// Which printer each template is shown on: ZPL at 300 and 203 dpi, and an EPL-only model.
    static let plan: [(template: String, zplProfile: String, eplProfile: String)] = [
        ("standard", "zebra-zd621d-300", "zebra-gc420d-203"),
        ("vip", "zebra-zd621d-300", "zebra-gc420d-203"),
        ("speaker", "zebra-zd421d-203", "zebra-gc420d-203"),
        ("staff", "zebra-zd421d-203", "zebra-gc420d-203"),
    ]

    func run() async throws {
        try renderSamples()
        if renderOnly { return }
        try await withExitCodes { try await runAgent() }
    }

    private func renderSamples() throws {
        try withExitCodes {
            let event = try Installation.event(nil)
            let root = URL(filePath: out, directoryHint: .isDirectory)
            var rows: [[String]] = []
            for entry in Self.plan {
                let bundle = try Installation.bundle(Installation.templates.appending(path: entry.template).path)
                let directory = root.appending(path: entry.template)
                try Files.makeDirectory(directory)
                for (profileID, formats) in [(entry.zplProfile, [BadgeFormat.png, .zpl]), (entry.eplProfile, [.epl])] {
                    let writer = try BadgeWriter(bundle: bundle, profile: try Installation.profile(profileID, directory: nil))
                    let runner = BatchRun(writer: writer, event: event, formats: formats, directory: directory.appending(path: profileID))
                    try Files.makeDirectory(runner.directory)
                    let summary = try runner.run(input: Installation.sampleAttendees)
                    for (format, bytes) in summary.bytesByFormat.sorted(by: { $0.key < $1.key }) {
                        rows.append([
                            entry.template, profileID, format, "\(summary.accepted)",
                            "\(bytes / max(summary.accepted, 1))", "\(summary.warnings)",
                            String(format: "%.2f s", summary.seconds),
                        ])
                    }
                }
                let output = try BadgeWriter(bundle: bundle, profile: try Installation.profile(entry.zplProfile, directory: nil))
                var session = Intake(event: event).makeSession()
                if let first = try session.acceptJSONLines(in: Installation.sampleAttendees).outcomes.compactMap(\.attendee).first {
                    _ = try output.write(
                        fields: BadgeFields.fields(for: first, event: event), format: .pdf,
                        to: directory.appending(path: "\(entry.template).pdf"))
                }
            }
            print(TextTable.render(header: ["template", "printer", "format", "badges", "bytes/badge", "warnings", "time"], rows: rows))
            print("\nPreviews, printer jobs and PDFs are in \(root.path)/<template>/.")
        }
    }

    /// The agent on its embedded default, with the simulator as its printer.
    private func runAgent() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "lanyard.demo")
        let data = URL(filePath: out, directoryHint: .isDirectory).appending(path: "agent", directoryHint: .isDirectory)
        // A fresh queue each run: the demo's badges print again instead of being answered as duplicates.
        try? FileManager.default.removeItem(at: data)
        var configuration = AgentConfiguration()
        configuration.dataDirectory = data.path
        configuration.printer.address = "sim"
        configuration.printer.pollSeconds = 0.2
        configuration.listen = try Self.available(listen)

        let ready = AsyncStream<String>.makeStream()
        let server = try await AgentApplication.build(configuration: configuration, metrics: PrometheusCollectorRegistry(), logger: logger)
        { address in
            ready.continuation.yield(address)
            ready.continuation.finish()
        }
        let serving = Task { try await server.run() }
        var url: String?
        for await address in ready.stream { url = address }
        guard let url else {
            try await serving.value
            throw CLIError(.internalError, "the agent stopped before it was ready")
        }
        print("\nThe agent is serving at \(url) (printer: the built-in simulator).")

        let core = server.runtime.core
        var session = Intake(event: core.event).makeSession()
        let attendees = try session.acceptJSONLines(in: Installation.sampleAttendees).outcomes.compactMap(\.attendee)
        var jobs: [Int64] = []
        for attendee in attendees {
            switch try core.enqueue(attendee, idempotencyKey: nil, printer: nil, correlationID: "demo-\(attendee.attendeeID)") {
            case .queued(let job), .duplicate(let job): jobs.append(job.id)
            case .rejected, .timedOut: break
            }
        }
        let states = try await Self.waitUntilFinished(jobs, store: core.store)
        let printed = states.filter { $0 == .printed }.count
        print(
            "Printed \(printed) of \(jobs.count) sample badges through the queue; the simulator's labels are in \(data.appending(path: "sim").path)/."
        )
        if printed != jobs.count {
            Terminal.warning("not every demo badge printed: \(states.map(\.rawValue).joined(separator: ", "))")
        }
        print(
            """
            The kiosk page: open \(url)/ in a browser on this box, then type a ticket's QR text and Enter.
            Try:
              curl \(url)/v1/health
              curl '\(url)/v1/kiosk/search?q=ada'
              curl -X POST \(url)/v1/badges -H 'Content-Type: application/json' -d '{"attendee_id": "\(attendees.first?.attendeeID ?? "")"}'
              curl \(url)/metrics
            """)
        if isatty(0) == 1 {
            print("Serving until Ctrl-C.")
        } else {
            print("Not on a terminal: stopping the agent.")
            await server.stop()
        }
        try await serving.value
    }

    /// `listen`, or the same host on a port the system picks when that one is taken.
    static func available(_ listen: String) throws -> String {
        let (host, port) = try ListenAddress.hostAndPort(listen)
        guard port != 0, !ListenAddress.isFree(host: host, port: port) else { return listen }
        Terminal.warning("\(listen) is in use; the demo agent takes a free port instead")
        return "\(host.contains(":") ? "[\(host)]" : host):0"
    }

    /// Polls the demo jobs until each is terminal (at most a minute).
    static func waitUntilFinished(_ ids: [Int64], store: LanyardStore) async throws -> [JobState] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let states = try ids.map { try store.job(id: $0)?.state ?? .cancelled }
            if states.allSatisfy(\.isTerminal) || ContinuousClock.now > deadline { return states }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
