import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Store

/// Operator routes: they change what gets printed or who decides, so each needs the admin token
/// (`Authorization: Bearer ...`) or a member of staff signed in as operator or admin, and leaves
/// an audit entry in the store naming who.
extension AgentAPI {
    static func addAdminRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.post("/v1/jobs/:id/reprint") { request, context in
            let actor = try authorize(request, core: core, role: .operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let result = try await core.reprint(
                jobID: id, reason: request.uri.queryParameters.get("reason") ?? "reprint requested",
                actor: actor, correlationID: context.correlationID)
            return json(result.isDuplicate ? .ok : .accepted, JobView(result.job))
        }
        router.post("/v1/jobs/:id/cancel") { request, context in
            let actor = try authorize(request, core: core, role: .operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let body = try decode(JobActionRequest.self, from: try await bodyData(request), expecting: "{\"reason\": \"...\"}")
            let reason = try body.requiredReason()
            let job = try await Blocking.run {
                let cancelled = try core.store.cancel(id: id, reason: reason)
                try core.store.audit(action: "job.cancelled", actor: actor, subject: "job:\(id)", details: ["reason": reason])
                return cancelled
            }
            return json(.ok, JobView(job))
        }
        router.post("/v1/jobs/:id/move") { request, context in
            let actor = try authorize(request, core: core, role: .operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let body = try decode(
                JobActionRequest.self, from: try await bodyData(request), expecting: "{\"printer\": \"...\", \"reason\": \"...\"}")
            let reason = try body.requiredReason()
            let places = core.workers.keys.sorted() + core.configuration.destinations.map(\.id)
            guard let target = body.printer, places.contains(target) else {
                throw AgentError(
                    .requestInvalid, "name one of this agent's printers or destinations: \(places.joined(separator: ", "))",
                    detail: "$.printer")
            }
            let job = try await Blocking.run { try core.store.reassign(id: id, to: target, actor: actor, reason: reason) }
            core.workers[target]?.nudge()
            core.destinations[target]?.nudge()
            return json(.ok, JobView(job))
        }
        router.get("/v1/dead-letters") { request, context in
            try authorize(request, core: core, role: .operator)
            let letters = try core.store.deadLetters(limit: 200, includeReplayed: false).map(DeadLetterView.init)
            return json(.ok, DeadLetterList(deadLetters: letters))
        }
        router.post("/v1/dead-letters/:id/replay") { request, context in
            try authorize(request, core: core, role: .operator)
            let id = try context.parameters.require("id", as: Int64.self)
            return submissionResponse(
                try await core.replayDeadLetter(id: id, correlationID: context.correlationID), correlation: context.correlationID)
        }
        router.get("/v1/manual-review") { request, context in
            try authorize(request, core: core, role: .operator)
            return json(.ok, JobList(jobs: try core.store.openManualReviews(limit: 200).map { JobView($0, withUpdatedAt: true) }))
        }
        router.post("/v1/manual-review/:id/decision") { request, context in
            let actor = try authorize(request, core: core, role: .operator)
            let id = try context.parameters.require("id", as: Int64.self)
            var body = try decode(
                ReviewDecisionRequest.self, from: try await bodyData(request),
                expecting: "{\"decision\": \"printed\"|\"reprint\"|\"dismissed\", \"reason\": \"...\"}")
            // A signed-in member of staff is who decided; the body names the actor only for the token.
            if actor != "admin" { body.actor = actor }
            let (record, reprint) = try await core.decide(jobID: id, body)
            return json(
                .ok,
                ReviewDecisionView(
                    jobID: record.jobID, decision: record.decision.rawValue, actor: record.actor,
                    decidedAt: Timestamps.iso8601(record.decidedAt), reprint: reprint.map { JobView($0) }))
        }
    }
}
