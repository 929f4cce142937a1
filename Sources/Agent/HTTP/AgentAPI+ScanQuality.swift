import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging
import Store

/// The scan-quality loop over HTTP: the kiosk page's reads that are not check-ins (a check-in
/// counts its own read), the counts and adjustments for the operator (every printer, read-only)
/// and the technician (one printer, with keep and revert).
extension AgentAPI {
    /// How many of a printer's latest adjustments are listed.
    static let scanAdjustmentsListed = 10

    static func addScanQualityRoutes(to router: Router<APIRequestContext>, core: AgentCore, listener: Listener) {
        router.post("/v1/scans") { request, context in
            try requireScope(.checkIn, request, core: core, listener: listener)
            let body = try decode(
                CheckInRequest.self, from: try await bodyData(request), expecting: "{\"payload\": \"<the scanner's read>\"}")
            guard !body.payload.isEmpty, body.payload.utf8.count <= maximumReadBytes else {
                throw AgentError(.requestInvalid, "a read is 1 to \(maximumReadBytes) bytes", detail: "$.payload")
            }
            let outcome = try await core.scanQuality.record(body.payload, correlationID: context.correlationID)
            return json(.ok, ScanResultView(result: outcome.classification.kind.rawValue))
        }
        router.get("/v1/operator/scan-quality") { request, _ in
            try authorize(request, core: core, role: .operator)
            return json(.ok, try await Blocking.run { try scanQualityView(core, printers: core.workers.keys.sorted()) })
        }
        router.get("/v1/printers/:id/scan-quality") { request, context in
            try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            return json(.ok, try await Blocking.run { try scanQualityView(core, printers: [worker.printerID]) })
        }
        router.post("/v1/printers/:id/scan-quality/adjustments/:adjustment") { request, context in
            let actor = try authorize(request, core: core, role: .technician)
            let worker = try printerWorker(core, context)
            let id = try context.parameters.require("adjustment", as: Int64.self)
            let body = try decode(
                ScanAdjustmentDecisionRequest.self, from: try await bodyData(request), expecting: "{\"decision\": \"keep\"|\"revert\"}")
            guard let decision = ScanAdjustmentDecision(rawValue: body.decision) else {
                throw AgentError(.requestInvalid, "decision is keep or revert", detail: "$.decision")
            }
            let (adjustment, tuning) = try await Blocking.run {
                try core.store.decideScanAdjustment(id: id, printerKey: worker.printerID, decision: decision, actor: actor)
            }
            return json(.ok, ScanAdjustmentDecisionView(adjustment: ScanAdjustmentView(adjustment), tuning: tuning.map(TuningView.init)))
        }
    }

    /// A scanner types a ticket of under a hundred characters; a read far longer is not one.
    static let maximumReadBytes = 2048

    /// Counts the kiosk's read beside its check-in. A read that cannot be counted (the store
    /// failing) is logged: the attendee's check-in does not wait on the loop's bookkeeping.
    static func countCheckInRead(_ payload: String, core: AgentCore, correlationID: String) async {
        do {
            _ = try await core.scanQuality.record(payload, correlationID: correlationID)
        } catch {
            core.logger.warning(
                "cannot count the scan for the scan-quality loop", metadata: ["correlation_id": "\(correlationID)", "error": "\(error)"])
        }
    }

    static func scanQualityView(_ core: AgentCore, printers: [String], now: Date = Date()) throws -> ScanQualityView {
        let settings = core.scanQuality.settings
        let windowStart = now.addingTimeInterval(-settings.windowSeconds)
        let store = core.store
        var views: [ScanPrinterView] = []
        for printer in printers {
            let adjustments = try store.scanAdjustments(printerKey: printer, limit: scanAdjustmentsListed)
            let window = try ScanQualityLoop.window(printer: printer, settings: settings, store: store, now: now)
            let start = max(window.since, window.last?.recordedAt ?? window.since)
            let groups = try store.scanCountsByGroup(since: window.since, afterScanID: window.afterScanID).filter {
                $0.printerKey == printer
            }
            var total = ScanCounts()
            for group in groups {
                total.success += group.counts.success
                total.unverified += group.counts.unverified
                total.garbled += group.counts.garbled
                total.unparseable += group.counts.unparseable
            }
            views.append(
                ScanPrinterView(
                    printer: printer, windowStartedAt: Timestamps.iso8601(start), counts: ScanCountsView(total),
                    templates: groups.map { ScanTemplateView(templateVersion: $0.templateVersion, counts: ScanCountsView($0.counts)) },
                    pending: adjustments.filter { $0.status == .pending }.map(ScanAdjustmentView.init),
                    adjustments: adjustments.map(ScanAdjustmentView.init),
                    tuning: try store.currentTuning(printerKey: printer).map(TuningView.init)))
        }
        let unattributed = try store.scanCountsByGroup(since: windowStart).filter { $0.printerKey == nil }.first?.counts ?? ScanCounts()
        return ScanQualityView(
            enabled: settings.enabled, windowSeconds: Int(settings.windowSeconds), minimumScans: settings.minimumScans,
            failureThreshold: settings.failureThreshold, printers: views, unattributed: ScanCountsView(unattributed))
    }
}
