/// Where an HTTP server listens: a TCP address (loopback by default) or a unix socket, for a
/// kiosk page served by a local web server that should reach the agent without any TCP port at all.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    /// `unix:/run/lanyard/agent.sock`.
    case unixSocket(path: String)

    /// `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (loopback) or `unix:PATH` (an absolute path).
    public init(parsing text: String) throws(ListenError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            // sun_path holds 108 bytes with its terminator.
            guard path.hasPrefix("/"), path.utf8.count < 108 else {
                throw ListenError(.invalid, "a unix socket needs an absolute path shorter than 108 bytes", context: text)
            }
            self = .unixSocket(path: path)
        } else {
            let (host, port) = try Self.hostAndPort(text)
            self = .tcp(host: host, port: port)
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback).
    public static func hostAndPort(_ text: String) throws(ListenError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ListenError(.invalid, "expected HOST:PORT", context: text)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): "unix:\(path)"
        }
    }

    /// What clients use to reach a server bound here: `http://HOST:PORT` with the port the kernel
    /// chose for a port of 0, or `unix:PATH`.
    public func clientURL(boundPort: Int?) -> String {
        switch self {
        case .unixSocket(let path): "unix:\(path)"
        case .tcp(let host, _): "http://\(host.contains(":") ? "[\(host)]" : host):\(boundPort ?? 0)"
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .unixSocket: true
        case .tcp(let host, _): host == "127.0.0.1" || host == "::1" || host == "localhost"
        }
    }
}

/// A listen address that is malformed or cannot be taken; the context is the address.
public typealias ListenError = CodedError<ListenErrorCode>
