import LanyardSupport
import Printers
import Testing

@Suite("USB port status and IEEE 1284 device ID")
struct StatusUSBTests {
    @Test func portStatusBits() throws {
        #expect(try USBPortStatus.parse([0x18]).printerStatus == PrinterStatus(conditions: [.ready]))
        let empty = try USBPortStatus.parse([0x38]).printerStatus
        #expect(empty.conditions == [.paperOut])
        #expect(empty.errors == ["paper empty"])
        let offline = try USBPortStatus.parse([0x08]).printerStatus
        #expect(offline.conditions == [.paused])
        #expect(offline.errors == ["off-line"])
        let error = try USBPortStatus.parse([0x10]).printerStatus
        #expect(error.conditions == [.fault])
        #expect(error.errors == ["error"])
        // The error line alongside paper-out is explained by it: no separate fault.
        let emptyWithError = try USBPortStatus.parse([0x30]).printerStatus
        #expect(emptyWithError.conditions == [.paperOut])
        #expect(emptyWithError.errors == ["paper empty", "error"])
    }

    @Test func reservedPortBitsAreIgnored() throws {
        #expect(try USBPortStatus.parse([0xC7 | 0x18]).printerStatus.isReady)
    }

    @Test func portStatusIsExactlyOneByte() throws {
        #expect(parseError { try USBPortStatus.parse([]) }?.code == .empty)
        #expect(parseError { try USBPortStatus.parse([0x18, 0x00]) }?.code == .invalidField)
    }

    static let zebraExample = "MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZT220-200dpi ZPL;CLASS:PRINTER;OPTIONS:XML;"

    @Test func zebrasExampleFromTheReference() throws {
        let id = try DeviceID.parse(Replies.deviceID(Self.zebraExample))
        #expect(id.manufacturer == "Zebra Technologies")
        #expect(id.model == "ZTC ZT220-200dpi ZPL")
        #expect(id.commandSet == ["ZPL"])
        #expect(id.deviceClass == "PRINTER")
        #expect(id.serialNumber == nil)
        #expect(id.fields["OPTIONS"] == "XML")
        #expect(id.fields["COMMAND SET"] == "ZPL")
        #expect(id.raw == Self.zebraExample)
        #expect(id.languages == [.zpl])
    }

    @Test func shortKeysAndNoTrailingSemicolon() throws {
        let id = try DeviceID.parse(Replies.deviceID("MFG:Zebra;CMD:EPL;MDL:LP2844"))
        #expect(id.manufacturer == "Zebra")
        #expect(id.model == "LP2844")
        #expect(id.languages == [.epl])
    }

    @Test func keysIgnoreCaseAndBlanks() throws {
        let id = try DeviceID(text: " mfg : Zebra ; Mdl: ZD421-203dpi ;cmd: ZPL , EPL ; sn: D4J201234567 ;des:Label printer;")
        #expect(id.manufacturer == "Zebra")
        #expect(id.model == "ZD421-203dpi")
        #expect(id.commandSet == ["ZPL", "EPL"])
        #expect(id.languages == [.zpl, .epl])
        #expect(id.serialNumber == "D4J201234567")
        #expect(id.deviceDescription == "Label printer")
        let long = try DeviceID(text: "Manufacturer:Zebra;Model:ZD621;CommandSet:EPL2;SerialNumber:X1;Class:PRINTER")
        #expect(long.model == "ZD621")
        #expect(long.languages == [.epl])
        #expect(long.serialNumber == "X1")
        #expect(long.deviceClass == "PRINTER")
    }

    @Test func valuesMayHoldColonsAndTheFirstOfARepeatedKeyWins() throws {
        let id = try DeviceID(text: "MFG:Zebra;MDL:ZD421;MDL:other;URL:http://x;")
        #expect(id.model == "ZD421")
        #expect(id.fields["URL"] == "http://x")
    }

    @Test func littleEndianLengthIsReadAsCUPSDoes() throws {
        let bytes = Replies.deviceID(Self.zebraExample, littleEndian: true)
        #expect(try DeviceID.parse(bytes).model == "ZTC ZT220-200dpi ZPL")
    }

    @Test func trailingNULsAndBytesBeyondTheLengthAreDropped() throws {
        let text = "MFG:Zebra;MDL:ZD421;"
        let bytes = Replies.deviceID(text) + [0, 0, 0] + Array("CMD:EPL;".utf8)
        let id = try DeviceID.parse(bytes)
        #expect(id.raw == text)
        #expect(id.commandSet.isEmpty)
        var padded = Replies.deviceID(text + "\0\0")
        let withNULs = try DeviceID.parse(padded)
        #expect(withNULs.raw == text)
        // A length beyond the bytes received is cut to them.
        padded[0] = 0x03
        #expect(try DeviceID.parse(padded).model == "ZD421")
    }

    @Test func unusableDeviceIDs() throws {
        let tooShort = try #require(parseError { try DeviceID.parse(Array("\u{0}\u{8}MFG:x;".utf8)) })
        #expect(tooShort.code == .invalidDeviceID)
        var badLength = Replies.deviceID("MFG:Zebra;MDL:ZD421;")
        badLength[0] = 0x00
        badLength[1] = 0x05
        let small = try #require(parseError { try DeviceID.parse(badLength) })
        #expect(small.code == .invalidDeviceID)
        #expect(small.field == "device ID length")
        let noPairs = try #require(parseError { try DeviceID.parse(Replies.deviceID("just some text here")) })
        #expect(noPairs.code == .invalidDeviceID)
        #expect(noPairs.offset == 2)
    }

    @Test func commandSetNamesToLanguages() {
        #expect(DeviceID.languages(commandSet: ["ZPL II", "EPL2", "zpl", "XML", "PDF"]) == [.zpl, .epl])
        #expect(DeviceID.languages(commandSet: ["EPL1"]).isEmpty)
        #expect(DeviceID.languages(commandSet: ["epl", "ZPL2"]) == [.epl, .zpl])
        #expect(DeviceID.languages(commandSet: []).isEmpty)
    }
}
