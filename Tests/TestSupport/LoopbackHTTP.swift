public import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Plain HTTP/1.1 over sockets for the tests that drive whole processes: no client library
// between the test and what the server really answers, and requests that can be cut half-way.

/// One HTTP/1.1 request over a unix socket; nil when nothing listens.
public func unixHTTP(
    socket path: String, method: String, path uri: String, body: Data?, headers: [String] = []
) -> (status: Int, body: Data)? {
    let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8.prefix($0.count - 1)) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { return nil }
    return httpExchange(descriptor, method: method, path: uri, body: body, headers: headers)
}

/// One HTTP/1.1 request to a loopback TCP port; nil when nothing listens. A reply is waited
/// for at most `readTimeout` seconds (a long-poll needs more than the default).
public func loopbackHTTP(
    port: Int, method: String, path uri: String, body: Data? = nil, headers: [String] = [], readTimeout: Int = 10
) -> (status: Int, body: Data)? {
    guard let descriptor = loopbackConnection(port: port) else { return nil }
    defer { close(descriptor) }
    return httpExchange(descriptor, method: method, path: uri, body: body, headers: headers, readTimeout: readTimeout)
}

/// A request caught half-way: its head and the first `sending` bytes of its body are sent on a
/// new connection, left open; the caller closes the descriptor. Nil when nothing listens.
public func partialLoopbackHTTP(port: Int, method: String, path uri: String, body: Data, sending: Int, headers: [String] = []) -> Int32? {
    guard let descriptor = loopbackConnection(port: port) else { return nil }
    let request = requestBytes(method: method, path: uri, body: body, headers: headers)
    guard send(descriptor, Array(request.prefix(request.count - body.count + sending))) else {
        close(descriptor)
        return nil
    }
    return descriptor
}

private func loopbackConnection(port: Int) -> Int32? {
    let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(descriptor)
        return nil
    }
    return descriptor
}

private func requestBytes(method: String, path uri: String, body: Data?, headers: [String]) -> [UInt8] {
    var request = Array("\(method) \(uri) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".utf8)
    for header in headers { request += Array("\(header)\r\n".utf8) }
    if let body { request += Array("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n".utf8) }
    request += Array("\r\n".utf8)
    if let body { request += Array(body) }
    return request
}

private func send(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        sent += count
    }
    return true
}

func httpExchange(
    _ descriptor: Int32, method: String, path uri: String, body: Data?, headers: [String] = [], readTimeout: Int = 10
) -> (status: Int, body: Data)? {
    // A process that accepts but never answers must not hang the test: reads give up in time.
    var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    guard send(descriptor, requestBytes(method: method, path: uri, body: body, headers: headers)) else { return nil }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count <= 0 { break }
        reply += buffer[0..<count]
    }
    guard let split = reply.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
    let head = String(decoding: reply[..<split.lowerBound], as: UTF8.self)
    guard let status = head.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
    var payload = Array(reply[split.upperBound...])
    if head.lowercased().contains("transfer-encoding: chunked") { payload = dechunk(payload) }
    return (status, Data(payload))
}

/// The body of a chunked HTTP/1.1 response.
private func dechunk(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { break }
        let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
        let start = lineEnd.upperBound
        out += bytes[start..<min(bytes.count, start + size)]
        index = start + size + 2
    }
    return out
}

/// A TCP port nothing listens on right now (bound and released; the caller binds it next).
public func freeTCPPort() throws -> Int {
    let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard bound else { throw LoopbackPortUnavailable() }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// No loopback port could be bound.
public struct LoopbackPortUnavailable: Error {}
