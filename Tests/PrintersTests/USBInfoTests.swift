import Foundation
import LanyardSupport
import Testing

@testable import Printers

/// The USB layer's pure parts: error translation, timeouts, device ID fields, printer identity.
struct USBInfoTests {
    static func info(serial: String?, bus: UInt8 = 1, address: UInt8 = 2, ports: [UInt8] = [1], deviceID: [UInt8]? = nil) -> USBPrinterInfo
    {
        USBPrinterInfo(
            vendorId: 0x0A5F, productId: 0x0179, bus: bus, deviceAddress: address, portNumbers: ports,
            interfaceNumber: 0, interfaceProtocol: 2, bidirectional: true, serialNumber: serial, deviceID: deviceID)
    }

    static func rawDeviceID(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [UInt8((bytes.count + 2) >> 8), UInt8((bytes.count + 2) & 0xFF)] + bytes
    }

    @Test func libusbErrorsMapToTransportCodes() {
        let denied = USBStatus.error(USBStatus.access, "cannot open 0a5f:0179")
        #expect(denied.code == .permissionDenied)
        #expect(denied.message.contains("systemd/60-lanyard-printers.rules"))
        #expect(denied.message.contains("lanyard group"))
        #expect(denied.cause?.hasPrefix("LIBUSB_ERROR_ACCESS") == true)

        #expect(USBStatus.error(USBStatus.busy, "claim").code == .busy)
        #expect(USBStatus.error(USBStatus.noDevice, "write").code == .disconnected)
        #expect(USBStatus.error(USBStatus.notFound, "detach").code == .notFound)
        #expect(USBStatus.error(USBStatus.io, "write").code == .ioFailed)
        let timeout = USBStatus.error(USBStatus.timeout, "write", address: "usb:X", bytesWritten: 4096)
        #expect(timeout.code == .timeout)
        #expect(timeout.bytesWritten == 4096)
        #expect(timeout.address == "usb:X")
    }

    @Test func timeoutsNeverReachZeroWhichMeansForeverToLibusb() {
        #expect(Duration.zero.libusbTimeout == 1)
        #expect(Duration.microseconds(200).libusbTimeout == 1)
        #expect(Duration.seconds(-3).libusbTimeout == 1)
        #expect(Duration.milliseconds(1500).libusbTimeout == 1500)
        #expect(Duration.seconds(Int64.max).libusbTimeout == UInt32.max)
    }

    @Test func deviceIDFieldsFindModelAndSerial() throws {
        let zebra = try #require(
            DeviceIDFields(
                Self.rawDeviceID(
                    "MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZD621-203dpi ZPL;CLASS:PRINTER;SN:D8N213901234;")))
        #expect(zebra.model == "ZTC ZD621-203dpi ZPL")
        #expect(zebra.serial == "D8N213901234")

        let short = try #require(DeviceIDFields(Self.rawDeviceID("MFG:Zebra;CMD:EPL2;MDL:GK420d;")))
        #expect(short.model == "GK420d")
        #expect(short.serial == nil)

        #expect(DeviceIDFields(nil) == nil)
        #expect(DeviceIDFields([0x00, 0x02]) == nil)
        #expect(DeviceIDFields(Self.rawDeviceID("MFG:Zebra;CLS:PRINTER;")) == nil)
    }

    @Test func profilesMatchOnTheDeviceIDModel() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        let zd621 = Self.info(serial: "A", deviceID: Self.rawDeviceID("MFG:Zebra Technologies;CMD:ZPL;MDL:ZTC ZD621-300dpi ZPL;"))
        #expect(zd621.matchingProfiles(in: library).first?.id == "zebra-zd621d-300")
        let unknownModel = Self.info(serial: "A", deviceID: Self.rawDeviceID("MFG:Acme;MDL:Nothing Like It;"))
        #expect(unknownModel.matchingProfiles(in: library).first?.id != "zebra-zd621d-300")
    }

    @Test func samePrinterIsRecognisedBySerialAcrossPlugs() {
        let before = Self.info(serial: "D8N213901234", bus: 1, address: 2, ports: [1])
        let replugged = Self.info(serial: "D8N213901234", bus: 2, address: 9, ports: [3, 1])
        let other = Self.info(serial: "D8N213901235", bus: 1, address: 2, ports: [1])
        #expect(before.isSamePrinter(as: replugged))
        #expect(!before.isSamePrinter(as: other))

        // Without serial numbers only the same plug counts.
        let anonymous = Self.info(serial: nil, ports: [1])
        #expect(anonymous.isSamePrinter(as: Self.info(serial: nil, address: 7, ports: [1])))
        #expect(!anonymous.isSamePrinter(as: Self.info(serial: nil, ports: [2])))
        #expect(!anonymous.isSamePrinter(as: before))
    }

    @Test func infoNamesThePrinter() {
        let info = Self.info(serial: "D8N213901234", deviceID: Self.rawDeviceID("MFG:Zebra;MDL:ZTC ZD621-203dpi ZPL;"))
        #expect(info.description == "0a5f:0179 ZTC ZD621-203dpi ZPL serial D8N213901234 (bus 1 address 2 interface 0)")
        #expect(info.printerAddress == .usb(serial: "D8N213901234"))
        #expect(Self.info(serial: nil).printerAddress == .usb(serial: nil))
    }

    @Test func openRefusesOtherAddresses() async {
        let error = await #expect(throws: TransportError.self) {
            try await USBPrinterConnection.open(.tcp(host: "printer", port: 9100))
        }
        #expect(error?.code == .invalidAddress)
    }
}
