import Foundation
import Hummingbird
import LanyardHTTP
import NIOCore
import Printers
import Prometheus
import Store

/// Health, readiness, the printers and the metrics: read from the state the workers publish,
/// never by waiting on a worker.
extension AgentAPI {
    static func addStatusRoutes(to router: Router<APIRequestContext>, core: AgentCore, metrics: PrometheusCollectorRegistry) {
        router.get("/v1/health") { _, _ async in
            json(
                .ok,
                HealthView(
                    uptimeSeconds: Int(Date().timeIntervalSince(core.startedAt)),
                    registry: core.sync.map { freshnessName($0.status.freshness) },
                    simulatedPrinter: core.printsToSimulator ? true : nil))
        }
        router.get("/v1/ready") { _, _ async in
            let view = readiness(core)
            return json(view.ready ? .ok : .serviceUnavailable, view)
        }
        router.get("/metrics") { _, _ async in
            core.metrics.refreshGauges(core: core)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        router.get("/v1/printers") { request, context in
            json(.ok, PrinterList(printers: printerViews(core)))
        }
    }

    /// Every printer of the agent, by id.
    static func printerViews(_ core: AgentCore) -> [PrinterView] {
        core.workers.sorted { $0.key < $1.key }.map { id, worker in printerView(core, id: id, state: worker.state) }
    }

    /// Ready when every worker has started and no printer is in a state that stops printing (with
    /// several printers: one that can print): a kiosk that cannot print must not be sent
    /// attendees (a load balancer, the kiosk page) as if it could.
    static func readiness(_ core: AgentCore) -> ReadyView {
        var activities: [String: String] = [:]
        var notReady: [String: [String]] = [:]
        for (id, worker) in core.workers {
            let state = worker.state
            activities[id] = state.activity.rawValue
            var reasons: [String] = []
            if state.activity == .starting { reasons.append("starting") }
            // A printer whose state cannot be read (`unknown`: a device file, no answer yet) is
            // not reported unready for that alone; the worker holds its jobs either way.
            reasons += state.status.sortedConditions.filter { $0.blocksPrinting && $0 != .unknown }.map(\.rawValue)
            if !reasons.isEmpty { notReady[id] = reasons }
        }
        // With several printers the kiosk can print while one of them cannot (its badges go to
        // the others), so it is ready once every worker started and one printer can print.
        let starting = notReady.values.contains { $0.contains("starting") }
        let ready = core.workers.count > 1 ? !starting && notReady.count < core.workers.count : notReady.isEmpty
        return ReadyView(ready: ready, printers: activities, notReady: notReady.isEmpty ? nil : notReady)
    }
}
