import Foundation
public import HTTPTypes
import Hummingbird
import LanyardHTTP

/// The registry's HTTP API (docs/registry-server.md). Reads of the repository and of notify
/// need no token; uploads need the agent token and the fleet view the admin token when they
/// are configured. Every error is a JSON problem `{"error": {"code", "message", "detail"}}`.
public enum RegistryAPI {
    public static let correlationHeader = APIResponder.correlationHeader
    static let maximumBodyBytes = 2 << 20
    /// The bearer realm of the registry's 401s.
    static let realm = "lanyard-registry"

    static func router(server: RegistryServer) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CorrelationMiddleware(realm: realm))
        // The fleet page signs in with Basic, which a browser then sends on its own: no page of
        // another site may use that to change anything (docs/registry-server.md).
        router.add(middleware: BrowserBoundaryMiddleware<APIRequestContext>())
        router.get("/v1/health") { request, context in
            let versions = await server.hub.current
            return json(
                .ok,
                Health(
                    status: "ok", uptimeSeconds: Int(Date().timeIntervalSince(server.startedAt)),
                    repository: versions, timestampSigning: server.configuration.timestampKey != nil,
                    waitingNotifications: await server.hub.waitingCount))
        }
        addRepositoryRoutes(to: router, server: server)
        addNotifyRoutes(to: router, server: server)
        addUploadRoutes(to: router, server: server)
        addAttendeeRoutes(to: router, server: server)
        addFleetRoutes(to: router, server: server)
        addAuditRoutes(to: router, server: server)
        addPublicationRoutes(to: router, server: server)
        return router
    }

    struct Health: Encodable {
        var status: String
        var uptimeSeconds: Int
        var repository: RepositoryVersions
        var timestampSigning: Bool
        var waitingNotifications: Int

        enum CodingKeys: String, CodingKey {
            case status, uptimeSeconds = "uptime_seconds", repository, timestampSigning = "timestamp_signing"
            case waitingNotifications = "waiting_notifications"
        }
    }
}
