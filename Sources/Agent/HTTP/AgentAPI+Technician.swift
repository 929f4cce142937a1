import BadgePipeline
import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Printers
import Store

/// The technician's page behind the scenes: what a printer is and how it is tuned, the labels
/// that prove it (test badge, configuration label, ladder), media calibration, and a new tuning
/// chosen by scanning the best ladder cell. Every change is audited with who did it.
extension AgentAPI {
    static func addTechnicianRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        addScannerRoutes(to: router, core: core)
        router.get("/v1/printers/:id") { request, context in
            try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            var state = worker.state
            if state.identification == nil, worker.language == .zpl, state.activity != .disconnected {
                // Asked once; a printer that does not answer is shown without it.
                state.identification = (try? await worker.perform(.identify, waitingAtMost: .seconds(3)))?.identification
            }
            let profile = worker.profile
            func range(_ setting: SettingRange) -> PrinterDetailView.SettingRangeView {
                .init(min: setting.min, max: setting.max, defaultValue: setting.defaultValue)
            }
            return json(
                .ok,
                PrinterDetailView(
                    printer: printerView(core, id: worker.printerID, state: state),
                    profile: .init(
                        id: profile.id, model: profile.model, dpi: profile.dpi, language: worker.language.rawValue,
                        darkness: range(profile.darkness), speedIPS: range(profile.speed)),
                    identification: state.identification,
                    tuning: try core.store.currentTuning(printerKey: worker.printerID).map(TuningView.init),
                    simulated: core.printsToSimulator))
        }
        router.post("/v1/printers/:id/tasks") { request, context in
            let actor = try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            let body = try decode(
                PrinterTaskRequest.self, from: try await bodyData(request),
                expecting: "{\"action\": " + PrinterTaskRequest.Action.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: "|") + "}")
            guard let bench = core.bench else {
                throw AgentError(.printerUnavailable, "the agent's sample attendees and ladder template are not installed")
            }
            var cells: [LadderCode]?
            let task: PrinterTask
            switch body.action {
            case .testBadge: task = .testBadge(bench.testAttendee)
            case .configurationLabel: task = .configurationLabel
            case .calibrateMedia: task = .calibrateMedia
            case .ladder:
                let defaults = LadderCode.defaultSteps(for: worker.profile)
                let darkness = body.darkness ?? defaults.darkness
                let speeds = body.speedIPS ?? defaults.speeds
                let outside =
                    darkness.filter { !(worker.profile.darkness.min...worker.profile.darkness.max).contains($0) }
                    + speeds.filter { !(worker.profile.speed.min...worker.profile.speed.max).contains($0) }
                guard outside.isEmpty, !darkness.isEmpty, !speeds.isEmpty, darkness.count * speeds.count <= 30 else {
                    throw AgentError(
                        .requestInvalid, "a ladder has 1 to 30 cells, each inside \(worker.profile.id)'s darkness and speed ranges",
                        detail: "$.darkness")
                }
                cells = LadderCode.cells(darkness: darkness, speeds: speeds, printerKey: worker.printerID)
                task = .ladder(cells ?? [], template: bench.ladderTemplate)
            }
            let result = try await worker.perform(task)
            try core.store.audit(
                action: "printer.\(body.action.rawValue)", actor: actor, subject: "printer:\(worker.printerID)",
                details: ["labels": "\(result.labels)", "bytes": "\(result.bytes)"])
            return json(
                .ok,
                PrinterTaskView(
                    result: result,
                    cells: cells?.map { LadderCellView(darkness: $0.darkness, speedIPS: $0.speedIPS, payload: $0.payload) }))
        }
        router.get("/v1/printers/:id/tuning") { request, context in
            try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            let history = try core.store.tuningHistory(printerKey: worker.printerID).reversed().map(TuningView.init)
            return json(.ok, TuningHistoryView(current: history.first, history: Array(history)))
        }
        router.post("/v1/printers/:id/tuning") { request, context in
            let actor = try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            let body = try decode(
                TuningRequest.self, from: try await bodyData(request),
                expecting:
                    "{\"ladder_code\": \"lanyard-ladder|...\", \"reason\": \"...\"} or {\"darkness\": 20, \"speed_ips\": 4, \"reason\": \"...\"}"
            )
            let (darkness, speed) = try chosenSettings(body, printerKey: worker.printerID)
            let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty, reason.count <= 200 else {
                throw AgentError(.requestInvalid, "say why, in at most 200 characters", detail: "$.reason")
            }
            // Clamped to the model first, so what is stored is what the printer runs at.
            let check = try PrinterControl.applySettings(
                profile: worker.profile, language: worker.language, labelLengthDots: worker.profile.dpi * 3,
                overrides: JobOverrides(darkness: darkness, speedIPS: speed))
            let tuning = try core.store.recordTuning(
                printerKey: worker.printerID, profileID: worker.profile.id,
                darkness: darkness.map { _ in check.settings?.darkness ?? 0 }, speedIPS: speed.map { _ in check.settings?.speedIPS ?? 0 },
                reason: reason, actor: actor)
            let applied = (try? await worker.perform(.applyTuning, waitingAtMost: .seconds(5))) != nil
            return json(
                .ok, TuningChangeView(tuning: TuningView(tuning), applied: applied, warnings: check.warnings.map(\.description)))
        }
    }

    static func addScannerRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.get("/v1/scanner/test-code") { request, _ in
            try authorize(request, core: core, role: .technician)
            let png = try ScannerTestCode.png()
            return json(
                .ok,
                ScannerTestCodeView(
                    payload: ScannerTestCode.payload, image: "data:image/png;base64," + Data(png).base64EncodedString()))
        }
    }

    /// Darkness and speed from explicit values, or from a scanned ladder cell of this printer.
    static func chosenSettings(_ body: TuningRequest, printerKey: String) throws -> (Int?, Int?) {
        guard let scanned = body.ladderCode else {
            guard body.darkness != nil || body.speedIPS != nil else {
                throw AgentError(.requestInvalid, "give a ladder_code, or darkness, speed_ips or both", detail: "$")
            }
            return (body.darkness, body.speedIPS)
        }
        guard let cell = LadderCode(payload: scanned) else {
            throw AgentError(
                .ladderCodeInvalid, "this is not a ladder cell's code; scan the QR code of the cell you chose", detail: "$.ladder_code")
        }
        if let printed = cell.printerKey, printed != printerKey {
            throw AgentError(
                .ladderCodeInvalid, "this ladder was printed on printer \(printed), not \(printerKey)", detail: "$.ladder_code")
        }
        return (cell.darkness, cell.speedIPS)
    }

    static func printerWorker(_ core: AgentCore, _ context: APIRequestContext) throws -> PrinterWorker {
        // A network printer's id is its address (`tcp://host:port`): it comes percent-encoded.
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        guard let worker = core.workers[id] else { throw AgentError(.notFound, "no printer \(id) on this agent", detail: "id") }
        return worker
    }

    static func printerView(_ core: AgentCore, id: String, state: WorkerSnapshot) -> PrinterView {
        PrinterView(
            id: id, activity: state.activity.rawValue, breaker: state.breaker.rawValue,
            conditions: state.status.sortedConditions.map(\.rawValue), errors: state.status.errors,
            queueDepth: (try? core.store.queueDepth(printerID: id)) ?? 0)
    }
}
