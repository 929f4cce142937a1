import LanyardSupport
import Printers
import Testing

@Suite("~HS host status")
struct StatusHostStatusTests {
    @Test func readyPrinter() throws {
        let status = try HostStatus.parse(Replies.hsReady)
        #expect(status.communicationSettings == 30)
        #expect(status.labelLengthDots == 1218)
        #expect(status.formatsInBuffer == 0)
        #expect(status.labelsRemaining == 0)
        #expect(status.printModeCode == "2")
        #expect(status.printMode == .tearOff)
        #expect(status.printWidthMode == "6")
        #expect(status.password == "1234")
        #expect(status.staticRAMInstalled == false)
        #expect(status.printerStatus == PrinterStatus(conditions: [.ready], formatsInBuffer: 0, labelsRemaining: 0))
        #expect(status.printerStatus.isReady)
    }

    /// (string, field, condition, name): every flag of the reference's table that stops printing.
    @Test(arguments: [
        (0, 1, PrinterCondition.paperOut, "media out"),
        (0, 2, .paused, "paused"),
        (0, 5, .bufferFull, "receive buffer full"),
        (0, 6, .fault, "communications diagnostics mode"),
        (0, 9, .fault, "corrupt RAM (configuration lost)"),
        (0, 10, .tooCold, "under temperature"),
        (0, 11, .tooHot, "over temperature"),
        (1, 2, .headOpen, "head open"),
        (1, 3, .ribbonOut, "ribbon out"),
    ])
    func eachFlagMapsToItsCondition(string: Int, field: Int, condition: PrinterCondition, name: String) throws {
        let status = try HostStatus.parse(Replies.hostStatus(setting: string, field: field, to: "1")).printerStatus
        #expect(status.conditions == [condition])
        #expect(status.errors == [name])
        #expect(!status.isReady)
    }

    @Test func informationalFlagsDoNotBlock() throws {
        let partial = try HostStatus.parse(Replies.hostStatus(setting: 0, field: 7, to: "1"))
        #expect(partial.partialFormatInProgress)
        #expect(partial.printerStatus.isReady)
        let transfer = try HostStatus.parse(Replies.hostStatus(setting: 1, field: 4, to: "1"))
        #expect(transfer.thermalTransferMode)
        #expect(transfer.printerStatus.isReady)
        let waiting = try HostStatus.parse(Replies.hostStatus(setting: 1, field: 7, to: "1"))
        #expect(waiting.labelWaiting)
        #expect(waiting.printerStatus.isReady)
        #expect(waiting.printerStatus.warnings == ["label waiting to be taken"])
    }

    @Test func countsComeThrough() throws {
        let strings = ["030,0,1,1218,003,1,0,1,000,0,0,0", "001,0,1,0,0,1,6,1,00000042,1,005", "0000,1"]
        let status = try HostStatus.parse(Replies.hostStatus(strings))
        #expect(status.formatsInBuffer == 3)
        #expect(status.labelsRemaining == 42)
        #expect(status.graphicsStored == 5)
        #expect(status.functionSettings == 1)
        #expect(status.printMode == .peel)
        #expect(status.staticRAMInstalled == true)
        let printer = status.printerStatus
        #expect(printer.conditions == [.paused, .bufferFull, .headOpen])
        #expect(printer.formatsInBuffer == 3)
        #expect(printer.labelsRemaining == 42)
        #expect(printer.errors == ["head open", "paused", "receive buffer full"])
    }

    @Test(arguments: [("0", PrintMode.rewind), ("1", .peel), ("2", .tearOff), ("3", .cutter), ("5", .cutter), ("7", .rewind)])
    func printModes(code: String, mode: PrintMode) throws {
        #expect(try HostStatus.parse(Replies.hostStatus(setting: 1, field: 5, to: code)).printMode == mode)
    }

    @Test func kioskAndApplicatorModesHaveNoProfileName() throws {
        for code in ["4", "9", "K", "S", "A"] {
            let status = try HostStatus.parse(Replies.hostStatus(setting: 1, field: 5, to: code))
            #expect(status.printModeCode == code)
            #expect(status.printMode == nil)
        }
    }

    @Test func extraFieldsFromNewerFirmwareAreIgnored() throws {
        let strings = [Replies.hsReadyStrings[0] + ",9,9", Replies.hsReadyStrings[1] + ",X", "1234"]
        let status = try HostStatus.parse(Replies.hostStatus(strings))
        #expect(status.printerStatus.isReady)
        #expect(status.staticRAMInstalled == nil)
    }

    @Test func aFlagOtherThanZeroOrOneIsRejectedWithItsPosition() throws {
        let reply = Replies.hostStatus(setting: 0, field: 1, to: "2")
        let error = try #require(parseError { try HostStatus.parse(reply) })
        #expect(error.code == .invalidField)
        #expect(error.field == "~HS string 1 field b")
        #expect(error.offset == 5)
        #expect(reply[5] == UInt8(ascii: "2"))
        #expect(error.excerpt?.hasPrefix("2,0,1218") == true)
        #expect(error.description.contains("printers.status_invalid_field"))
    }

    @Test func aNonNumericCountIsRejected() throws {
        let error = try #require(parseError { try HostStatus.parse(Replies.hostStatus(setting: 1, field: 8, to: "0000004x")) })
        #expect(error.code == .invalidField)
        #expect(error.field == "~HS string 2 field u")
    }

    @Test func anUnknownPrintModeIsRejected() throws {
        let error = try #require(parseError { try HostStatus.parse(Replies.hostStatus(setting: 1, field: 5, to: "Z")) })
        #expect(error.field == "~HS string 2 field r")
    }

    @Test func missingFieldsAreReported() throws {
        let short = Replies.hostStatus(["030,0,0,1218,000,0,0,0,000,0,0", Replies.hsReadyStrings[1], "1234,0"])
        let error = try #require(parseError { try HostStatus.parse(short) })
        #expect(error.code == .missingField)
        #expect(error.field == "~HS string 1")
        #expect(error.offset == 1)
    }

    @Test func everyTruncationIsAnError() throws {
        let reply = Replies.hsReady
        let lastETX = try #require(reply.lastIndex(of: Replies.etx))
        for length in 0...lastETX {
            let error = try #require(parseError { try HostStatus.parse(Array(reply.prefix(length))) }, "length \(length)")
            #expect(error.code == (length == 0 ? .empty : .truncated), "length \(length)")
        }
        #expect(try HostStatus.parse(Array(reply.prefix(lastETX + 1))).printerStatus.isReady)
    }

    @Test func unframedTextIsNotAStatus() throws {
        let error = try #require(parseError { try HostStatus.parse(Array("030,0,0,1218,000,0,0,0,000,0,0,0\r\n".utf8)) })
        #expect(error.code == .unframed)
    }
}
