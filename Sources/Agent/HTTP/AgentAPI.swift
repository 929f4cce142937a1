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
    public static let correlationHeader = HTTPField.Name("X-Correlation-ID")!
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let maxBodyBytes = 1 << 20

    public static func router(core: AgentCore, metrics: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v1/health") { _, _ in
            json(.ok, ["status": "ok", "uptime_seconds": Int(Date().timeIntervalSince(core.startedAt))])
        }
        router.get("/v1/ready") { _, _ async in
            var states: [String: String] = [:]
            for (id, worker) in core.workers { states[id] = await worker.state.activity.rawValue }
            let ready = !states.values.contains(WorkerSnapshot.Activity.starting.rawValue)
            return json(ready ? .ok : .serviceUnavailable, ["ready": ready, "printers": states])
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
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
                return submissionResponse(try core.enqueue(attendee, idempotencyKey: nil, printer: nil, correlationID: correlation), correlation: correlation)
            }
        }
        router.get("/v1/jobs/:id") { request, context in
            await handle(request) { _ in
                let id = try context.parameters.require("id", as: Int64.self)
                guard let job = try core.store.job(id: id) else { throw AgentError(.notFound, "no job \(id)") }
                return json(.ok, jobObject(job))
            }
        }
        router.post("/v1/jobs/:id/reprint") { request, context in
            await handle(request) { correlation in
                try authorize(request, core: core)
                let id = try context.parameters.require("id", as: Int64.self)
                let reason = request.uri.queryParameters.get("reason") ?? "reprint requested"
                let result = try core.store.enqueueReprint(of: id, idempotencyKey: "reprint:\(id):\(correlation)", actor: "admin", reason: reason)
                core.workers[result.job.printerID]?.nudge()
                return json(result.isDuplicate ? .ok : .accepted, jobObject(result.job))
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
        router.get("/v1/printers") { request, _ in
            await handle(request) { _ in
                var printers: [[String: Any]] = []
                for (id, worker) in core.workers.sorted(by: { $0.key < $1.key }) {
                    let state = await worker.state
                    printers.append([
                        "id": id, "activity": state.activity.rawValue, "breaker": state.breaker.rawValue,
                        "conditions": state.status.sortedConditions.map(\.rawValue), "errors": state.status.errors,
                        "queue_depth": (try? core.store.queueDepth(printerID: id)) ?? 0,
                    ])
                }
                return json(.ok, ["printers": printers])
            }
        }
        router.get("/v1/dead-letters") { request, _ in
            await handle(request) { _ in
                try authorize(request, core: core)
                let letters = try core.store.deadLetters(limit: 200, includeReplayed: false)
                return json(.ok, ["dead_letters": letters.map { letter in
                    ["id": letter.id, "stage": letter.stage.rawValue, "code": letter.code, "reason": letter.reason,
                     "correlation_id": letter.correlationID, "created_at": ISO8601DateFormatter().string(from: letter.createdAt)] as [String: Any]
                }])
            }
        }
        router.post("/v1/dead-letters/:id/replay") { request, context in
            await handle(request) { correlation in
                try authorize(request, core: core)
                let id = try context.parameters.require("id", as: Int64.self)
                let payload = try core.store.markReplayed(id: id)
                return submissionResponse(try core.submit(registration: payload, idempotencyKey: nil, printer: nil, correlationID: correlation), correlation: correlation)
            }
        }
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
                guard try core.store.recordDelivery(source: source, deliveryID: delivery, at: Date()) else {
                    throw AgentError(.signatureInvalid, "this delivery was already received (replay)", detail: WebhookSignature.deliveryHeader)
                }
                return submissionResponse(try core.submit(registration: body, idempotencyKey: nil, printer: nil, correlationID: correlation), correlation: correlation)
            }
        }
        return router
    }

    struct RateLimited: Error {
        var retryAfter: Duration
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

    /// `correlation` goes into the rejection like into every other problem (docs/openapi.yaml:
    /// `correlation_id` is required), so an operator can find the dead letter from the answer.
    static func submissionResponse(_ submission: AgentCore.Submission, correlation: String) -> Response {
        switch submission {
        case .queued(let job): json(.accepted, jobObject(job))
        case .duplicate(let job): json(.ok, jobObject(job).merging(["duplicate": true]) { $1 })
        case .rejected(let id, let issues):
            json(.unprocessableContent, ["error": [
                "code": issues.first?.code.rawValue ?? "intake.rejected", "message": "the registration cannot become a badge",
                "correlation_id": correlation, "dead_letter_id": id,
                "issues": issues.map { ["code": $0.code.rawValue, "field": $0.fieldPath, "reason": $0.reason, "severity": "\($0.severity)"] },
            ] as [String: Any]])
        }
    }

    static func jobObject(_ job: PrintJob) -> [String: Any] {
        var object: [String: Any] = [
            "id": job.id, "state": job.state.apiName, "printer": job.printerID, "attempts": job.attempts,
            "idempotency_key": job.idempotencyKey, "correlation_id": job.correlationID,
            "created_at": ISO8601DateFormatter().string(from: job.createdAt),
        ]
        if let attendee = job.attendeeID { object["attendee_id"] = attendee }
        if let tier = job.templateTier { object["template_tier"] = tier }
        if let error = job.lastError { object["last_error"] = error }
        if let original = job.reprintOf { object["reprint_of"] = original }
        return object
    }

    /// Ids and display fields only: the kiosk shows who it found, the API never returns emails.
    static func attendeeObject(_ attendee: Attendee) -> [String: Any] {
        var object: [String: Any] = ["attendee_id": attendee.attendeeID, "access_tier": attendee.accessTier.rawValue]
        if let name = attendee.preferredName ?? attendee.firstName { object["first_name"] = name }
        if let last = attendee.lastName { object["last_name"] = last }
        if let company = attendee.company { object["company"] = company }
        return object
    }

    static func authorize(_ request: Request, core: AgentCore) throws {
        guard let token = core.configuration.adminToken else {
            throw AgentError(.unauthorized, "admin actions are disabled: no admin token is configured")
        }
        let given = request.headers[.authorization] ?? ""
        guard constantTimeEqual(Array(given.utf8), Array("Bearer \(token)".utf8)) else {
            throw AgentError(.unauthorized, "admin token required", detail: "Authorization")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func bodyData(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch {
            throw AgentError(.requestInvalid, "the body is larger than \(maxBodyBytes) bytes or could not be read", detail: "body")
        }
    }

    /// Runs a handler with a correlation id and turns every error into a JSON problem.
    static func handle(_ request: Request, _ body: (String) async throws -> Response) async -> Response {
        let correlation = request.headers[correlationHeader].flatMap { $0.count <= 100 ? $0 : nil } ?? UUID().uuidString.lowercased()
        var response: Response
        do {
            response = try await body(correlation)
        } catch let limited as RateLimited {
            let seconds = max(1, Int(limited.retryAfter.components.seconds) + 1)
            response = problem(.tooManyRequests, code: AgentError.Code.rateLimited.rawValue, message: "too many deliveries from this source", detail: nil, correlation: correlation)
            response.headers[.retryAfter] = "\(seconds)"
        } catch let error as AgentError {
            let status: HTTPResponse.Status = switch error.code {
            case .requestInvalid, .configurationInvalid: .badRequest
            case .notFound: .notFound
            case .unauthorized, .signatureInvalid: .unauthorized
            case .queueFull, .rateLimited: .tooManyRequests
            case .startupFailed: .internalServerError
            }
            response = problem(status, code: error.code.rawValue, message: error.message, detail: error.detail, correlation: correlation)
            if status == .tooManyRequests { response.headers[.retryAfter] = "2" }
        } catch let error as StoreError {
            // A reprint of an unfinished job or a second replay of a dead letter is the request
            // conflicting with the record's state (409), not the store failing (503).
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .invalidTransition, .invalidValue, .jobNotFinished, .alreadyReplayed: .conflict
            case .openFailed, .migrationFailed, .queryFailed, .queueFull, .corruptRecord: .serviceUnavailable
            }
            response = problem(status, code: error.code.rawValue, message: error.message, detail: nil, correlation: correlation)
        } catch let error as HTTPError {
            response = problem(error.status, code: "http.\(error.status.code)", message: error.body ?? error.status.reasonPhrase, detail: nil, correlation: correlation)
        } catch {
            response = problem(.badRequest, code: "agent.request_invalid", message: "\(error)", detail: nil, correlation: correlation)
        }
        response.headers[correlationHeader] = correlation
        return response
    }

    static func problem(_ status: HTTPResponse.Status, code: String, message: String, detail: String?, correlation: String) -> Response {
        var error: [String: Any] = ["code": code, "message": message, "correlation_id": correlation]
        if let detail { error["detail"] = detail }
        return json(status, ["error": error])
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
