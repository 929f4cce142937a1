internal import CLibUSB
import Synchronization

/// An opened printer with its interface claimed: a `libusb_device_handle *` and the context whose
/// worker thread uses it. Closing (explicitly, or on deinit) releases the interface, hands it
/// back to the kernel driver that was detached, and closes the handle, all on the worker thread.
final class USBDeviceHandle: Sendable {
    enum State: Sendable {
        case open
        /// The printer went away; the handle stays until closed.
        case disconnected
        case closed
    }

    /// The outcome of one transfer: bytes moved (and read), libusb's status, and the error that
    /// status means (nil on success).
    struct Transfer: Sendable {
        var transferred: Int
        var bytes: [UInt8]
        var status: Int32
        var failure: TransportError?
    }

    let context: USBContext
    let pointer: USBPointer
    let interface: USBPrinterInterface
    let detachedKernelDriver: Bool
    let addressText: String
    private let state = Mutex(State.open)

    init(context: USBContext, pointer: USBPointer, interface: USBPrinterInterface, detachedKernelDriver: Bool, addressText: String) {
        self.context = context
        self.pointer = pointer
        self.interface = interface
        self.detachedKernelDriver = detachedKernelDriver
        self.addressText = addressText
    }

    deinit {
        guard state.withLock({ $0 }) != .closed else { return }
        let context = context, pointer = pointer, number = interface.number, detached = detachedKernelDriver
        // The job holds the context, so libusb_exit runs only after this close.
        context.worker.enqueue {
            _ = context
            Self.release(pointer, interface: number, detachedKernelDriver: detached)
        }
    }

    /// Releases the claim, re-attaches the kernel driver if one was detached, closes the
    /// handle. Failures are ignored: an unplugged printer has nothing left to release.
    static func release(_ handle: USBPointer, interface: UInt8, detachedKernelDriver: Bool) {
        libusb_release_interface(handle.raw, Int32(interface))
        if detachedKernelDriver {
            libusb_attach_kernel_driver(handle.raw, Int32(interface))
        }
        libusb_close(handle.raw)
    }

    func close() async {
        let wasClosed = state.withLock { current in
            defer { current = .closed }
            return current == .closed
        }
        guard !wasClosed else { return }
        let pointer = pointer, number = interface.number, detached = detachedKernelDriver
        await context.worker.run {
            Self.release(pointer, interface: number, detachedKernelDriver: detached)
        }
    }

    /// Runs `body` on the worker with the open handle. Fails without touching libusb once the
    /// printer was unplugged or the connection closed; a NO_DEVICE status from `body` marks the
    /// handle disconnected.
    func transfer(_ body: @escaping @Sendable (USBPointer) -> Transfer) async throws(TransportError) -> Transfer {
        let addressText = addressText
        let result: Result<Transfer, TransportError> = await context.worker.run { [self] in
            switch state.withLock({ $0 }) {
            case .closed:
                return .failure(TransportError(.ioFailed, "the USB connection is closed", address: addressText))
            case .disconnected:
                return .failure(
                    TransportError(
                        .disconnected, "the printer was unplugged; open it again once it is back", address: addressText))
            case .open:
                let transfer = body(pointer)
                if transfer.status == USBStatus.noDevice {
                    state.withLock { if $0 == .open { $0 = .disconnected } }
                }
                return .success(transfer)
            }
        }
        return try result.get()
    }

    /// One bulk OUT transfer of `bytes[range]`. A stalled endpoint is cleared before returning.
    func bulkOut(_ bytes: [UInt8], range: Range<Int>, timeout: Duration) async throws(TransportError) -> Transfer {
        let endpoint = interface.bulkOut, addressText = addressText
        return try await transfer { handle in
            var transferred: Int32 = 0
            let status = bytes.withUnsafeBufferPointer { buffer in
                libusb_bulk_transfer(
                    handle.raw, endpoint, UnsafeMutablePointer(mutating: buffer.baseAddress! + range.lowerBound),
                    Int32(range.count), &transferred, timeout.libusbTimeout)
            }
            if status == USBStatus.pipe { libusb_clear_halt(handle.raw, endpoint) }
            return Transfer(
                transferred: Int(transferred), bytes: [], status: status,
                failure: status == 0 ? nil : USBStatus.error(status, "sending to the printer failed", address: addressText))
        }
    }

    /// One bulk IN transfer of up to `size` bytes (a multiple of the packet size, so the
    /// printer cannot overflow it).
    func bulkIn(_ endpoint: UInt8, size: Int, timeout: Duration) async throws(TransportError) -> Transfer {
        let addressText = addressText
        return try await transfer { handle in
            var buffer = [UInt8](repeating: 0, count: size)
            var transferred: Int32 = 0
            let status = buffer.withUnsafeMutableBufferPointer { bytes in
                libusb_bulk_transfer(handle.raw, endpoint, bytes.baseAddress, Int32(size), &transferred, timeout.libusbTimeout)
            }
            if status == USBStatus.pipe { libusb_clear_halt(handle.raw, endpoint) }
            let received = Array(buffer.prefix(Int(transferred)))
            let silent = status == USBStatus.timeout
            return Transfer(
                transferred: received.count, bytes: received, status: status,
                failure: status == 0 || silent ? nil : USBStatus.error(status, "reading from the printer failed", address: addressText))
        }
    }

    /// A class-specific IN control request to the printer interface.
    func classRequest(
        _ request: UInt8, value: UInt16, index: UInt16, length: Int, timeout: Duration, action: String
    ) async throws(TransportError) -> [UInt8] {
        let addressText = addressText
        let transfer = try await transfer { handle in
            var buffer = [UInt8](repeating: 0, count: length)
            let status = buffer.withUnsafeMutableBufferPointer { bytes in
                libusb_control_transfer(handle.raw, 0xA1, request, value, index, bytes.baseAddress, UInt16(length), timeout.libusbTimeout)
            }
            guard status >= 0 else {
                return Transfer(transferred: 0, bytes: [], status: status, failure: USBStatus.error(status, action, address: addressText))
            }
            return Transfer(transferred: Int(status), bytes: Array(buffer.prefix(Int(status))), status: 0, failure: nil)
        }
        if let failure = transfer.failure { throw failure }
        return transfer.bytes
    }
}
