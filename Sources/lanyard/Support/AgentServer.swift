import Agent
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The running agent: its runtime, the HTTP server and the printer workers under one service
/// group, stopped gracefully by SIGTERM or SIGINT (or `stop()`). Shared by `lanyard agent` and
/// `lanyard demo`.
struct AgentServer {
    let runtime: AgentRuntime
    let group: ServiceGroup
    let listen: ListenAddress
    /// The address actually bound (a TCP port of 0 becomes the one the kernel chose).
    let boundAddress: BoundAddressBox

    /// Builds the runtime and the service group; nothing listens until `run()`.
    /// `onReady` runs once the socket is bound, with the URL or socket path clients use.
    static func make(configuration: AgentConfiguration, registry: PrometheusCollectorRegistry, logger: Logger,
                     onReady: @escaping @Sendable (String) -> Void = { _ in }) async throws -> AgentServer {
        let listen = try ListenAddress(parsing: configuration.listen)
        let started = ContinuousClock.now
        let runtime = try await AgentRuntime.start(
            configuration: configuration,
            resources: AgentResources(templates: Resources.templates, profiles: Resources.profiles,
                                      sampleEvent: Resources.sampleEvent, sampleAttendees: Resources.sampleAttendees,
                                      defaultDataDirectory: StateDirectory.url),
            logger: logger)
        let bind: BindAddress
        switch listen {
        case .tcp(let host, let port):
            bind = .hostname(host, port: port)
        case .unixSocket(let path):
            try UnixSocketFile.prepare(path)
            bind = .unixDomainSocket(path: path)
        }
        let bound = BoundAddressBox()
        let app = Application(
            router: AgentAPI.router(core: runtime.core, metrics: registry),
            configuration: .init(address: bind, serverName: "lanyard"),
            onServerRunning: { channel in
                let elapsed = ContinuousClock.now - started
                let address: String
                switch listen {
                case .unixSocket(let path):
                    // The agent's group (the kiosk page's web server) may connect; nobody else.
                    chmod(path, 0o660)
                    address = "unix:\(path)"
                case .tcp(let host, _):
                    let port = channel.localAddress?.port ?? 0
                    address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                }
                bound.set(address)
                logger.notice("agent ready", metadata: [
                    "listen": "\(address)", "printer": "\(runtime.core.defaultPrinter)",
                    "startup_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
                onReady(address)
            },
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app), .init(service: SpoolerService(workers: runtime.workers)),
        ]
        if let sync = runtime.sync {
            services.append(.init(service: sync))
        }
        if SystemdNotify().watchdogInterval != nil {
            services.append(.init(service: WatchdogService()))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return AgentServer(runtime: runtime, group: group, listen: listen, boundAddress: bound)
    }

    /// Serves until a signal or `stop()`, then removes its unix socket, if any.
    func run() async throws {
        defer { if case .unixSocket(let path) = listen { unlink(path) } }
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw AgentError(.listenAddressInUse, "cannot listen on \(listen): another process is using that address "
                + "(another agent, or another service on that port); give this agent another one with --listen", detail: "listen")
        }
    }

    func stop() async { await group.triggerGracefulShutdown() }
}

/// The bound address, set from the server's event loop once it listens.
final class BoundAddressBox: Sendable {
    private let value = Mutex<String?>(nil)
    func set(_ address: String) { value.withLock { $0 = address } }
    var address: String? { value.withLock { $0 } }
}

/// Pings systemd's watchdog (at half its interval) while the agent runs.
struct WatchdogService: Service {
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await SystemdNotify().feedWatchdog()
        }
    }
}

/// A unix socket path left behind by an agent that did not stop cleanly must be removed before
/// binding; one that a running agent still answers on must not be.
enum UnixSocketFile {
    static func prepare(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw AgentError(.configurationInvalid, "\(path) exists and is not a socket", detail: "listen")
        }
        if answers(path) {
            throw AgentError(.listenAddressInUse, "another process is listening on \(path)", detail: "listen")
        }
        unlink(path)
    }

    private static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8.prefix(buffer.count - 1))
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
