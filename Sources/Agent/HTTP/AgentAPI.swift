import LanyardSupport
import LanyardHTTP
import Badges
import Foundation
public import Hummingbird
import Printers
public import Prometheus
import HTTPTypes
import Store

/// The agent's HTTP API (docs/openapi.yaml). Every error is a JSON problem with a code, a
/// message and the request's correlation id; every response carries `X-Correlation-ID`.
public enum AgentAPI {
    public static let correlationHeader = APIResponder.correlationHeader
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let maxBodyBytes = 1 << 20

    public static func router(core: AgentCore, metrics: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v1/health") { _, _ async in
            var object: [String: Any] = ["status": "ok", "uptime_seconds": Int(Date().timeIntervalSince(core.startedAt))]
            if let sync = core.sync { object["registry"] = freshnessName(sync.status.freshness) }
            if core.printsToSimulator { object["simulated_printer"] = true }
            return json(.ok, object)
        }
        addSyncRoutes(to: router, core: core)
        router.get("/v1/ready") { _, _ async in
            var states: [String: String] = [:]
            for (id, worker) in core.workers { states[id] = worker.state.activity.rawValue }
            let ready = !states.values.contains(WorkerSnapshot.Activity.starting.rawValue)
            return json(ready ? .ok : .serviceUnavailable, ["ready": ready, "printers": states])
        }
        router.get("/metrics") { _, _ async in
            core.metrics.refreshGauges(core: core)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        router.post("/v1/badges") { request, context in
            await handle(request) { correlation in
                let body = try await bodyData(request)
                let submission = try badgeRequest(body, request: request, core: core, correlation: correlation)
                return submissionResponse(submission, correlation: correlation)
            }
        }
        router.post("/v1/checkins") { request, context in
            await handle(request) { correlation in
                let body = try await bodyData(request)
                guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let payload = object["payload"] as? String else {
                    throw AgentError(.requestInvalid, "expected {\"payload\": \"<scanned QR text>\"}", detail: "$.payload")
                }
                guard let verified = CheckIn.verify(payload: payload, secret: core.event.checkInSecret, expectedEventSlug: core.event.slug) else {
                    throw AgentError(.unauthorized, "the QR code is not a valid ticket for this event", detail: "$.payload")
                }
                guard let attendee = try core.store.attendee(id: verified.attendeeID) else {
                    throw AgentError(.notFound, "the ticket is valid but its attendee is not in this kiosk's list", detail: verified.attendeeID)
                }
                // The check-in is durable (and queued for the registry) before the badge is;
                // an earlier check-in is reported, not refused: a lost badge must be reprintable,
                // and whether to ask first is the kiosk page's choice.
                let recorded = try core.store.recordCheckIn(attendeeID: attendee.attendeeID, event: attendee.eventSlug,
                                                            kioskID: core.configuration.kioskID, scannedAt: Date())
                let submission = try core.enqueue(attendee, idempotencyKey: nil, printer: nil, correlationID: correlation)
                var extra: [String: Any] = [:]
                if let earlier = recorded.earlier {
                    extra["already_checked_in"] = ["kiosk_id": earlier.kioskID, "scanned_at": ScanTime.text(earlier.scannedAt)]
                }
                return submissionResponse(submission, correlation: correlation, extra: extra)
            }
        }
        router.get("/v1/jobs/:id") { request, context in
            await handle(request) { _ in
                let id = try context.parameters.require("id", as: Int64.self)
                guard let job = try core.store.job(id: id) else { throw AgentError(.notFound, "no job \(id)") }
                return json(.ok, jobObject(job))
            }
        }
        router.get("/v1/attendees") { request, _ in
            await handle(request) { _ in
                let query = request.uri.queryParameters.get("q") ?? ""
                let limit = min(100, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 20))
                let matches = try core.store.searchAttendees(query, limit: limit)
                return json(.ok, ["attendees": matches.map { attendeeObject($0.attendee) }])
            }
        }
        router.get("/v1/attendees/:id") { request, context in
            await handle(request) { _ in
                let id = try context.parameters.require("id")
                guard let attendee = try core.store.attendee(id: id) else { throw AgentError(.notFound, "no attendee \(id) in this kiosk's list") }
                var object = attendeeObject(attendee)
                object["check_in"] = checkInObject(try core.store.checkInState(attendeeID: attendee.attendeeID))
                return json(.ok, object)
            }
        }
        router.get("/v1/printers") { request, _ in
            await handle(request) { _ in
                var printers: [[String: Any]] = []
                for (id, worker) in core.workers.sorted(by: { $0.key < $1.key }) {
                    let state = worker.state
                    printers.append([
                        "id": id, "activity": state.activity.rawValue, "breaker": state.breaker.rawValue,
                        "conditions": state.status.sortedConditions.map(\.rawValue), "errors": state.status.errors,
                        "queue_depth": (try? core.store.queueDepth(printerID: id)) ?? 0,
                    ])
                }
                return json(.ok, ["printers": printers])
            }
        }
        addAdminRoutes(to: router, core: core)
        router.post("/v1/webhooks/registrations/:source") { request, context in
            await handle(request) { correlation in
                let source = try context.parameters.require("source")
                guard let secret = core.configuration.webhooks.secrets[source] else {
                    throw AgentError(.notFound, "no webhook source \(source) is configured", detail: "source")
                }
                if let wait = core.rateLimiter.acquire(source) {
                    throw RateLimited(retryAfter: wait)
                }
                let body = try await bodyData(request)
                try WebhookSignature(secret: secret, tolerance: TimeInterval(core.configuration.webhooks.toleranceSeconds))
                    .verify(body: body, timestamp: request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!],
                            signature: request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!], now: Date())
                guard let delivery = request.headers[HTTPField.Name(WebhookSignature.deliveryHeader)!], !delivery.isEmpty, delivery.count <= 200 else {
                    throw AgentError(.signatureInvalid, "missing delivery id", detail: WebhookSignature.deliveryHeader)
                }
                guard try !core.store.isDeliveryKnown(source: source, deliveryID: delivery) else {
                    throw AgentError(.signatureInvalid, "this delivery was already received (replay)", detail: WebhookSignature.deliveryHeader)
                }
                // The delivery id is kept only once the registration is handled (queued, a
                // duplicate or dead-lettered): a delivery refused for a full queue or a store
                // failure was not taken, so the sender's retry must not be refused as a replay.
                // Two copies racing in at once both pass here; the job's idempotency key still
                // prints one badge.
                let submission = try core.submit(registration: body, idempotencyKey: nil, printer: nil, correlationID: correlation)
                _ = try core.store.recordDelivery(source: source, deliveryID: delivery, at: Date())
                return submissionResponse(submission, correlation: correlation)
            }
        }
        return router
    }

    /// A webhook source over its rate: 429 with the seconds until its next delivery is taken.
    struct RateLimited: LanyardError, RetryLater {
        var retryAfter: Duration
        var errorCode: String { AgentError.Code.rateLimited.rawValue }
        var message: String { "too many deliveries from this source" }
        var context: String? { nil }
        var exitStatus: ExitStatus { .printerNotReady }
        var httpStatus: Int { 429 }
        var retryAfterSeconds: Int { max(1, Int(retryAfter.components.seconds) + 1) }
        var description: String { message }
    }

    static func badgeRequest(_ body: Data, request: Request, core: AgentCore, correlation: String) throws -> AgentCore.Submission {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw AgentError(.requestInvalid, "expected a JSON object with attendee or attendee_id", detail: "$")
        }
        let key = request.headers[idempotencyHeader] ?? (object["idempotency_key"] as? String)
        // An empty key is the caller's mistake (400), not a conflict in the store.
        if let key, key.isEmpty {
            throw AgentError(.requestInvalid, "the idempotency key is empty", detail: "Idempotency-Key")
        }
        let printer = object["printer"] as? String
        if let id = object["attendee_id"] as? String {
            guard let attendee = try core.store.attendee(id: id) else { throw AgentError(.notFound, "no attendee \(id) in the cache", detail: "$.attendee_id") }
            return try core.enqueue(attendee, idempotencyKey: key, printer: printer, correlationID: correlation)
        }
        guard let attendee = object["attendee"], JSONSerialization.isValidJSONObject(attendee) else {
            throw AgentError(.requestInvalid, "expected attendee (a registration object) or attendee_id", detail: "$.attendee")
        }
        return try core.submit(registration: try JSONSerialization.data(withJSONObject: attendee), idempotencyKey: key,
                               printer: printer, correlationID: correlation)
    }
}
