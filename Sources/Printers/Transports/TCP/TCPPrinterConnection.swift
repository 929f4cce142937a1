import Glibc
import Synchronization

/// A raw TCP connection to a network printer (port 9100 by default), the same byte pipe as USB:
/// jobs go out as written, status replies come back on the same connection.
///
/// Every system call runs on the connection's own `BlockingWorker` thread with a deadline. A
/// printer that stops reading (paused, out of paper) makes `write` end with `.timeout` and the
/// count of bytes it took; a dropped connection is `.disconnected`; SIGPIPE is never raised
/// (`MSG_NOSIGNAL`).
public final class TCPPrinterConnection: PrinterConnection {
    public let address: PrinterAddress
    public var canRead: Bool { true }

    private let socket: FileDescriptor
    private let worker: BlockingWorker
    private let closed = Atomic<Bool>(false)

    private init(address: PrinterAddress, socket: FileDescriptor, worker: BlockingWorker) {
        self.address = address
        self.socket = socket
        self.worker = worker
    }

    /// Connects to `host:port`; `timeout` bounds the connection attempts (not the name lookup,
    /// which the C library performs at its own pace). A refused connection is `.notFound`.
    public static func connect(host: String, port: Int, timeout: Duration) async throws(TransportError) -> TCPPrinterConnection {
        let address = PrinterAddress.tcp(host: host, port: port)
        guard (1...65535).contains(port) else {
            throw TransportError(.invalidAddress, "port must be a number from 1 to 65535", address: address.description)
        }
        let worker = BlockingWorker(label: "lanyard.tcp.\(host):\(port)")
        let deadline = Deadline(after: timeout)
        let socket = try await worker.run { () throws(TransportError) in
            try TCPConnector.connect(host: host, port: port, deadline: deadline, address: address.description)
        }
        return TCPPrinterConnection(address: address, socket: socket, worker: worker)
    }

    /// Connects to a `tcp://` address.
    public static func connect(to address: PrinterAddress, timeout: Duration) async throws(TransportError) -> TCPPrinterConnection {
        guard case .tcp(let host, let port) = address else {
            throw TransportError(.invalidAddress, "not a tcp:// address", address: address.description)
        }
        return try await connect(host: host, port: port, timeout: timeout)
    }

    public func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        try checkOpen()
        let deadline = Deadline(after: timeout)
        let socket = socket
        let address = address.description
        try await worker.run { () throws(TransportError) in
            guard !socket.isClosed else { throw Self.closedError(address) }
            switch writeAll(bytes, to: socket.raw, kind: .socket, deadline: deadline) {
            case .completed:
                return
            case .timedOut(let written):
                throw TransportError(
                    .timeout, "the printer stopped taking bytes (\(written) of \(bytes.count) sent)", address: address,
                    bytesWritten: written)
            case .failed(let code, let call, let written):
                throw Self.failure(code, call: call, address: address, bytesWritten: written)
            }
        }
    }

    public func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8] {
        try checkOpen()
        let socket = socket
        let address = address.description
        // A caller content with nothing takes only what is already there.
        let deadline = isComplete([]) ? Deadline(after: .zero) : Deadline(after: timeout)
        var received: [UInt8] = []
        while true {
            let step = try await worker.run { () throws(TransportError) -> ReadStep in
                guard !socket.isClosed else { throw Self.closedError(address) }
                return readSome(from: socket.raw, deadline: deadline)
            }
            switch step {
            case .data(let bytes):
                received += bytes
                if isComplete(received) { return received }
            case .timedOut:
                return received
            case .closed:
                throw TransportError(
                    .disconnected, "the printer closed the connection (\(received.count) bytes of a reply received)", address: address)
            case .failed(let code, let call):
                throw Self.failure(code, call: call, address: address, bytesWritten: nil)
            }
        }
    }

    /// Shuts the socket down at once (waking a read or write in progress), then releases it on
    /// the worker thread. Idempotent.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        socket.shutdownSocket()
        let socket = socket
        _ = try? await worker.run { () throws(TransportError) in socket.close() }
    }

    private func checkOpen() throws(TransportError) {
        if closed.load(ordering: .acquiring) { throw Self.closedError(address.description) }
    }

    private static func closedError(_ address: String) -> TransportError {
        TransportError(.disconnected, "the connection was closed", address: address)
    }

    private static func failure(_ code: Int32, call: String, address: String, bytesWritten: Int?) -> TransportError {
        let cause = systemErrorCause(code, call: call)
        switch code {
        case EPIPE, ECONNRESET, ENOTCONN, ECONNABORTED, ESHUTDOWN:
            return TransportError(
                .disconnected, "the printer dropped the connection", address: address, cause: cause, bytesWritten: bytesWritten)
        case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ENETDOWN:
            return TransportError(
                .disconnected, "the printer stopped answering on the network", address: address, cause: cause, bytesWritten: bytesWritten)
        default:
            return TransportError(.ioFailed, "network I/O failed", address: address, cause: cause, bytesWritten: bytesWritten)
        }
    }
}
