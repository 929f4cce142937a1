import Foundation
import Glibc
public import LanyardSupport

/// The simulator's control port: a line names a mode (`paper-out`, `ready`, `slow:500`...), the
/// reply says what the simulator is doing now. For demos and scripts (`echo paper-out | nc ...`);
/// it binds to loopback unless told otherwise and takes one client at a time.
public final class SimulatorControlServer: Sendable {
    public let port: Int
    private let listener: Int32

    public init(host: String, port: Int, simulator: PrinterSimulator) throws(ListenError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else {
            throw ListenError(.invalid, "cannot resolve the address", context: "\(host):\(port)")
        }
        defer { freeaddrinfo(found) }
        let socket = Glibc.socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        guard socket >= 0, bind(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, Glibc.listen(socket, 4) == 0 else {
            let text = String(cString: strerror(errno))
            if socket >= 0 { close(socket) }
            throw ListenError(.inUse, text, context: "\(host):\(port)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let family = bound.ss_family
        let boundPort = withUnsafePointer(to: &bound) { pointer -> UInt16 in
            family == sa_family_t(AF_INET6)
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        self.port = Int(UInt16(bigEndian: boundPort))
        self.listener = socket
        let thread = Thread { Self.serve(socket, simulator: simulator) }
        thread.name = "lanyard-sim-control"
        thread.start()
    }

    /// Accepts clients one after another for the life of the process.
    private static func serve(_ listener: Int32, simulator: PrinterSimulator) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 512)
            reading: while true {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break reading }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(...newline)
                    guard !line.isEmpty else { continue }
                    let reply = Array((apply(line, to: simulator) + "\n").utf8)
                    _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                if pending.count > 4096 { break reading }
            }
            close(client)
        }
    }

    /// Applies a mode name; the answer starts with `ok` or `error`.
    public static func apply(_ line: String, to simulator: PrinterSimulator) -> String {
        if line == "status" {
            return "ok \(simulator.mode); \(simulator.printedLabels.count) label(s) printed"
        }
        guard let mode = SimulatorMode(name: line) else {
            return "error: unknown state '\(line)'; use ready, paper-out, head-open, paused, slow:N, drop:N or status"
        }
        do {
            try simulator.setMode(mode)
            return "ok \(simulator.mode)"
        } catch {
            return "error: \(error)"
        }
    }
}

extension SimulatorMode {
    /// A state as typed on a command line or a control port: `ready`, `paper-out`, `head-open`,
    /// `paused`, `slow:BYTES_PER_SECOND`, `drop:AFTER_BYTES`.
    public init?(name: String) {
        let parts = name.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first else { return nil }
        let number = parts.count == 2 ? Int(parts[1]) : nil
        switch first {
        case "ready": self = .ready
        case "paper-out": self = .paperOut
        case "head-open": self = .headOpen
        case "paused": self = .paused
        case "slow": self = .slow(bytesPerSecond: max(1, number ?? 2000))
        case "drop": self = .dropConnection(afterBytes: max(0, number ?? 1000))
        default: return nil
        }
    }

    /// The name `init?(name:)` reads.
    public var name: String {
        switch self {
        case .ready: "ready"
        case .paperOut: "paper-out"
        case .headOpen: "head-open"
        case .paused: "paused"
        case .slow(let rate): "slow:\(rate)"
        case .dropConnection(let after): "drop:\(after)"
        }
    }
}
