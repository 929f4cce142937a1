internal import CLibUSB
import Foundation
public import LanyardSupport

/// A USB printer opened through libusb: the printer-class interface claimed (the kernel's
/// `usblp` detached while Lanyard holds it, re-attached on close), jobs sent on bulk OUT,
/// replies read from bulk IN. Each connection has its own libusb context and worker thread.
public final class USBPrinterConnection: PrinterConnection {
    public let address: PrinterAddress
    /// The printer as found when opening, with the device ID read after claiming the interface.
    public let info: USBPrinterInfo
    /// Bytes per bulk OUT transfer: 16 KiB rounded down to whole packets, so every transfer but
    /// the last ends on a packet boundary.
    public let chunkSize: Int
    /// Bytes asked for per bulk IN transfer, a whole number of packets.
    public let readSize: Int
    private let device: USBDeviceHandle

    public var canRead: Bool { device.interface.bulkIn != nil }

    static let targetChunkSize = 16 * 1024
    static let targetReadSize = 4 * 1024
    /// A stalled endpoint is cleared and the transfer retried this many times in a row.
    static let stallRetries = 3
    /// Another program may hold the interface for a moment (enumerating it); claiming is
    /// retried this many times, 100 ms apart.
    static let claimAttempts = 3

    private init(address: PrinterAddress, info: USBPrinterInfo, device: USBDeviceHandle) {
        self.address = address
        self.info = info
        self.device = device
        let packetOut = max(device.interface.maxPacketOut, 1)
        chunkSize = max(packetOut, Self.targetChunkSize / packetOut * packetOut)
        let packetIn = max(device.interface.maxPacketIn, 1)
        readSize = max(packetIn, Self.targetReadSize / packetIn * packetIn)
    }

    /// Opens `usb` (the only USB printer: fails when there is none or several) or `usb:SERIAL`.
    /// `timeout` bounds each request to a device while finding and opening it.
    public static func open(_ address: PrinterAddress, timeout: Duration = .seconds(5)) async throws(TransportError) -> USBPrinterConnection
    {
        guard case .usb(let serial) = address else {
            throw TransportError(.invalidAddress, "not a USB printer address", address: address.description)
        }
        let context = try await USBContext(label: "lanyard-usb-io")
        let addressText = address.description
        let opened = try await context.perform { pointer throws(TransportError) in
            try openDevice(in: pointer, serial: serial, timeout: timeout, addressText: addressText)
        }
        let device = USBDeviceHandle(
            context: context, pointer: opened.handle, interface: opened.interface,
            detachedKernelDriver: opened.detachedKernelDriver, addressText: addressText)
        return USBPrinterConnection(address: address, info: opened.info, device: device)
    }

    /// Sends every byte in transfers of `chunkSize`, continuing after partial transfers, within
    /// `timeout` overall. Unplugging fails the write with `.disconnected`; the error's
    /// `bytesWritten` counts what the printer took.
    public func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var offset = 0
        var stalls = 0
        while offset < bytes.count {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw TransportError(
                    .timeout, "the printer did not take the job within \(timeout)", address: address.description, bytesWritten: offset)
            }
            let range = offset..<min(bytes.count, offset + chunkSize)
            let transfer = try await device.bulkOut(bytes, range: range, timeout: remaining)
            offset += transfer.transferred
            guard let failure = transfer.failure else {
                stalls = 0
                continue
            }
            if transfer.status == USBStatus.pipe && stalls < Self.stallRetries {
                stalls += 1
                continue
            }
            throw TransportError(failure.code, failure.message, address: failure.address, cause: failure.cause, bytesWritten: offset)
        }
    }

    /// Reads bulk IN transfers until `isComplete` accepts the bytes so far or `timeout` passes.
    /// Zero-length packets are not the end of a reply; silence returns what arrived.
    public func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8] {
        guard let endpoint = device.interface.bulkIn else {
            throw TransportError(
                .unsupported, "this USB printer interface has no bulk IN endpoint; it cannot answer", address: address.description)
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var received: [UInt8] = []
        var stalls = 0
        while true {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return received }
            let transfer = try await device.bulkIn(endpoint, size: readSize, timeout: remaining)
            received += transfer.bytes
            if let failure = transfer.failure {
                if transfer.status == USBStatus.pipe && stalls < Self.stallRetries {
                    stalls += 1
                    continue
                }
                throw failure
            }
            stalls = 0
            if !received.isEmpty && isComplete(received) { return received }
            if transfer.status == USBStatus.timeout { return received }
        }
    }

    /// The printer-class port status byte (GET_PORT_STATUS): 0x20 paper empty, 0x10 selected,
    /// 0x08 no error. How faithfully a printer drives these bits varies; `~HS`/`~HQES` say more.
    public func portStatus(timeout: Duration = .seconds(2)) async throws(TransportError) -> UInt8 {
        let reply = try await device.classRequest(
            1, value: 0, index: UInt16(device.interface.number), length: 1, timeout: timeout, action: "GET_PORT_STATUS failed")
        guard let status = reply.first else {
            throw TransportError(.ioFailed, "the printer answered GET_PORT_STATUS with no data", address: address.description)
        }
        return status
    }

    /// Reads the IEEE 1284 device ID again (GET_DEVICE_ID), raw.
    public func deviceID(timeout: Duration = .seconds(2)) async throws(TransportError) -> [UInt8] {
        let interface = device.interface
        return try await device.classRequest(
            0, value: UInt16(interface.configurationIndex), index: UInt16(interface.number) << 8 | UInt16(interface.alternateSetting),
            length: USBScan.deviceIDLength, timeout: timeout, action: "GET_DEVICE_ID failed")
    }

    public func close() async {
        await device.close()
    }
}

extension USBPrinterConnection {
    struct Opened: Sendable {
        var handle: USBPointer
        var interface: USBPrinterInterface
        var detachedKernelDriver: Bool
        var info: USBPrinterInfo
    }

    private struct Candidate {
        var handle: OpaquePointer
        var summary: USBDeviceSummary
        var serial: String?
    }

    /// Finds the printer (by serial, or the only one), detaches a bound kernel driver, claims
    /// the interface and reads its strings and device ID. Runs on the worker thread.
    static func openDevice(
        in context: USBPointer, serial wanted: String?, timeout: Duration, addressText: String
    ) throws(TransportError) -> Opened {
        var printers: [(device: OpaquePointer, summary: USBDeviceSummary)] = []
        try USBScan.forEachDevice(context) { device in
            guard let summary = USBScan.summary(of: device) else { return }
            printers.append((libusb_ref_device(device), summary))
        }
        defer { for printer in printers { libusb_unref_device(printer.device) } }
        guard !printers.isEmpty else {
            throw TransportError(.notFound, "no USB printer (interface class 7) is connected", address: addressText)
        }

        var matches: [Candidate] = []
        var others: [String] = []
        var unopenable: [TransportError] = []
        for printer in printers {
            var opened: OpaquePointer?
            let status = libusb_open(printer.device, &opened)
            guard status == 0, let handle = opened else {
                unopenable.append(USBStatus.error(status, "cannot open \(printer.summary.label)", address: addressText))
                continue
            }
            let language = USBScan.readLanguage(handle, timeout: timeout)
            var serial = USBScan.readString(handle, index: printer.summary.serialIndex, language: language, timeout: timeout)
            if serial == nil, wanted != nil, let interface = printer.summary.interfaces.first,
                case .success(let id) = USBScan.readDeviceID(handle, interface: interface, claim: true, timeout: timeout)
            {
                serial = DeviceIDFields(id)?.serial
            }
            if wanted == nil || serial == wanted {
                matches.append(Candidate(handle: handle, summary: printer.summary, serial: serial))
            } else {
                others.append(serial ?? "\(printer.summary.label) without a serial number")
                libusb_close(handle)
            }
        }

        guard matches.count == 1, let chosen = matches.first else {
            for match in matches { libusb_close(match.handle) }
            if matches.count > 1 {
                let serials = matches.map { $0.serial ?? "\($0.summary.label) without a serial number" }
                throw TransportError(
                    .invalidAddress,
                    "\(matches.count) USB printers match (\(serials.joined(separator: ", "))); choose one with usb:SERIAL",
                    address: addressText)
            }
            if let problem = unopenable.first { throw problem }
            let connected = others.isEmpty ? "" : "; connected: \(others.joined(separator: ", "))"
            throw TransportError(.notFound, "no USB printer with serial \(wanted ?? "")\(connected)", address: addressText)
        }
        return try claim(chosen, serial: chosen.serial, timeout: timeout, addressText: addressText)
    }

    private static func claim(
        _ candidate: Candidate, serial: String?, timeout: Duration, addressText: String
    ) throws(TransportError) -> Opened {
        let handle = candidate.handle, summary = candidate.summary
        let interface = summary.interfaces[0]
        let number = Int32(interface.number)
        var detached = false
        func fail(_ status: Int32, _ action: String) -> TransportError {
            USBDeviceHandle.release(USBPointer(raw: handle), interface: interface.number, detachedKernelDriver: detached)
            return USBStatus.error(status, action, address: addressText)
        }

        // usblp owns printer interfaces on Linux; it gets the interface back on close.
        let active = libusb_kernel_driver_active(handle, number)
        if active == 1 {
            let status = libusb_detach_kernel_driver(handle, number)
            if status == 0 {
                detached = true
            } else if status != USBStatus.notFound {
                throw fail(status, "cannot detach the kernel printer driver from interface \(number) of \(summary.label)")
            }
        } else if active < 0 && active != USBStatus.notSupported {
            throw fail(active, "cannot ask which driver holds interface \(number) of \(summary.label)")
        }

        var status = libusb_claim_interface(handle, number)
        var attempts = 1
        while status == USBStatus.busy && attempts < claimAttempts {
            Thread.sleep(forTimeInterval: 0.1)
            status = libusb_claim_interface(handle, number)
            attempts += 1
        }
        guard status == 0 else { throw fail(status, "cannot claim interface \(number) of \(summary.label)") }
        if interface.alternateSetting != 0 {
            let selected = libusb_set_interface_alt_setting(handle, number, Int32(interface.alternateSetting))
            guard selected == 0 else {
                throw fail(selected, "cannot select alternate setting \(interface.alternateSetting) of \(summary.label)")
            }
        }

        let strings = USBScan.readStrings(handle, summary: summary, timeout: timeout)
        var info = summary.info(for: interface)
        info.manufacturer = strings.manufacturer
        info.product = strings.product
        info.serialNumber = serial
        switch USBScan.readDeviceID(handle, interface: interface, claim: false, timeout: timeout) {
        case .success(let id): info.deviceID = id
        case .failure(let failure): info.problem = USBStatus.error(failure.status, "cannot read the device ID of \(summary.label)")
        }
        return Opened(handle: USBPointer(raw: handle), interface: interface, detachedKernelDriver: detached, info: info)
    }
}
