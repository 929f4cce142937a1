import Foundation

/// One USB printer interface (class 7) as enumeration found it. A printer is recognised again
/// after a re-plug by its serial number (`isSamePrinter(as:)`); bus and device address change
/// with every plug.
public struct USBPrinterInfo: Sendable, Equatable, CustomStringConvertible {
    public var vendorId: UInt16
    public var productId: UInt16
    public var bus: UInt8
    public var deviceAddress: UInt8
    /// Hub port numbers from the root hub down: where the printer is plugged in.
    public var portNumbers: [UInt8]
    public var interfaceNumber: UInt8
    public var alternateSetting: UInt8
    /// 1 unidirectional, 2 bidirectional, 3 IEEE 1284.4.
    public var interfaceProtocol: UInt8
    /// Whether the interface has a bulk IN endpoint, i.e. the printer can answer status queries.
    public var bidirectional: Bool
    /// The USB serial number string or, when the device has none, the device ID's `SN` value.
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?
    /// The IEEE 1284 device ID exactly as GET_DEVICE_ID returned it, the two length bytes
    /// included. Nil when it could not be read (see `problem`).
    public var deviceID: [UInt8]?
    /// Why strings or the device ID are missing: permission denied (the message names the udev
    /// rule), or the interface held by another driver or program.
    public var problem: TransportError?

    public init(
        vendorId: UInt16, productId: UInt16, bus: UInt8, deviceAddress: UInt8, portNumbers: [UInt8] = [],
        interfaceNumber: UInt8, alternateSetting: UInt8 = 0, interfaceProtocol: UInt8, bidirectional: Bool,
        serialNumber: String? = nil, manufacturer: String? = nil, product: String? = nil,
        deviceID: [UInt8]? = nil, problem: TransportError? = nil
    ) {
        self.vendorId = vendorId
        self.productId = productId
        self.bus = bus
        self.deviceAddress = deviceAddress
        self.portNumbers = portNumbers
        self.interfaceNumber = interfaceNumber
        self.alternateSetting = alternateSetting
        self.interfaceProtocol = interfaceProtocol
        self.bidirectional = bidirectional
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
        self.deviceID = deviceID
        self.problem = problem
    }

    /// The address that opens this printer: by serial when it has one.
    public var printerAddress: PrinterAddress { .usb(serial: serialNumber) }

    /// The same physical printer, possibly re-plugged: same vendor and serial number. Without a
    /// serial number only the same plug (bus, port path) counts.
    public func isSamePrinter(as other: USBPrinterInfo) -> Bool {
        guard vendorId == other.vendorId, productId == other.productId, interfaceNumber == other.interfaceNumber else { return false }
        if let serialNumber, let otherSerial = other.serialNumber { return serialNumber == otherSerial }
        return serialNumber == nil && other.serialNumber == nil && bus == other.bus && portNumbers == other.portNumbers
            && !portNumbers.isEmpty
    }

    /// Profiles that fit this printer, best first: matched on vendor, product id and the device
    /// ID's model.
    public func matchingProfiles(in library: ProfileLibrary) -> [PrinterProfile] {
        library.candidates(vendorId: vendorId, productId: productId, deviceIdModel: DeviceIDFields(deviceID)?.model)
    }

    public var description: String {
        var bytes: [UInt8] = []
        bytes.append(hex16: vendorId)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(hex16: productId)
        var text = String(decoding: bytes, as: UTF8.self).lowercased()
        if let model = DeviceIDFields(deviceID)?.model ?? product { text += " \(model)" }
        if let serialNumber { text += " serial \(serialNumber)" }
        text += " (bus \(bus) address \(deviceAddress) interface \(interfaceNumber))"
        return text
    }
}

/// A printer arriving or leaving, as a hotplug watch reports it.
public enum USBPrinterEvent: Sendable, Equatable {
    case arrived(USBPrinterInfo)
    case departed(USBPrinterInfo)

    public var info: USBPrinterInfo {
        switch self {
        case .arrived(let info), .departed(let info): info
        }
    }
}

/// The few device ID keys the USB layer needs (model for profile matching, serial as a fallback
/// identity). Full parsing of device IDs lives with printer status.
struct DeviceIDFields {
    var model: String?
    var serial: String?

    /// Nil for a missing or unreadable ID. The length prefix is skipped, whichever byte order the
    /// printer wrote it in.
    init?(_ raw: [UInt8]?) {
        guard let raw, raw.count > 2 else { return nil }
        let text = String(decoding: raw[2...], as: UTF8.self)
        for pair in text.split(separator: ";") {
            guard let colon = pair.firstIndex(of: ":") else { continue }
            let key = pair[..<colon].trimmingCharacters(in: .whitespaces).uppercased()
            let value = pair[pair.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            switch key {
            case "MDL", "MODEL": model = model ?? value
            case "SN", "SERN", "SERIALNUMBER", "SERIAL NUMBER": serial = serial ?? value
            default: continue
            }
        }
        if model == nil && serial == nil { return nil }
    }
}
