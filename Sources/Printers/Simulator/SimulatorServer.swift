import Dispatch
import Foundation
import Glibc
import Synchronization

/// Serves a `PrinterSimulator` on a raw TCP port, the way a network printer listens on 9100:
/// every connection's bytes go to the simulator, its replies go back on the same connection.
/// One thread per connection, each waiting in `poll` on its socket and on a wake pipe that
/// `stop()` writes to, so shutdown never waits for a client.
///
/// Modes are switched in process (`setMode`), never over the printer port.
public final class SimulatorServer: Sendable {
    public var simulator: PrinterSimulator { core.simulator }
    public let host: String
    /// The bound port (the ephemeral one the system chose when 0 was asked for).
    public var port: Int { core.port }

    /// The threads hold the core, not the server, so dropping the server stops them.
    private let core: SimulatorServerCore

    /// Binds `host:port` (port 0 for an ephemeral port) and starts accepting connections.
    public init(simulator: PrinterSimulator, host: String = "127.0.0.1", port: Int = 0) throws(TransportError) {
        guard (0...65535).contains(port) else {
            throw TransportError(.invalidAddress, "port must be a number from 0 to 65535", address: "\(host):\(port)")
        }
        self.host = host
        core = try SimulatorServerCore(simulator: simulator, host: host, port: port)
        core.start()
    }

    public var address: PrinterAddress { .tcp(host: host, port: port) }

    public func setMode(_ mode: SimulatorMode) throws(SimulatorError) {
        try simulator.setMode(mode)
    }

    /// Connections open now.
    public var activeConnections: Int { core.state.withLock { $0.connections } }
    /// Connections accepted since the server started.
    public var acceptedConnections: Int { core.state.withLock { $0.accepted } }

    /// Stops accepting, closes every connection and waits for their threads. Idempotent.
    public func stop() {
        core.stop()
    }

    deinit { core.stop() }
}

/// The listening socket, the wake pipe and the threads serving them.
private final class SimulatorServerCore: Sendable {
    let simulator: PrinterSimulator
    let port: Int
    let listener: FileDescriptor
    let wakeReader: FileDescriptor
    let wakeWriter: FileDescriptor
    let threads = DispatchGroup()
    let state = Mutex(State())

    struct State {
        var stopped = false
        var connections = 0
        var accepted = 0
    }

    init(simulator: PrinterSimulator, host: String, port: Int) throws(TransportError) {
        self.simulator = simulator
        let (listener, boundPort) = try Self.listen(host: host, port: port)
        self.listener = listener
        self.port = boundPort
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            throw TransportError(.ioFailed, "cannot create the server's wake pipe", cause: systemErrorCause(errno, call: "pipe"))
        }
        wakeReader = FileDescriptor(pipeEnds[0])
        wakeWriter = FileDescriptor(pipeEnds[1])
        Self.makeNonBlocking(pipeEnds[0])
        Self.makeNonBlocking(pipeEnds[1])
    }

    func start() {
        startThread { [self] in acceptLoop() }
    }

    func stop() {
        let alreadyStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !alreadyStopped else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWriter.raw, &byte, 1)
        threads.wait()
        listener.close()
    }

    // MARK: Threads

    private func startThread(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let group = threads
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = "lanyard.simulator.\(port)"
        thread.start()
    }

    private func acceptLoop() {
        while true {
            switch waitFor(Int16(POLLIN), on: listener.raw, until: nil, wake: wakeReader.raw) {
            case .ready(let events) where events == 0:
                return
            case .failed, .timedOut:
                return
            case .ready:
                break
            }
            let raw = accept(listener.raw, nil, nil)
            guard raw >= 0 else {
                let code = errno
                if code == EINTR || code == EAGAIN || code == ECONNABORTED { continue }
                // Out of descriptors or similar: wait a little rather than spin, then retry.
                if pauseUnlessStopped(milliseconds: 50) { return }
                continue
            }
            let connection = FileDescriptor(raw)
            Self.makeNonBlocking(raw)
            var on: Int32 = 1
            _ = setsockopt(raw, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            let started = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections += 1
                state.accepted += 1
                return true
            }
            guard started else { return }
            startThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: FileDescriptor) {
        let session = simulator.makeSession()
        defer {
            session.close()
            connection.close()
            state.withLock { $0.connections -= 1 }
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            switch waitFor(Int16(POLLIN), on: connection.raw, until: nil, wake: wakeReader.raw) {
            case .ready(let events) where events == 0:
                return
            case .failed, .timedOut:
                return
            case .ready:
                break
            }
            let rate = simulator.receiveRateLimit
            // A slow printer takes a twentieth of its rate at a time, then rests for as long as
            // those bytes "took"; the client's writes back up in the socket buffers meanwhile.
            let chunk = rate.map { min(max($0 / 20, 1), buffer.count) } ?? buffer.count
            let count = buffer.withUnsafeMutableBytes { recv(connection.raw, $0.baseAddress, chunk, 0) }
            if count == 0 { return }
            if count < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
                return
            }
            let delivery = session.receive(Array(buffer[0..<count]))
            if !delivery.replies.isEmpty {
                guard writeAll(delivery.replies, to: connection.raw, kind: .socket, deadline: Deadline(after: .seconds(5))) == .completed
                else { return }
            }
            if delivery.closeConnection {
                // Linger 0: the close resets the connection at once, as a printer reset would.
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(connection.raw, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            }
            if let rate, pauseUnlessStopped(milliseconds: max(count * 1000 / rate, 1)) { return }
        }
    }

    /// Sleeps, waking early when the server stops; true when it stopped.
    private func pauseUnlessStopped(milliseconds: Int) -> Bool {
        var descriptor = pollfd(fd: wakeReader.raw, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(clamping: milliseconds)) > 0
    }

    /// Non-blocking and close-on-exec (`accept4` and `pipe2` are GNU extensions Swift's Glibc
    /// module does not declare).
    private static func makeNonBlocking(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
    }

    private static func listen(host: String, port: Int) throws(TransportError) -> (FileDescriptor, Int) {
        let address = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw TransportError(
                .invalidAddress, "cannot resolve the address to listen on", address: address,
                cause: "getaddrinfo: " + String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var failure = (code: Int32(0), call: "")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let info = current.pointee
            let raw = socket(
                info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), info.ai_protocol)
            guard raw >= 0 else {
                failure = (errno, "socket")
                continue
            }
            let descriptor = FileDescriptor(raw)
            var on: Int32 = 1
            _ = setsockopt(raw, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            guard bind(raw, info.ai_addr, info.ai_addrlen) == 0 else {
                failure = (errno, "bind")
                continue
            }
            guard Glibc.listen(raw, 64) == 0 else {
                failure = (errno, "listen")
                continue
            }
            guard let bound = boundPort(raw) else {
                failure = (errno, "getsockname")
                continue
            }
            return (descriptor, bound)
        }
        let cause = systemErrorCause(failure.code, call: failure.call)
        if failure.code == EADDRINUSE {
            throw TransportError(.busy, "port \(port) is already in use", address: address, cause: cause)
        }
        throw TransportError(.ioFailed, "cannot listen on \(address)", address: address, cause: cause)
    }

    private static func boundPort(_ socket: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard result == 0 else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer -> Int? in
            switch family {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                nil
            }
        }
    }
}
