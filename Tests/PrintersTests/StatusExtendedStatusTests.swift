import LanyardSupport
import Printers
import Testing

@Suite("~HQES extended status")
struct StatusExtendedStatusTests {
    @Test func theGuidesExample() throws {
        let reply = Replies.frame("PRINTER STATUS\r\nERRORS:   1 00000000 00000005\r\nWARNINGS: 1 00000000 00000002\r\n")
        let parsed = try ExtendedStatus.parse(reply)
        #expect(parsed.errorFlag)
        #expect(parsed.errors == [.mediaOut, .headOpen])
        #expect(parsed.warnings == [.cleanPrinthead])
        let status = parsed.printerStatus
        #expect(status.conditions == [.paperOut, .headOpen])
        #expect(status.errors == ["media out", "head open"])
        #expect(status.warnings == ["clean printhead"])
    }

    @Test func cutterFaultRibbonOutAndMediaOut() throws {
        let status = try ExtendedStatus.parse(Replies.extendedStatus(errors: "0000000B", warnings: "00000000")).printerStatus
        #expect(status.conditions == [.fault, .ribbonOut, .paperOut])
        #expect(status.errors == ["media out", "ribbon out", "cutter fault"])
        #expect(status.warnings.isEmpty)
    }

    @Test func noErrorsIsReady() throws {
        let status = try ExtendedStatus.parse(Replies.hqesReady).printerStatus
        #expect(status.isReady)
        #expect(status.errors.isEmpty)
        #expect(status.warnings.isEmpty)
    }

    /// The reference's error table, bit by bit.
    @Test(arguments: [
        (UInt32(0x0000_0001), "media out", PrinterCondition.paperOut),
        (0x0000_0002, "ribbon out", .ribbonOut),
        (0x0000_0004, "head open", .headOpen),
        (0x0000_0008, "cutter fault", .fault),
        (0x0000_0010, "printhead over temperature", .tooHot),
        (0x0000_0020, "motor over temperature", .tooHot),
        (0x0000_0040, "bad printhead element", .fault),
        (0x0000_0080, "printhead detection error", .fault),
        (0x0000_0100, "invalid firmware configuration", .fault),
        (0x0000_0200, "printhead thermistor open", .fault),
        (0x0000_1000, "paper jam during retract", .fault),
        (0x0000_2000, "presenter not running", .fault),
        (0x0000_4000, "paper feed error", .fault),
        (0x0000_8000, "clear paper path failed", .fault),
        (0x0001_0000, "paused", .paused),
        (0x0002_0000, "retract function timed out", .fault),
        (0x0004_0000, "black mark calibrate error", .fault),
        (0x0008_0000, "black mark not found", .fault),
    ])
    func eachErrorBit(bit: UInt32, name: String, condition: PrinterCondition) throws {
        let status = try ExtendedStatus.parse(Replies.extendedStatus(errors: hex(bit), warnings: "00000000")).printerStatus
        #expect(status.conditions == [condition])
        #expect(status.errors == [name])
    }

    /// The reference's warning table: named, and never blocking.
    @Test(arguments: [
        (UInt32(0x0000_0001), "need to calibrate media"),
        (0x0000_0002, "clean printhead"),
        (0x0000_0004, "replace printhead"),
        (0x0000_0008, "paper near end"),
        (0x0000_0010, "sensor 1 (paper before head)"),
        (0x0000_0020, "sensor 2 (black mark)"),
        (0x0000_0040, "sensor 3 (paper after head)"),
        (0x0000_0080, "sensor 4 (loop ready)"),
        (0x0000_0100, "sensor 5 (presenter)"),
        (0x0000_0200, "sensor 6 (retract ready)"),
        (0x0000_0400, "sensor 7 (in retract)"),
        (0x0000_0800, "sensor 8 (at bin)"),
    ])
    func eachWarningBit(bit: UInt32, name: String) throws {
        let status = try ExtendedStatus.parse(Replies.extendedStatus(errors: "00000000", warnings: hex(bit))).printerStatus
        #expect(status.isReady)
        #expect(status.warnings == [name])
    }

    @Test func undocumentedBitsAreFaultsNamedByValue() throws {
        let status = try ExtendedStatus.parse(Replies.extendedStatus(errors: "00000401", warnings: "00001000")).printerStatus
        #expect(status.conditions == [.paperOut, .fault])
        #expect(status.errors == ["media out", "error bit 0x00000400"])
        #expect(status.warnings == ["warning bit 0x00001000"])
    }

    @Test func groupTwoBitsAreFaults() throws {
        let reply = Replies.frame("ERRORS: 1 00000010 00000000\r\nWARNINGS: 0 00000000 00000000\r\n")
        let parsed = try ExtendedStatus.parse(reply)
        #expect(parsed.errorsGroup2 == 0x10)
        #expect(parsed.printerStatus.conditions == [.fault])
        #expect(parsed.printerStatus.errors == ["error bit 0x00000010 (group 2)"])
    }

    @Test func aFlagWithoutBitsIsStillReported() throws {
        let status = try ExtendedStatus.parse(
            Replies.extendedStatus(errors: "00000000", warnings: "00000000", errorFlag: "1", warningFlag: "1")
        ).printerStatus
        #expect(status.conditions == [.fault])
        #expect(status.errors == ["error flag set without an error bit"])
        #expect(status.warnings == ["warning flag set without a warning bit"])
    }

    @Test func labelsAreMatchedWithoutRegardToCaseOrSpacing() throws {
        let reply = Replies.frame("printer status\nerrors:1 0 4\n\twarnings :  0   0   0\n")
        let status = try ExtendedStatus.parse(reply).printerStatus
        #expect(status.conditions == [.headOpen])
    }

    @Test func aMissingWarningsLineIsAnError() throws {
        let error = try #require(
            parseError { try ExtendedStatus.parse(Replies.frame("PRINTER STATUS\r\nERRORS: 0 00000000 00000000\r\n")) })
        #expect(error.code == .missingField)
        #expect(error.field == "WARNINGS")
    }

    @Test func aMissingGroupIsAnError() throws {
        let error = try #require(parseError { try ExtendedStatus.parse(Replies.frame("ERRORS: 1 00000005\r\nWARNINGS: 0 0 0\r\n")) })
        #expect(error.code == .missingField)
        #expect(error.field == "ERRORS")
    }

    @Test func badHexIsRejectedAtItsOffset() throws {
        let reply = Replies.frame("ERRORS: 1 00000000 0000000G\r\nWARNINGS: 0 00000000 00000000\r\n")
        let error = try #require(parseError { try ExtendedStatus.parse(reply) })
        #expect(error.code == .invalidField)
        #expect(error.field == "ERRORS group 1")
        #expect(error.offset == 20)
        #expect(error.excerpt?.hasPrefix("0000000G") == true)
    }

    @Test func tooManyDigitsAreRejected() throws {
        let reply = Replies.frame("ERRORS: 1 00000000 000000001\r\nWARNINGS: 0 00000000 00000000\r\n")
        #expect(parseError { try ExtendedStatus.parse(reply) }?.code == .invalidField)
    }

    @Test func aBadFlagIsRejected() throws {
        let reply = Replies.frame("ERRORS: 2 00000000 00000000\r\nWARNINGS: 0 00000000 00000000\r\n")
        #expect(parseError { try ExtendedStatus.parse(reply) }?.field == "ERRORS flag")
    }

    @Test func everyTruncationIsAnError() throws {
        let reply = Replies.extendedStatus(errors: "00000005", warnings: "00000002")
        let etx = try #require(reply.lastIndex(of: Replies.etx))
        for length in 0...etx {
            let error = try #require(parseError { try ExtendedStatus.parse(Array(reply.prefix(length))) })
            #expect(error.code == (length == 0 ? .empty : .truncated))
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
