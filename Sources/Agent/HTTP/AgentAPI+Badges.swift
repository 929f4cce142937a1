import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Store

/// Badge requests, check-ins, signed webhooks and the jobs they make.
extension AgentAPI {
    static func addBadgeRoutes(to router: Router<APIRequestContext>, core: AgentCore, listener: Listener) {
        router.post("/v1/badges") { request, context in
            try requireScope(.print, request, core: core, listener: listener)
            let body = try decode(BadgeRequest.self, from: try await bodyData(request))
            let submission = try await core.requestBadge(
                body, headerKey: request.headers[idempotencyHeader], correlationID: context.correlationID)
            return submissionResponse(submission, correlation: context.correlationID)
        }
        router.post("/v1/checkins") { request, context in
            try requireScope(.checkIn, request, core: core, listener: listener)
            let body = try decode(
                CheckInRequest.self, from: try await bodyData(request), expecting: "{\"payload\": \"<scanned QR text>\"}")
            await countCheckInRead(body.payload, core: core, correlationID: context.correlationID)
            let (submission, earlier) = try await core.checkIn(payload: body.payload, correlationID: context.correlationID)
            let prior = earlier.map { PriorCheckInView(kioskID: $0.kioskID, scannedAt: ScanTime.text($0.scannedAt)) }
            return submissionResponse(submission, correlation: context.correlationID, alreadyCheckedIn: prior)
        }
        router.get("/v1/jobs") { request, context in
            let limit = min(200, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 50))
            var state: JobState?
            if let name = request.uri.queryParameters.get("state") {
                guard let known = JobState.allCases.first(where: { $0.apiName == name }) else {
                    throw AgentError(
                        .requestInvalid,
                        "unknown job state '\(name)'; states: "
                            + JobState.allCases.map(\.apiName).joined(separator: ", "), detail: "state")
                }
                state = known
            }
            return json(.ok, JobList(jobs: try core.store.recentJobs(state: state, limit: limit).map { JobView($0) }))
        }
        router.get("/v1/jobs/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            guard let job = try core.store.job(id: id) else { throw AgentError(.notFound, "no job \(id)") }
            var view = JobView(job)
            view.away = try core.store.destinationRecord(jobID: id).map { AwayView($0, job: job) }
            return json(.ok, view)
        }
        router.get("/v1/jobs/:id/events") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            guard try core.store.job(id: id) != nil else { throw AgentError(.notFound, "no job \(id)") }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    try await streamJobEvents(id, core: core) { event in try await writer.write(ByteBuffer(string: event)) }
                    try await writer.finish(nil)
                })
        }
        router.post("/v1/webhooks/registrations/:source") { request, context in
            let source = try context.parameters.require("source")
            try checkWebhookAddress(source: source, context: context, core: core)
            let submission = try await core.receiveWebhook(
                source: source, body: try await bodyData(request),
                timestamp: request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!],
                signature: request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!],
                delivery: request.headers[HTTPField.Name(WebhookSignature.deliveryHeader)!], correlationID: context.correlationID)
            return submissionResponse(submission, correlation: context.correlationID)
        }
    }
}

extension AgentAPI {
    /// How long a job's event stream stays open without the job finishing; the page reconnects.
    static let jobEventStreamLimit: Duration = .seconds(120)

    /// Server-sent events of one job: a `job` event with the job and its printer's readiness
    /// each time either changes (queued -> sending -> sent -> printed, a printer going out of
    /// paper and back), ending once the job is finished. Read from the store and the state the
    /// worker publishes, every 100 ms, and only while a page follows a job: an idle kiosk holds
    /// no stream and pays nothing.
    static func streamJobEvents(_ id: Int64, core: AgentCore, send: (String) async throws -> Void) async throws {
        let deadline = ContinuousClock.now + jobEventStreamLimit
        var last: JobEventView?
        while ContinuousClock.now < deadline {
            guard let job = try core.store.job(id: id) else { return }
            let printer = core.workers[job.printerID].map { PrinterReadinessView($0.state) }
            let away = core.destinations[job.printerID] != nil
            let event = JobEventView(
                job: JobView(job), printer: printer, collectAt: away ? core.location(of: job.printerID) ?? job.printerID : nil)
            if event != last {
                try await send("event: job\ndata: \(String(decoding: try eventEncoder.encode(event), as: UTF8.self))\n\n")
                last = event
            }
            if job.state.isTerminal { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private static let eventEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
