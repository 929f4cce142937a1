public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx serving a repository directory as a plain web server: what a venue or a CDN
/// would run instead of the registry server (for the Sync and TUF clients' tests). One process (no master), so killing it cuts every
/// transfer at once.
public final class NginxServer: Sendable {
    public let prefix: URL
    public let port: Int
    private let process: Process

    /// `rate` limits bytes per second per connection (0: unlimited), to catch a transfer mid-way.
    public init(serving directory: URL, rate: Int = 0) throws {
        prefix = FileManager.default.temporaryDirectory.appending(path: "lanyard-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: prefix.appending(path: "tmp"), withIntermediateDirectories: true)
        port = try Self.freePort()
        let config = """
            master_process off;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(prefix.path)/tmp;
                proxy_temp_path \(prefix.path)/tmp;
                fastcgi_temp_path \(prefix.path)/tmp;
                uwsgi_temp_path \(prefix.path)/tmp;
                scgi_temp_path \(prefix.path)/tmp;
                default_type application/octet-stream;
                server {
                    listen 127.0.0.1:\(port);
                    root \(directory.path);
                    etag on;
                    location / { limit_rate \(rate); }
                }
            }
            """
        try Data(config.utf8).write(to: prefix.appending(path: "nginx.conf"))
        process = try Self.start(prefix: prefix, port: port)
    }

    public var baseURL: String { "http://127.0.0.1:\(port)/" }

    private static func start(prefix: URL, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix.path, "-c", prefix.appending(path: "nginx.conf").path, "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if Self.accepts(port: port) { return process }
            usleep(20_000)
        }
        throw NSError(domain: "nginx", code: 1, userInfo: [NSLocalizedDescriptionKey: "nginx did not start; see \(prefix.path)/error.log"])
    }

    /// SIGKILL: every open connection is cut as by a crash or a pulled cable.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: prefix)
    }

    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "nginx", code: 2) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
