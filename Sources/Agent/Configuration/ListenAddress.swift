/// Where the HTTP API listens: a TCP address (loopback by default) or a unix socket, for a kiosk
/// page served by a local web server that should reach the agent without any TCP port at all.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    /// `unix:/run/lanyard/agent.sock`.
    case unixSocket(path: String)

    /// `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (loopback) or `unix:PATH` (an absolute path).
    public init(parsing text: String) throws(AgentError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            // sun_path holds 108 bytes with its terminator.
            guard path.hasPrefix("/"), path.utf8.count < 108 else {
                throw AgentError(.configurationInvalid, "a unix socket needs an absolute path shorter than 108 bytes", detail: text)
            }
            self = .unixSocket(path: path)
        } else {
            let (host, port) = try AgentConfiguration.hostAndPort(text)
            self = .tcp(host: host, port: port)
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
