import Foundation
import Hummingbird
public import LanyardSupport
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The registry server as it runs: the HTTP API on its address and the services beside it (the
/// repository watcher, the timestamp refresher) in one service group, stopped gracefully by
/// SIGTERM or SIGINT. `lanyard registry serve` builds it from its arguments and runs it.
public struct RegistryApplication: Sendable {
    public let server: RegistryServer
    public let listen: ListenAddress
    private let group: ServiceGroup

    /// `onReady` runs once the socket is bound, with the URL or socket path clients use.
    public static func build(
        configuration: RegistryConfiguration, listen: ListenAddress, logger: Logger,
        onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> RegistryApplication {
        let server = try await RegistryServer(configuration: configuration, logger: logger)
        let bind: BindAddress
        switch listen {
        case .tcp(let host, let port): bind = .hostname(host, port: port)
        case .unixSocket(let path):
            try UnixSocketFile.prepare(path)
            bind = .unixDomainSocket(path: path)
        }
        if !listen.isLoopback, configuration.agentToken == nil {
            logger.warning("listening beyond loopback without an agent token: anyone who reaches the port can upload")
        }
        if !listen.isLoopback, configuration.adminToken == nil {
            logger.warning("listening beyond loopback without an admin token: anyone who reaches the port can see the fleet")
        }
        if configuration.timestampKey == nil {
            logger.notice("no timestamp key: serving read-only; the timestamp must be re-signed elsewhere before it expires")
        }
        let versions = await server.hub.current
        let signing = configuration.timestampKey != nil
        let state: String =
            switch configuration.state {
            case .sqlite(let directory): directory.appending(path: RegistryDatabase.fileName).path
            case .postgres(let location): location.description
            }
        let app = Application(
            router: server.router(),
            configuration: .init(address: bind, serverName: "lanyard-registry"),
            onServerRunning: { channel in
                let url = listen.clientURL(boundPort: channel.localAddress?.port)
                logger.notice(
                    "registry ready",
                    metadata: [
                        "listen": "\(url)", "repository": "\(configuration.repository.path)",
                        "timestamp_version": "\(versions.timestampVersion)", "targets_version": "\(versions.targetsVersion)",
                        "timestamp_signing": "\(signing)", "state": "\(state)",
                    ])
                onReady(url)
            },
            logger: logger)
        // Services stop in reverse order: the refresher, then the watcher (which answers every
        // waiting long-poll), then the HTTP server, which then has no request left hanging.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app)] + server.services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return RegistryApplication(server: server, listen: listen, group: group)
    }

    /// Serves until a signal, then removes its unix socket, if any, and closes the store.
    public func run() async throws {
        defer { if case .unixSocket(let path) = listen { unlink(path) } }
        let outcome: Result<Void, any Error>
        do { outcome = .success(try await group.run()) } catch { outcome = .failure(error) }
        await server.close()
        try outcome.get()
    }
}
