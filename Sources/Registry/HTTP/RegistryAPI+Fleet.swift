import Foundation
import Hummingbird
import LanyardHTTP
import Logging

/// The operations view: every agent's latest report, as JSON and as a plain HTML table.
extension RegistryAPI {
    struct FleetAnswer: Encodable {
        var generatedAt: Date
        var repository: RepositoryVersions
        var agents: [FleetAgent]

        enum CodingKeys: String, CodingKey {
            case generatedAt = "generated_at", repository, agents
        }
    }

    static func addFleetRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.get("/v1/fleet") { request, context in
            try await authorize(request, .view, server: server)
            return json(
                .ok, FleetAnswer(generatedAt: Date(), repository: await server.hub.current, agents: try await server.store.fleet()))
        }
        router.delete("/v1/fleet/agents/:agent_id") { request, context in
            let principal = try await accountable(request, .manageAgents, server: server)
            let agentID = try agentParameter(context)
            let audit = principal.audit(
                .agentForgotten, subject: agentID, reason: try reason(request), correlationID: context.correlationID)
            guard try await server.store.forgetAgent(agentID, audit: audit) else {
                throw RegistryError(.notFound, "no agent \(agentID) has reported", detail: agentID)
            }
            server.logger.notice(
                "agent key forgotten; its next report is trusted on first use",
                metadata: ["agent_id": "\(agentID)", "actor": "\(principal.name)"])
            return json(.ok, ["forgotten": agentID])
        }
        router.get("/fleet") { request, context in
            do {
                try await authorize(request, .view, server: server)
            } catch {
                // A browser asks for the admin token as a password when told to use Basic.
                var response = APIResponder.problem(for: error, correlation: context.correlationID, realm: "lanyard-registry")
                if response.status == .unauthorized {
                    response.headers[.wwwAuthenticate] = "Basic realm=\"lanyard-registry\", charset=\"UTF-8\""
                }
                return response
            }
            let page = FleetPage(
                agents: try await server.store.fleet(), repository: await server.hub.current,
                changes: try await server.store.auditLog(before: nil, limit: 20), now: Date()
            ).html()
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }
}

/// The audit log, newest first, a page at a time: `GET /v1/audit?before=ID&limit=N` (viewer).
extension RegistryAPI {
    struct AuditPage: Encodable {
        var entries: [AuditEntry]
        /// The `before` of the next (older) page; nil on the last one.
        var next: Int64?
    }

    static let maximumAuditEntries = 500

    static func addAuditRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.get("/v1/audit") { request, context in
            try await authorize(request, .view, server: server)
            let query = request.uri.queryParameters
            var before: Int64?
            if let text = query.get("before") {
                guard let value = Int64(text), value > 0 else {
                    throw RegistryError(.requestInvalid, "before is the id of an audit entry", detail: "before")
                }
                before = value
            }
            var limit = 100
            if let text = query.get("limit") {
                guard let value = Int(text), value >= 1 else {
                    throw RegistryError(.requestInvalid, "limit is a positive number of entries", detail: "limit")
                }
                limit = min(value, maximumAuditEntries)
            }
            let entries = try await server.store.auditLog(before: before, limit: limit)
            return json(.ok, AuditPage(entries: entries, next: entries.count == limit ? entries.last?.id : nil))
        }
    }
}
