import Hummingbird
import HummingbirdCore
import LanyardHTTP
import LanyardSupport
import Logging
import NIOCore
import Prometheus

extension AgentApplication {
    /// The integrators' and peers' listener (`tls`): the API's routes over HTTPS on `tls.listen`,
    /// beside the plain listener the kiosk's own page keeps on loopback. It serves no pages (the
    /// kiosk page sends badges without a token, which this listener refuses) and, with client
    /// verification configured, talks HTTP only to clients whose certificate it accepted.
    static func integratorServer(
        _ settings: TLSSettings, server: HTTPServerBuilder, runtime: AgentRuntime, metrics: PrometheusCollectorRegistry,
        bound: BoundAddress, logger: Logger
    ) throws(AgentError) -> Application<RouterResponder<APIRequestContext>> {
        guard case .tcp(let host, let port) = try? ListenAddress(parsing: settings.listen) else {
            throw AgentError(.configurationInvalid, "the HTTPS listener needs HOST:PORT", detail: "tls.listen: \(settings.listen)")
        }
        return Application(
            router: AgentAPI.router(core: runtime.core, metrics: metrics, listener: .integrators), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "lanyard"),
            onServerRunning: { channel in
                let address = "https://\(host.contains(":") ? "[\(host)]" : host):\(channel.localAddress?.port ?? port)"
                bound.set(address)
                logger.notice(
                    "integrators' listener ready", metadata: ["listen": "\(address)", "client_certificates": "\(settings.verifiesClients)"])
            },
            logger: logger)
    }
}
