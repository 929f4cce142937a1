import Glibc

/// Opens a TCP connection to a printer's raw port: resolves the host with `getaddrinfo` (IPv4
/// and IPv6, in the resolver's order) and tries each address with a non-blocking `connect`
/// bounded by one shared deadline. Runs on the connection's worker thread.
enum TCPConnector {
    static func connect(host: String, port: Int, deadline: Deadline, address: String) throws(TransportError) -> FileDescriptor {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let cause =
                status == EAI_SYSTEM
                ? systemErrorCause(errno, call: "getaddrinfo") : "getaddrinfo: " + String(cString: gai_strerror(status))
            throw TransportError(.notFound, "cannot resolve host \"\(host)\"", address: address, cause: cause)
        }
        defer { freeaddrinfo(list) }

        var failures: [(code: Int32, call: String)] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            if deadline.hasPassed, !failures.isEmpty { break }
            let info = current.pointee
            let raw = socket(
                info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
            guard raw >= 0 else {
                failures.append((errno, "socket"))
                continue
            }
            let descriptor = FileDescriptor(raw)
            if let failure = attempt(descriptor, info, deadline: deadline) {
                descriptor.close()
                failures.append(failure)
                continue
            }
            configure(descriptor)
            return descriptor
        }
        throw failure(failures, host: host, port: port, address: address)
    }

    /// One non-blocking connect; nil on success, else the errno and the call that failed.
    private static func attempt(_ descriptor: FileDescriptor, _ info: addrinfo, deadline: Deadline) -> (code: Int32, call: String)? {
        if Glibc.connect(descriptor.raw, info.ai_addr, info.ai_addrlen) == 0 { return nil }
        let code = errno
        guard code == EINPROGRESS || code == EINTR else { return (code, "connect") }
        switch waitFor(Int16(POLLOUT), on: descriptor.raw, until: deadline) {
        case .timedOut:
            return (ETIMEDOUT, "connect")
        case .failed(let pollErrno):
            return (pollErrno, "poll")
        case .ready:
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor.raw, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                return (errno, "getsockopt")
            }
            return socketError == 0 ? nil : (socketError, "connect")
        }
    }

    /// Status queries are a few bytes each: send them at once rather than waiting for Nagle.
    /// Keepalive lets a long-idle connection to a printer that was switched off fail eventually.
    private static func configure(_ descriptor: FileDescriptor) {
        var on: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(descriptor.raw, Int32(IPPROTO_TCP), TCP_NODELAY, &on, size)
        _ = setsockopt(descriptor.raw, SOL_SOCKET, SO_KEEPALIVE, &on, size)
    }

    /// The most telling failure: a refusal or an unreachable host means nothing is there; a
    /// timeout means the host did not answer in time.
    private static func failure(_ failures: [(code: Int32, call: String)], host: String, port: Int, address: String) -> TransportError {
        let causes = failures.map { systemErrorCause($0.code, call: $0.call) }.joined(separator: "; ")
        let codes = Set(failures.map(\.code))
        if codes.contains(ECONNREFUSED) {
            return TransportError(
                .notFound, "connection refused: nothing listens on port \(port) of \(host)", address: address, cause: causes)
        }
        if !codes.isDisjoint(with: [EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL]) {
            return TransportError(.notFound, "host \(host) is unreachable", address: address, cause: causes)
        }
        if codes.contains(ETIMEDOUT) {
            return TransportError(.timeout, "no answer from \(host) port \(port) in time", address: address, cause: causes)
        }
        return TransportError(.ioFailed, "cannot connect to \(host) port \(port)", address: address, cause: causes.isEmpty ? nil : causes)
    }
}
