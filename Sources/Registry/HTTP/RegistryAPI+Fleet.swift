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
            try requireAdminToken(request, server: server)
            return json(
                .ok, FleetAnswer(generatedAt: Date(), repository: await server.hub.current, agents: try await server.store.fleet()))
        }
        router.delete("/v1/fleet/agents/:agent_id") { request, context in
            try requireConfiguredAdminToken(request, server: server)
            let agentID = try agentParameter(context)
            guard try await server.store.forgetAgent(agentID) else {
                throw RegistryError(.notFound, "no agent \(agentID) has reported", detail: agentID)
            }
            server.logger.notice("agent key forgotten; its next report is trusted on first use", metadata: ["agent_id": "\(agentID)"])
            return json(.ok, ["forgotten": agentID])
        }
        router.get("/fleet") { request, context in
            do {
                try requireAdminToken(request, server: server)
            } catch {
                // A browser asks for the admin token as a password when told to use Basic.
                var response = APIResponder.problem(for: error, correlation: context.correlationID, realm: "lanyard-registry")
                if response.status == .unauthorized {
                    response.headers[.wwwAuthenticate] = "Basic realm=\"lanyard-registry\", charset=\"UTF-8\""
                }
                return response
            }
            let page = FleetPage(agents: try await server.store.fleet(), repository: await server.hub.current, now: Date()).html()
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }
}
