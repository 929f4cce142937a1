public import Foundation
import Glibc

/// The sd_notify protocol, spoken directly so the agent needs no libsystemd: under a
/// `Type=notify` unit, systemd passes a unix datagram socket in `$NOTIFY_SOCKET` and waits for
/// `READY=1` before it considers the service started; with `WatchdogSec=` it also passes
/// `$WATCHDOG_USEC` and kills the service when `WATCHDOG=1` pings stop. Outside systemd every
/// call is a no-op, so the agent runs the same way from a terminal.
public struct SystemdNotify: Sendable {
    /// The `sockaddr_un.sun_path` bytes: a filesystem path, or for the abstract namespace
    /// (`$NOTIFY_SOCKET` starting with `@`) a leading NUL and the name. Nil when not under systemd.
    public let socketPath: [UInt8]?
    /// How long systemd waits between pings before it declares the service hung; nil when the
    /// watchdog is off or meant for another process (`$WATCHDOG_PID`).
    public let watchdogTimeout: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, processID: pid_t = getpid()) {
        socketPath = Self.socketPath(environment["NOTIFY_SOCKET"])
        watchdogTimeout = Self.watchdogTimeout(environment, processID: processID)
    }

    public var isEnabled: Bool { socketPath != nil }

    /// How often to ping: half the timeout, as systemd recommends, so one late ping is not fatal.
    public var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    @discardableResult
    public func ready(status: String? = nil) -> Bool { send(["READY=1"] + Self.statusLine(status)) }

    @discardableResult
    public func status(_ text: String) -> Bool { send(Self.statusLine(text)) }

    @discardableResult
    public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

    @discardableResult
    public func stopping(status: String? = nil) -> Bool { send(["STOPPING=1"] + Self.statusLine(status)) }

    /// Pings the watchdog every `watchdogInterval` until the task is cancelled, skipping a ping
    /// whenever `isHealthy` says the agent is stuck, so that systemd restarts it. Returns at once
    /// when the watchdog is off.
    public func feedWatchdog(while isHealthy: @escaping @Sendable () async -> Bool = { true }) async {
        guard socketPath != nil, let interval = watchdogInterval else { return }
        while !Task.isCancelled {
            if await isHealthy() { watchdog() }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Sends one datagram of `KEY=VALUE` lines. Returns whether systemd's socket took it; a
    /// missing socket or a failed send is not an error for the agent, only a lost notification.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let socketPath, !assignments.isEmpty else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard socketPath.count <= capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: socketPath) }
        // An abstract name is exactly its bytes; a path may not contain the NUL that ends it.
        let length = socklen_t(Self.pathOffset + socketPath.count)

        let message = Array(assignments.joined(separator: "\n").utf8)
        let sent = message.withUnsafeBytes { payload in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        return sent == message.count
    }

    /// Where `sun_path` starts in `sockaddr_un` (after the address family).
    private static let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? MemoryLayout<sa_family_t>.size

    static func socketPath(_ value: String?) -> [UInt8]? {
        guard let value, let first = value.first else { return nil }
        switch first {
        case "/":
            let bytes = Array(value.utf8)
            return bytes.contains(0) ? nil : bytes
        case "@":
            let name = Array(value.utf8.dropFirst())
            return name.isEmpty ? nil : [0] + name
        default:
            return nil
        }
    }

    static func watchdogTimeout(_ environment: [String: String], processID: pid_t) -> Duration? {
        if let owner = environment["WATCHDOG_PID"] {
            guard let pid = pid_t(owner), pid == processID else { return nil }
        }
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
            usec <= UInt64(Int64.max)
        else { return nil }
        return .microseconds(Int64(usec))
    }

    /// A status is one line of the datagram, so line breaks in it would start bogus assignments.
    private static func statusLine(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        let flat = text.map { $0.isNewline ? " " : String($0) }.joined()
        return ["STATUS=" + flat]
    }
}
