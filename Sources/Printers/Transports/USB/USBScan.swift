internal import CLibUSB
import Foundation

/// A printer-class interface of a device's active configuration, with the alternate setting
/// Lanyard uses and its bulk endpoints.
struct USBPrinterInterface: Sendable, Hashable {
    var number: UInt8
    var alternateSetting: UInt8
    var interfaceProtocol: UInt8
    /// Index of the active configuration among the device's configurations (GET_DEVICE_ID's wValue).
    var configurationIndex: UInt8
    var bulkOut: UInt8
    var maxPacketOut: Int
    var bulkIn: UInt8?
    var maxPacketIn: Int
}

/// Descriptor facts of a device that has at least one printer interface.
struct USBDeviceSummary: Sendable {
    var vendorId: UInt16
    var productId: UInt16
    var bus: UInt8
    var address: UInt8
    var portNumbers: [UInt8]
    var manufacturerIndex: UInt8
    var productIndex: UInt8
    var serialIndex: UInt8
    var interfaces: [USBPrinterInterface]

    /// `0a5f:0179 on bus 1 address 2`, for messages.
    var label: String {
        var bytes: [UInt8] = []
        bytes.append(hex16: vendorId)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(hex16: productId)
        return "\(String(decoding: bytes, as: UTF8.self).lowercased()) on bus \(bus) address \(address)"
    }

    func info(for interface: USBPrinterInterface) -> USBPrinterInfo {
        USBPrinterInfo(
            vendorId: vendorId, productId: productId, bus: bus, deviceAddress: address, portNumbers: portNumbers,
            interfaceNumber: interface.number, alternateSetting: interface.alternateSetting,
            interfaceProtocol: interface.interfaceProtocol, bidirectional: interface.bulkIn != nil)
    }
}

/// Enumeration steps. Every function here runs on a context's worker thread.
enum USBScan {
    static let printerClass = UInt8(LIBUSB_CLASS_PRINTER.rawValue)
    /// usblp's preference among printer protocols: bidirectional, then unidirectional, then
    /// IEEE 1284.4. Protocol 4 (IPP over USB) takes IPP, not raw ZPL or EPL, so it is left out.
    static let protocolPreference: [UInt8] = [2, 1, 3]
    static let deviceIDLength = 1024

    /// Calls `body` with every device libusb knows of. A device `body` wants to keep past the
    /// call must be referenced (`libusb_ref_device`).
    static func forEachDevice(_ context: USBPointer, _ body: (OpaquePointer) -> Void) throws(TransportError) {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context.raw, &list)
        guard count >= 0, let list else {
            throw USBStatus.error(Int32(truncatingIfNeeded: count), "cannot list USB devices")
        }
        defer { libusb_free_device_list(list, 1) }
        for index in 0..<Int(count) {
            if let device = list[index] { body(device) }
        }
    }

    /// The printer interfaces of a device, from its cached descriptors (no bus traffic); nil
    /// when it has none or its descriptors cannot be read.
    static func summary(of device: OpaquePointer) -> USBDeviceSummary? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        var active: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &active) == 0, let active else { return nil }
        defer { libusb_free_config_descriptor(active) }
        let configurationIndex = index(
            ofConfiguration: active.pointee.bConfigurationValue, in: device, count: descriptor.bNumConfigurations)
        var interfaces: [USBPrinterInterface] = []
        for interfaceIndex in 0..<Int(active.pointee.bNumInterfaces) {
            let interface = active.pointee.interface[interfaceIndex]
            var best: (rank: Int, found: USBPrinterInterface)?
            for altIndex in 0..<Int(interface.num_altsetting) {
                let setting = interface.altsetting[altIndex]
                guard setting.bInterfaceClass == printerClass,
                    let rank = protocolPreference.firstIndex(of: setting.bInterfaceProtocol),
                    let found = printerInterface(setting, configurationIndex: configurationIndex)
                else { continue }
                if best == nil || rank < best!.rank { best = (rank, found) }
            }
            if let best { interfaces.append(best.found) }
        }
        guard !interfaces.isEmpty else { return nil }
        var ports = [UInt8](repeating: 0, count: 8)
        let portCount = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        return USBDeviceSummary(
            vendorId: descriptor.idVendor, productId: descriptor.idProduct,
            bus: libusb_get_bus_number(device), address: libusb_get_device_address(device),
            portNumbers: portCount > 0 ? Array(ports.prefix(Int(portCount))) : [],
            manufacturerIndex: descriptor.iManufacturer, productIndex: descriptor.iProduct,
            serialIndex: descriptor.iSerialNumber, interfaces: interfaces)
    }

    private static func printerInterface(_ setting: libusb_interface_descriptor, configurationIndex: UInt8) -> USBPrinterInterface? {
        var bulkOut: (address: UInt8, size: Int)?
        var bulkIn: (address: UInt8, size: Int)?
        for endpointIndex in 0..<Int(setting.bNumEndpoints) {
            let endpoint = setting.endpoint[endpointIndex]
            guard endpoint.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue) else { continue }
            // Bits 10..0 are the packet size; high-bandwidth multipliers do not apply to bulk.
            let size = max(Int(endpoint.wMaxPacketSize & 0x07FF), 8)
            if endpoint.bEndpointAddress & 0x80 != 0 {
                if bulkIn == nil { bulkIn = (endpoint.bEndpointAddress, size) }
            } else if bulkOut == nil {
                bulkOut = (endpoint.bEndpointAddress, size)
            }
        }
        guard let bulkOut else { return nil }
        return USBPrinterInterface(
            number: setting.bInterfaceNumber, alternateSetting: setting.bAlternateSetting,
            interfaceProtocol: setting.bInterfaceProtocol, configurationIndex: configurationIndex,
            bulkOut: bulkOut.address, maxPacketOut: bulkOut.size,
            bulkIn: bulkIn?.address, maxPacketIn: bulkIn?.size ?? 0)
    }

    private static func index(ofConfiguration value: UInt8, in device: OpaquePointer, count: UInt8) -> UInt8 {
        guard count > 1 else { return 0 }
        for index in 0..<count {
            var config: UnsafeMutablePointer<libusb_config_descriptor>?
            guard libusb_get_config_descriptor(device, index, &config) == 0, let config else { continue }
            defer { libusb_free_config_descriptor(config) }
            if config.pointee.bConfigurationValue == value { return index }
        }
        return 0
    }

    /// Opens the device to read its strings and each printer interface's device ID, then closes
    /// it. A device that cannot be opened is still listed, with the reason in `problem`.
    static func infos(of device: OpaquePointer, summary: USBDeviceSummary, timeout: Duration) -> [USBPrinterInfo] {
        var handle: OpaquePointer?
        let status = libusb_open(device, &handle)
        guard status == 0, let handle else {
            let problem = USBStatus.error(status, "cannot open \(summary.label)")
            return summary.interfaces.map { interface in
                var info = summary.info(for: interface)
                info.problem = problem
                return info
            }
        }
        defer { libusb_close(handle) }
        let strings = readStrings(handle, summary: summary, timeout: timeout)
        return summary.interfaces.map { interface in
            var info = summary.info(for: interface)
            info.manufacturer = strings.manufacturer
            info.product = strings.product
            info.serialNumber = strings.serial
            switch readDeviceID(handle, interface: interface, claim: true, timeout: timeout) {
            case .success(let id):
                info.deviceID = id
                if info.serialNumber == nil { info.serialNumber = DeviceIDFields(id)?.serial }
            case .failure(let failure):
                info.problem = USBStatus.error(failure.status, "cannot read the device ID of \(summary.label)")
            }
            return info
        }
    }

    struct Strings {
        var manufacturer: String?
        var product: String?
        var serial: String?
    }

    static func readStrings(_ handle: OpaquePointer, summary: USBDeviceSummary, timeout: Duration) -> Strings {
        let language = readLanguage(handle, timeout: timeout)
        return Strings(
            manufacturer: readString(handle, index: summary.manufacturerIndex, language: language, timeout: timeout),
            product: readString(handle, index: summary.productIndex, language: language, timeout: timeout),
            serial: readString(handle, index: summary.serialIndex, language: language, timeout: timeout))
    }

    /// The device's first string language, US English when it lists none.
    static func readLanguage(_ handle: OpaquePointer, timeout: Duration) -> UInt16 {
        var buffer = [UInt8](repeating: 0, count: 255)
        let count = getStringDescriptor(handle, index: 0, language: 0, into: &buffer, timeout: timeout)
        guard count >= 4, buffer[1] == UInt8(LIBUSB_DT_STRING.rawValue) else { return 0x0409 }
        return UInt16(buffer[2]) | UInt16(buffer[3]) << 8
    }

    /// A string descriptor decoded from UTF-16LE, trimmed; nil for index 0, an error or an empty string.
    static func readString(_ handle: OpaquePointer, index: UInt8, language: UInt16, timeout: Duration) -> String? {
        guard index != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 255)
        let count = getStringDescriptor(handle, index: index, language: language, into: &buffer, timeout: timeout)
        guard count >= 2, buffer[1] == UInt8(LIBUSB_DT_STRING.rawValue) else { return nil }
        let end = min(Int(buffer[0]), Int(count))
        var units: [UInt16] = []
        var position = 2
        while position + 1 < end {
            units.append(UInt16(buffer[position]) | UInt16(buffer[position + 1]) << 8)
            position += 2
        }
        let text = String(decoding: units, as: UTF16.self)
            .trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\0")))
        return text.isEmpty ? nil : text
    }

    private static func getStringDescriptor(
        _ handle: OpaquePointer, index: UInt8, language: UInt16, into buffer: inout [UInt8], timeout: Duration
    ) -> Int32 {
        let length = UInt16(buffer.count)
        return buffer.withUnsafeMutableBufferPointer { bytes in
            libusb_control_transfer(
                handle, UInt8(LIBUSB_ENDPOINT_IN.rawValue), UInt8(LIBUSB_REQUEST_GET_DESCRIPTOR.rawValue),
                UInt16(LIBUSB_DT_STRING.rawValue) << 8 | UInt16(index), language, bytes.baseAddress, length,
                timeout.libusbTimeout)
        }
    }

    /// GET_DEVICE_ID (printer class request 0): the raw IEEE 1284 device ID. With `claim`, the
    /// interface is claimed for the request and released after it (usbfs would otherwise claim
    /// it implicitly and log a warning); the call fails with BUSY while another driver holds it.
    static func readDeviceID(
        _ handle: OpaquePointer, interface: USBPrinterInterface, claim: Bool, timeout: Duration
    ) -> Result<[UInt8], USBStatusCode> {
        if claim {
            let claimed = libusb_claim_interface(handle, Int32(interface.number))
            guard claimed == 0 else { return .failure(USBStatusCode(claimed)) }
        }
        defer { if claim { libusb_release_interface(handle, Int32(interface.number)) } }
        if claim && interface.alternateSetting != 0 {
            let selected = libusb_set_interface_alt_setting(handle, Int32(interface.number), Int32(interface.alternateSetting))
            guard selected == 0 else { return .failure(USBStatusCode(selected)) }
        }
        var buffer = [UInt8](repeating: 0, count: deviceIDLength)
        let count = buffer.withUnsafeMutableBufferPointer { bytes in
            libusb_control_transfer(
                handle, 0xA1, 0, UInt16(interface.configurationIndex),
                UInt16(interface.number) << 8 | UInt16(interface.alternateSetting),
                bytes.baseAddress, UInt16(deviceIDLength), timeout.libusbTimeout)
        }
        guard count >= 0 else { return .failure(USBStatusCode(count)) }
        return .success(Array(buffer.prefix(Int(count))))
    }
}

/// A failed libusb call's status, carried as an error until it is translated (on the worker
/// thread) into a `TransportError`.
struct USBStatusCode: Error, Sendable, Equatable {
    let status: Int32

    init(_ status: Int32) { self.status = status }
}
