import Agent
import Attendees
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Printers
import Raster
import Store
import Synchronization
import Testing

/// Bounded work per badge: rendering happens in a child process the agent can kill, so a render
/// that hangs ends as `agent.execution_timeout` (dead letter with its payload) and the printer
/// prints the next badge; a child killed from outside loses no badge; an idle kiosk keeps no
/// child. The hang is the render child's debug-only fault (`LANYARD_FAULT_RENDER_HANG`).
@Suite(.serialized) struct RenderChildTests {
    static func options(hang: String? = nil, _ change: (inout AgentOptions) -> Void = { _ in }) throws -> AgentOptions {
        let executable = try #require(AgentHarness.lanyardExecutable, "the lanyard executable must be built beside the tests")
        var options = AgentOptions()
        options.renderChild = RenderChildLaunch(
            executable: executable, environment: hang.map { ["LANYARD_FAULT_RENDER_HANG": $0] } ?? [:])
        change(&options)
        return options
    }

    /// The attendee id intake gives `registration(sourceID)`, known before the agent starts.
    static func attendeeID(_ sourceID: String) throws -> String {
        let event = try EventConfiguration.load(file: AgentHarness.repositoryRoot.appending(path: "Templates/sample-event.yaml"))
        return try #require(Intake(event: event).validate(jsonObject: Data(registration(sourceID).utf8), line: nil).attendee).attendeeID
    }

    /// The render children this test process has started and not yet reaped.
    static func renderChildren() -> [pid_t] {
        let own = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // pid (comm) state ppid ...; a zombie (state Z) has ended already.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, fields[0] != "Z", pid_t(fields[1]) == own else { return nil }
            let command = (try? Data(contentsOf: URL(filePath: "/proc/\(entry)/cmdline"))) ?? Data()
            return String(decoding: command, as: UTF8.self).contains("render-child") ? pid : nil
        }
    }

    @Test func aRenderMadeToHangEndsAsExecutionTimeoutAndTheNextJobPrints() async throws {
        let hung = try Self.attendeeID("HANG-1")
        // Long enough that the next badge, rendered in a child started afresh, fits in it on a
        // loaded machine: the limit bounds every render, not only the hung one.
        let options = try Self.options(hang: hung) { $0.limits.renderSeconds = 5 }
        try await withAgent(options) { harness, client in
            let stuck = try await submitBadge(client, "HANG-1")
            let next = try await submitBadge(client, "NEXT-1")
            #expect(try await finalState(client, job: stuck) == "dead_lettered")
            #expect(try await finalState(client, job: next) == "printed")
            #expect(try harness.simulator.printedLabels.count == 1)

            let letter = try #require(try harness.store.deadLetters(limit: 10).first { $0.code == "agent.execution_timeout" })
            #expect(letter.stage == .render)
            #expect(letter.reason.contains("limits.render_seconds"), "\(letter.reason)")
            let payload = try JSONDecoder().decode(Attendee.self, from: letter.payload)
            #expect(payload.attendeeID == hung, "the dead letter keeps the job's payload")

            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(decoding: metrics.body.readableBytesView, as: UTF8.self)
            #expect(text.contains(#"lanyard_execution_timeouts_total{stage="render"} 1"#), "\(text)")
            #expect(text.contains(#"lanyard_dead_letters_total{stage="render"} 1"#))
        }
    }

    @Test func aRenderChildKilledFromOutsideMidRenderLosesNoBadge() async throws {
        let marker = FileManager.default.temporaryDirectory.appending(path: "lanyard-hang-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: marker) }
        let options = try Self.options(hang: "\(try Self.attendeeID("KILL-1"))@\(marker.path)") { $0.limits.renderSeconds = 120 }
        try await withAgent(options) { harness, client in
            let id = try await submitBadge(client, "KILL-1")
            // The child writes its process id into the marker once it hangs in the render.
            let pid = try #require(
                try await eventually { () async throws -> pid_t? in
                    pid_t((try? String(contentsOf: marker, encoding: .utf8)) ?? "")
                }, "the render child reaches the hang")
            #expect(kill(pid, SIGKILL) == 0)
            try FileManager.default.removeItem(at: marker)
            #expect(try await finalState(client, job: id) == "printed", "tried again on a new child")
            #expect(try harness.simulator.printedLabels.count == 1)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(decoding: metrics.body.readableBytesView, as: UTF8.self)
            #expect(text.contains("lanyard_render_child_failures_total 1"), "\(text)")
            #expect(text.contains("lanyard_render_child_starts_total 2"), "\(text)")
        }
    }

    @Test func theChildStartsAtTheFirstBadgeAndLeavesWhenIdle() async throws {
        let options = try Self.options { $0.limits.renderChildIdleSeconds = 1 }
        try await withAgent(options) { harness, client in
            #expect(Self.renderChildren().isEmpty, "no child before the first badge")
            #expect(try await finalState(client, job: try await submitBadge(client, "IDLE-1")) == "printed")
            #expect(Self.renderChildren().count == 1)
            let gone = try await eventually(polls: 400) { Self.renderChildren().isEmpty ? true : nil }
            #expect(gone == true, "the idle child is stopped and reaped")
            #expect(try await finalState(client, job: try await submitBadge(client, "IDLE-2")) == "printed")
            #expect(try harness.simulator.printedLabels.count == 2)
        }
        #expect(Self.renderChildren().isEmpty, "a stopped agent leaves no child")
    }

    @Test func aBadgeFromTheChildIsTheBadgeRenderedInProcess() async throws {
        let rasters = Mutex<[[UInt8]]>([])
        for options in [AgentOptions(), try Self.options()] {
            try await withAgent(options) { harness, client in
                #expect(try await finalState(client, job: try await submitBadge(client, "SAME-1")) == "printed")
                let raster = try #require(try harness.simulator.printedLabels.first).bitmap.bytes
                rasters.withLock { $0.append(raster) }
            }
        }
        let both = rasters.withLock { $0 }
        #expect(both.count == 2 && both[0] == both[1], "the same raster, in process or in the child")
    }

    @Test(arguments: [
        "limits: { render_seconds: 0 }\n", "limits: { encode_seconds: -1 }\n", "limits: { intake_seconds: 601 }\n",
        "limits: { render_child_idle_seconds: 0.5 }\n",
    ])
    func aLimitOutOfRangeIsRefused(_ yaml: String) throws {
        let file = FileManager.default.temporaryDirectory.appending(path: "lanyard-limits-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = try #require(#expect(throws: AgentError.self) { try AgentConfiguration.load(file: file.path, environment: [:]) })
        #expect(error.code == .configurationInvalid)
        #expect(error.message.contains("limits."), "\(error.message)")
    }

    @Test func limitsHaveDefaultsAndRead() throws {
        #expect(LimitSettings() == AgentConfiguration().limits)
        #expect(AgentConfiguration().limits.renderSeconds == 10 && AgentConfiguration().limits.renderChildIdleSeconds == 300)
        let file = FileManager.default.temporaryDirectory.appending(path: "lanyard-limits-\(UUID().uuidString).yaml")
        try Data("limits: { render_seconds: 2.5, encode_seconds: 3, intake_seconds: 1, render_child_idle_seconds: 60 }\n".utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let limits = try AgentConfiguration.load(file: file.path, environment: [:]).limits
        #expect(limits.renderSeconds == 2.5 && limits.encodeSeconds == 3 && limits.intakeSeconds == 1)
        #expect(limits.renderChildIdleSeconds == 60)
    }

    @Test func workPastItsLimitIsAbandonedNotWaitedFor() async throws {
        let start = ContinuousClock.now
        let late = try await Blocking.run(limit: .milliseconds(50)) { () -> Int in
            usleep(3_000_000)
            return 1
        }
        #expect(late == nil)
        #expect(start.duration(to: .now) < .milliseconds(2500), "the caller did not wait for the work")
        #expect(try await Blocking.run(limit: .seconds(30)) { 2 } == 2)
    }
}
