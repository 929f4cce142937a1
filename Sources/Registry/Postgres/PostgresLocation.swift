import Foundation
public import LanyardSupport

/// Where the PostgreSQL database is, from a connection URL in libpq's form:
/// `postgres://user:password@host:5432/lanyard?sslmode=require`, or with the server's Unix
/// socket directory as the host, `postgresql:///lanyard?host=/run/postgresql&user=lanyard`.
/// Without a host, the Unix socket in `/var/run/postgresql` (Debian's); without a user, the
/// process's own; without a database name, the user's name.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file `.s.PGSQL.<port>` in this directory.
        case unixSocket(directory: String, port: Int)
    }

    /// libpq's `sslmode` as far as the server's connection honours it.
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(parsing text: String) throws(RegistryError) {
        func invalid(_ message: String) -> RegistryError {
            RegistryError(.configurationInvalid, message, detail: "database")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw invalid("the database is a postgres:// or postgresql:// URL")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw invalid("the URL's parameter \(item.name) has no value") }
            query[item.name] = value
        }
        let port = query["port"].flatMap(Int.init) ?? components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("the port is 1 to 65535") }
        let host = query["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "/var/run/postgresql"
        endpoint = host.hasPrefix("/") ? .unixSocket(directory: host, port: port) : .tcp(host: host, port: port)
        let processUser = ProcessInfo.processInfo.userName
        user = query["user"] ?? components.user.flatMap { $0.isEmpty ? nil : $0 } ?? processUser
        password = query["password"] ?? components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? user : path)
        guard !database.contains("/") else { throw invalid("the database name is one path component") }
        let defaultTLS: TLSMode = host.hasPrefix("/") ? .disable : .prefer
        guard let mode = TLSMode(rawValue: query["sslmode"] ?? defaultTLS.rawValue) else {
            throw invalid("sslmode is disable, prefer or require")
        }
        if case .unixSocket = endpoint, mode == .require { throw invalid("a Unix socket connection does not use TLS") }
        tls = mode
        let known: Set = ["host", "port", "user", "password", "dbname", "sslmode"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid("the URL's parameter \(unknown) is not one the registry knows (host, port, user, password, dbname, sslmode)")
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port): "postgres://\(user)@\(host):\(port)/\(database)"
        case .unixSocket(let directory, let port): "postgres:///\(database)?host=\(directory)&port=\(port)&user=\(user)"
        }
    }
}
