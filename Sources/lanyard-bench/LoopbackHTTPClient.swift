import Foundation
import Glibc

/// A minimal blocking HTTP/1.1 client on one keep-alive connection to a loopback port, for the
/// agent benchmark: one per client thread, so that what is timed is the agent and the kernel,
/// not an HTTP library or a task scheduler shared with the clients. Understands what the agent
/// sends back: `Content-Length` or chunked bodies, and `Connection: close`.
final class LoopbackHTTPClient {
    struct Response {
        var status: Int
        /// Header names in lower case.
        var headers: [String: String]
        var body: [UInt8]
        /// Just before the request's first byte was written.
        var writtenAt: ContinuousClock.Instant
        /// When the response's last byte was read.
        var completedAt: ContinuousClock.Instant
    }

    let port: Int
    /// Each send and each receive fails after this long without progress.
    let timeout: Duration
    private var socket: Int32 = -1
    /// Bytes read past the end of the previous response.
    private var pending: [UInt8] = []

    init(port: Int, timeout: Duration = .seconds(30)) {
        self.port = port
        self.timeout = timeout
    }

    deinit { close() }

    func close() {
        if socket >= 0 { _ = Glibc.close(socket) }
        socket = -1
        pending = []
    }

    /// Opens the connection now (a refused connection throws at once: nothing is listening).
    func connect() throws(BenchError) {
        guard socket < 0 else { return }
        let raw = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw Self.failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(raw, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = Self.failure("connect to 127.0.0.1:\(port)")
            _ = Glibc.close(raw)
            throw error
        }
        var on: Int32 = 1
        _ = setsockopt(raw, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let parts = timeout.components
        var limit = timeval(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
        _ = setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        socket = raw
    }

    /// Sends one request and reads its response. A keep-alive connection the server closed
    /// while idle is opened again and the request sent once more (the agent's badge requests are
    /// idempotent), with `writtenAt` taken anew.
    func send(_ method: String, _ path: String, json body: [UInt8]? = nil) throws(BenchError) -> Response {
        do {
            return try exchange(method, path, body: body)
        } catch .closedBeforeResponse {
            close()
            do { return try exchange(method, path, body: body) } catch { throw error.cliError }
        } catch {
            throw error.cliError
        }
    }

    private enum ExchangeError: Error {
        case closedBeforeResponse
        case failed(BenchError)

        var cliError: BenchError {
            switch self {
            case .closedBeforeResponse: BenchError(.unavailable, "the agent closed the connection before answering")
            case .failed(let error): error
            }
        }
    }

    private func exchange(_ method: String, _ path: String, body: [UInt8]?) throws(ExchangeError) -> Response {
        let reused = socket >= 0
        do { try connect() } catch { throw .failed(error) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + (body ?? [])
        let writtenAt = ContinuousClock.now
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = Self.failure("send")
                close()
                throw reused ? ExchangeError.closedBeforeResponse : ExchangeError.failed(error)
            }
            offset += written
        }
        var response: Response
        do {
            response = try readResponse(writtenAt: writtenAt)
        } catch {
            close()
            if case .closedBeforeResponse = error, !reused { throw .failed(error.cliError) }
            throw error
        }
        if response.headers["connection"]?.lowercased() == "close" { close() }
        response.completedAt = ContinuousClock.now
        return response
    }

    private func readResponse(writtenAt: ContinuousClock.Instant) throws(ExchangeError) -> Response {
        var end = 0
        while true {
            if let found = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: pending) {
                end = found
                break
            }
            try fill(receivedNothing: pending.isEmpty)
        }
        let head = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw .failed(BenchError(.internal, "not an HTTP/1.1 response: \(head.prefix(80))"))
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let line = try readLine()
                guard let size = Int(line.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                    throw .failed(BenchError(.internal, "malformed chunk size \"\(line)\""))
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytes(size)
                _ = try readLine()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try readBytes(length)
        }
        return Response(status: status, headers: headers, body: body, writtenAt: writtenAt, completedAt: writtenAt)
    }

    private func readLine() throws(ExchangeError) -> String {
        while true {
            if let end = Self.find([0x0D, 0x0A], in: pending) {
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                return line
            }
            try fill(receivedNothing: false)
        }
    }

    private func readBytes(_ count: Int) throws(ExchangeError) -> [UInt8] {
        while pending.count < count { try fill(receivedNothing: false) }
        let bytes = Array(pending[..<count])
        pending.removeFirst(count)
        return bytes
    }

    /// Reads what the socket has; end of stream before any byte of a response means the server
    /// had closed the connection.
    private func fill(receivedNothing: Bool) throws(ExchangeError) {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending += chunk[..<count]
                return
            }
            if count == 0 {
                throw receivedNothing
                    ? ExchangeError.closedBeforeResponse
                    : ExchangeError.failed(BenchError(.unavailable, "the agent closed the connection mid-response"))
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw .failed(BenchError(.unavailable, "no response from the agent within \(timeout)"))
            }
            throw receivedNothing && errno == ECONNRESET ? ExchangeError.closedBeforeResponse : ExchangeError.failed(Self.failure("recv"))
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for index in 0...(bytes.count - pattern.count) where bytes[index] == pattern[0] {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
        }
        return nil
    }

    private static func failure(_ call: String) -> BenchError {
        BenchError(.unavailable, "\(call): \(String(cString: strerror(errno)))")
    }
}
