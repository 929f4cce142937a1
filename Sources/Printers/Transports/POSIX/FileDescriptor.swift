import Glibc
import Synchronization

/// An open file descriptor (socket, device node, FIFO, pipe) that is closed exactly once: by
/// `close()` or, failing that, when the last reference goes away.
///
/// `shutdownSocket()` may be called from any thread to wake a thread blocked in `poll` on this
/// descriptor; `close()` should run on the thread that uses the descriptor, so its number is never
/// reused by another open while a system call on it is still in flight.
final class FileDescriptor: Sendable {
    let raw: Int32
    private let closed = Atomic<Bool>(false)

    init(_ raw: Int32) {
        self.raw = raw
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = Glibc.close(raw)
    }

    /// Ends both directions of a socket without releasing the descriptor: pending and future
    /// `poll`, `recv` and `send` calls return at once. Harmless on a closed descriptor.
    func shutdownSocket() {
        guard !isClosed else { return }
        _ = Glibc.shutdown(raw, Int32(SHUT_RDWR))
    }

    deinit { close() }
}

/// The C library's text for an `errno` value, e.g. "Connection refused".
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// `errno`'s symbolic name and text, for the `cause` of an error: "ECONNREFUSED: Connection refused".
func systemErrorCause(_ code: Int32, call: String) -> String {
    let names: [Int32: String] = [
        EACCES: "EACCES", EPERM: "EPERM", ENOENT: "ENOENT", EBUSY: "EBUSY", ENXIO: "ENXIO", ENODEV: "ENODEV",
        EIO: "EIO", EPIPE: "EPIPE", ECONNRESET: "ECONNRESET", ECONNREFUSED: "ECONNREFUSED",
        ETIMEDOUT: "ETIMEDOUT", EHOSTUNREACH: "EHOSTUNREACH", ENETUNREACH: "ENETUNREACH", EAGAIN: "EAGAIN",
        EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL", EISDIR: "EISDIR", ENOSPC: "ENOSPC",
        EROFS: "EROFS", ENOTCONN: "ENOTCONN", ECONNABORTED: "ECONNABORTED", EINVAL: "EINVAL",
    ]
    let name = names[code] ?? "errno \(code)"
    return "\(call): \(name): \(systemErrorText(code))"
}
