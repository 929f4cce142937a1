import LanyardSupport
import Foundation
import Hummingbird
import Store

/// Admin routes: they change what gets printed or who decides, so each needs the admin token
/// (`Authorization: Bearer ...`) and leaves an audit entry in the store.
extension AgentAPI {
    static func addAdminRoutes(to router: Router<BasicRequestContext>, core: AgentCore) {
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
        router.get("/v1/dead-letters") { request, _ in
            await handle(request) { _ in
                try authorize(request, core: core)
                let letters = try core.store.deadLetters(limit: 200, includeReplayed: false)
                return json(.ok, ["dead_letters": letters.map { letter in
                    ["id": letter.id, "stage": letter.stage.rawValue, "code": letter.code, "reason": letter.reason,
                     "correlation_id": letter.correlationID, "created_at": Timestamps.iso8601(letter.createdAt)] as [String: Any]
                }])
            }
        }
        router.post("/v1/dead-letters/:id/replay") { request, context in
            await handle(request) { correlation in
                try authorize(request, core: core)
                let id = try context.parameters.require("id", as: Int64.self)
                let payload = try core.store.markReplayed(id: id)
                return submissionResponse(try core.submit(registration: payload, idempotencyKey: nil, printer: nil, correlationID: correlation),
                                          correlation: correlation)
            }
        }
        router.get("/v1/manual-review") { request, _ in
            await handle(request) { _ in
                try authorize(request, core: core)
                let jobs = try core.store.openManualReviews(limit: 200)
                return json(.ok, ["jobs": jobs.map(reviewObject)])
            }
        }
        router.post("/v1/manual-review/:id/decision") { request, context in
            await handle(request) { _ in
                try authorize(request, core: core)
                let id = try context.parameters.require("id", as: Int64.self)
                let body = try await bodyData(request)
                let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
                guard let text = object?["decision"] as? String, let decision = ReviewDecision(rawValue: text) else {
                    throw AgentError(.requestInvalid, "expected {\"decision\": \"printed\"|\"reprint\"|\"dismissed\", \"reason\": \"...\"}",
                                     detail: "$.decision")
                }
                guard let reason = object?["reason"] as? String, !reason.isEmpty, reason.count <= 500 else {
                    throw AgentError(.requestInvalid, "a decision needs a reason (1 to 500 characters)", detail: "$.reason")
                }
                let actor = (object?["actor"] as? String).flatMap { $0.isEmpty || $0.count > 100 ? nil : $0 } ?? "admin"
                let (record, reprint) = try core.store.decideManualReview(jobID: id, decision: decision, actor: actor, reason: reason)
                if let reprint { core.workers[reprint.printerID]?.nudge() }
                var answer: [String: Any] = ["job_id": record.jobID, "decision": record.decision.rawValue, "actor": record.actor,
                                             "decided_at": Timestamps.iso8601(record.decidedAt)]
                if let reprint { answer["reprint"] = jobObject(reprint) }
                return json(.ok, answer)
            }
        }
    }

    /// A job awaiting review (its diagnostic included) and since when.
    static func reviewObject(_ job: PrintJob) -> [String: Any] {
        var object = jobObject(job)
        object["updated_at"] = Timestamps.iso8601(job.updatedAt)
        return object
    }
}
