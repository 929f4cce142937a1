import Glibc
import Synchronization

/// A printer reached through a device node such as `/dev/usb/lp0` (the kernel's `usblp`
/// driver), or any path that takes bytes (a FIFO, a capture file). Write only: `usblp` can read,
/// but Zebra printers are flagged "unidir" by CUPS because reading while streaming loses jobs,
/// so status comes from USB (libusb) or TCP instead.
///
/// The node is opened non-blocking: a printer whose buffer is full makes `write` wait in `poll`
/// until its deadline instead of hanging in the kernel.
public final class DeviceFileConnection: PrinterConnection {
    public let address: PrinterAddress
    public let path: String
    public var canRead: Bool { false }

    private let descriptor: FileDescriptor
    private let worker: BlockingWorker
    private let closed = Atomic<Bool>(false)

    private init(path: String, descriptor: FileDescriptor, worker: BlockingWorker) {
        self.path = path
        self.address = .file(path: path)
        self.descriptor = descriptor
        self.worker = worker
    }

    /// Opens `path` for writing. A missing path (or a device node with no device behind it, or
    /// a FIFO nobody reads) is `.notFound`; a node this user may not open is
    /// `.permissionDenied`; a node held by another process is `.busy`.
    public static func open(path: String) async throws(TransportError) -> DeviceFileConnection {
        let worker = BlockingWorker(label: "lanyard.file.\(path)")
        let address = PrinterAddress.file(path: path).description
        let descriptor = try await worker.run { () throws(TransportError) -> FileDescriptor in
            // O_APPEND: a capture file collects successive jobs instead of overwriting the first
            // one; device nodes and FIFOs ignore it.
            let raw = Glibc.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_APPEND)
            guard raw >= 0 else { throw openFailure(errno, path: path, address: address) }
            return FileDescriptor(raw)
        }
        return DeviceFileConnection(path: path, descriptor: descriptor, worker: worker)
    }

    public func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        guard !closed.load(ordering: .acquiring) else { throw closedError() }
        let deadline = Deadline(after: timeout)
        let descriptor = descriptor
        let address = address.description
        let path = path
        try await worker.run { () throws(TransportError) in
            switch writeAll(bytes, to: descriptor.raw, kind: .file, deadline: deadline) {
            case .completed:
                return
            case .timedOut(let written):
                throw TransportError(
                    .timeout, "\(path) stopped taking bytes (\(written) of \(bytes.count) written)", address: address,
                    bytesWritten: written)
            case .failed(let code, let call, let written):
                let cause = systemErrorCause(code, call: call)
                switch code {
                case ENODEV, EIO, EPIPE, ENXIO:
                    throw TransportError(
                        .disconnected, "the device behind \(path) went away", address: address, cause: cause, bytesWritten: written)
                default:
                    throw TransportError(.ioFailed, "writing \(path) failed", address: address, cause: cause, bytesWritten: written)
                }
            }
        }
    }

    public func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8] {
        throw TransportError(
            .unsupported, "a device file is write only; read printer status over USB or TCP", address: address.description)
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let descriptor = descriptor
        _ = try? await worker.run { () throws(TransportError) in descriptor.close() }
    }

    private func closedError() -> TransportError {
        TransportError(.disconnected, "the device file was closed", address: address.description)
    }

    private static func openFailure(_ code: Int32, path: String, address: String) -> TransportError {
        let cause = systemErrorCause(code, call: "open")
        switch code {
        case ENOENT:
            return TransportError(
                .notFound, "\(path) does not exist (is the printer plugged in and the usblp driver loaded?)", address: address, cause: cause
            )
        case ENXIO, ENODEV:
            return TransportError(.notFound, "no device (or, for a FIFO, no reader) behind \(path)", address: address, cause: cause)
        case EACCES, EPERM:
            return TransportError(
                .permissionDenied,
                "this user may not write \(path): add it to the group owning the node (usually lp: `usermod -aG lp USER`, then log in again) "
                    + "or install a udev rule such as SUBSYSTEM==\"usbmisc\", KERNEL==\"lp[0-9]*\", ATTRS{idVendor}==\"0a5f\", GROUP=\"lp\", MODE=\"0660\"",
                address: address, cause: cause)
        case EBUSY:
            return TransportError(
                .busy, "\(path) is held by another process (a print spooler such as CUPS?)", address: address, cause: cause)
        default:
            return TransportError(.ioFailed, "cannot open \(path) for writing", address: address, cause: cause)
        }
    }
}
