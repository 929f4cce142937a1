import Foundation
import HTTPTypes
public import Hummingbird
public import LanyardHTTP
import LanyardSupport
public import Prometheus
import Store

/// The agent's HTTP API (docs/openapi.yaml). Routes are grouped by concern, one file each:
/// status (health, readiness, printers, metrics), badges (requests, check-ins, jobs, webhooks),
/// attendees, admin, sync, staff sessions and the kiosk camera. A route decodes its request into
/// a Codable type, calls one flow of `AgentCore` and encodes a Codable answer; every error is a
/// problem with the request's correlation id (`APIResponder`, shared with the registry).
public enum AgentAPI {
    public static let correlationHeader = APIResponder.correlationHeader
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let maxBodyBytes = 1 << 20

    /// `pages`: the kiosk's pages (`web/`), when this agent serves them. `listener`: which of the
    /// agent's listeners the router serves, which decides what needs a token (`Listener`).
    public static func router(
        core: AgentCore, metrics: PrometheusCollectorRegistry, pages: WebPages? = nil, listener: Listener = .kiosk
    ) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CorrelationMiddleware(realm: "lanyard-agent"))
        router.add(
            middleware: BrowserBoundaryMiddleware(
                allowedHosts: allowedHosts(core.configuration), bodyTypes: [cameraDecodePath: cameraFrameType]))
        router.add(middleware: AccessMiddleware(core: core, listener: listener))
        addStatusRoutes(to: router, core: core, metrics: metrics)
        addBadgeRoutes(to: router, core: core, listener: listener)
        addAttendeeRoutes(to: router, core: core)
        addAdminRoutes(to: router, core: core)
        addSyncRoutes(to: router, core: core)
        addSessionRoutes(to: router, core: core)
        addTechnicianRoutes(to: router, core: core)
        addOperatorRoutes(to: router, core: core)
        addScanQualityRoutes(to: router, core: core, listener: listener)
        addCameraRoutes(to: router)
        addPeerRoutes(to: router, core: core)
        if let pages { addPageRoutes(to: router, pages: pages) }
        return router
    }

    /// The names the agent answers to: the box's own, its listeners' hosts, and the configured
    /// `allowed_hosts`.
    static func allowedHosts(_ configuration: AgentConfiguration) -> Set<String> {
        var names = LocalHostNames.current().union(configuration.allowedHosts)
        for listen in [configuration.listen] + [configuration.tls?.listen].compactMap(\.self) {
            if case .tcp(let host, _) = try? ListenAddress(parsing: listen) { names.insert(host) }
        }
        return names
    }

    /// Over a rate (a webhook source, the kiosk's search, wrong PINs) or over the camera frames
    /// read at once: 429 with the seconds until the next try is taken.
    struct RateLimited: LanyardError, RetryLater {
        var retryAfterSeconds: Int
        var message: String
        var errorCode: String { AgentErrorCode.rateLimited.rawValue }
        var context: String? { nil }
        var exitStatus: ExitStatus { .printerNotReady }
        var httpStatus: Int { 429 }
        var description: String { message }

        init(retryAfterSeconds: Int, _ message: String) {
            self.retryAfterSeconds = retryAfterSeconds
            self.message = message
        }

        init(retryAfter: Duration, _ message: String) {
            self.init(retryAfterSeconds: max(1, Int(retryAfter.components.seconds) + 1), message)
        }
    }
}
