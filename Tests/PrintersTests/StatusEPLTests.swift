import LanyardSupport
import Printers
import Testing

@Suite("EPL status")
struct StatusEPLTests {
    @Test func noError() throws {
        let report = try EPLErrorReport.parse(Array("00\r\n".utf8))
        #expect(report.codes == [0])
        #expect(report.printerStatus == PrinterStatus(conditions: [.ready]))
    }

    @Test func severalCodes() throws {
        let report = try EPLErrorReport.parse(Array("\r\n07,11\r\n".utf8))
        #expect(report.codes == [7, 11])
        #expect(report.printerStatus.conditions == [.paperOut, .headOpen])
        #expect(report.printerStatus.errors == ["paper or ribbon empty", "head open"])
    }

    /// The reference's `^ee` table: printer-state codes block, command codes warn.
    static let codeTable: [(Int, PrinterCondition)] = [
        (7, .paperOut), (11, .headOpen), (12, .paused), (13, .tooHot), (14, .tooHot),
        (80, .fault), (81, .fault), (82, .fault), (83, .fault), (84, .fault),
        (1, .ready), (2, .ready), (3, .ready), (4, .ready), (5, .ready), (6, .ready), (8, .ready),
        (9, .ready), (10, .ready), (15, .ready), (16, .ready), (50, .ready), (93, .ready),
    ]

    @Test(arguments: codeTable)
    func eachCode(code: Int, condition: PrinterCondition) throws {
        let conditions: Set<PrinterCondition> = [condition]
        let text = code < 10 ? "0\(code)\r\n" : "\(code)\r\n"
        let status = try EPLErrorReport.parse(Array(text.utf8)).printerStatus
        #expect(status.conditions == conditions)
        if conditions == [.ready] {
            #expect(status.errors.isEmpty)
            #expect(status.warnings.count == 1)
        } else {
            #expect(status.errors.count == 1)
        }
    }

    @Test func commandErrorsSayWhatTheyAreAbout() throws {
        let status = try EPLErrorReport.parse(Array("01\n".utf8)).printerStatus
        #expect(status.warnings == ["last command: syntax error"])
    }

    @Test func anUnknownCodeIsAFault() throws {
        let status = try EPLErrorReport.parse(Array("42\r\n".utf8)).printerStatus
        #expect(status.conditions == [.fault])
        #expect(status.errors == ["error code 42"])
    }

    @Test func reportSuffixesCarryCounts() throws {
        let report = try EPLErrorReport.parse(Array("07P123L12345\r\n".utf8))
        #expect(report.codes == [7])
        #expect(report.labelsRemaining == 123)
        #expect(report.rasterLinesRemaining == 12345)
        #expect(report.printerStatus.labelsRemaining == 123)
        let spaced = try EPLErrorReport.parse(Array("07 P 5\r\n".utf8))
        #expect(spaced.labelsRemaining == 5)
    }

    @Test func malformedReports() throws {
        #expect(parseError { try EPLErrorReport.parse([]) }?.code == .empty)
        #expect(parseError { try EPLErrorReport.parse(Array("\r\n\r\n".utf8)) }?.code == .empty)
        #expect(parseError { try EPLErrorReport.parse(Array("07".utf8)) }?.code == .truncated)
        let letters = try #require(parseError { try EPLErrorReport.parse(Array("00,xy\r\n".utf8)) })
        #expect(letters.code == .invalidField)
        #expect(letters.offset == 3)
        #expect(parseError { try EPLErrorReport.parse(Array("07Q1\r\n".utf8)) }?.code == .invalidField)
        #expect(parseError { try EPLErrorReport.parse(Array("07P\r\n".utf8)) }?.code == .invalidField)
        #expect(parseError { try EPLErrorReport.parse(Array(",\r\n".utf8)) }?.code == .invalidField)
        let endless = [UInt8](repeating: UInt8(ascii: "0"), count: StatusQuery.eplErrorReport.maxReplyBytes)
        #expect(parseError { try EPLErrorReport.parse(endless) }?.code == .tooLong)
    }

    /// Lines from the configuration dumps the reference quotes (WebZLP's observed configs).
    static let dump = """
        UKQ1935HLU     V4.29\r
        S/N: 41J091702871\r
        Serial port:96,N,8,1\r
        Image buffer size:0245K\r
        Fmem used: 0 (bytes)\r
        Gmem used: 0\r
        Emem used: 0\r
        I8,A,001 rY JF WY\r
        S4 D08 R112,000 ZB UN\r
        q600 Q208,25\r
        Option:D,Ff\r
        Cover: T=143, C=166\r

        """

    @Test func configurationDump() throws {
        let configuration = try EPLConfiguration.parse(Array(Self.dump.utf8))
        #expect(configuration.identification == "UKQ1935HLU     V4.29")
        #expect(configuration.firmwareVersion == "V4.29")
        #expect(configuration.serialNumber == "41J091702871")
        #expect(configuration.speedCode == 4)
        #expect(configuration.density == 8)
        #expect(configuration.direction == "ZB")
        #expect(configuration.labelWidthDots == 600)
        #expect(configuration.labelLengthDots == 208)
        #expect(configuration.gap == "25")
        #expect(configuration.mediaTracking == .gap)
        #expect(configuration.options == ["D", "Ff"])
        #expect(configuration.directThermal)
        #expect(configuration.lines.count == 12)
    }

    @Test func markAndContinuousStock() throws {
        let mark = try EPLConfiguration.parse(Array("LP2844 V4.45\nq832 Q203,B24+12\n".utf8))
        #expect(mark.mediaTracking == .mark)
        #expect(mark.gap == "B24+12")
        let continuous = try EPLConfiguration.parse(Array("LP2844 V4.45\nq832 Q1218,0\nOption:C\n".utf8))
        #expect(continuous.mediaTracking == .continuous)
        #expect(!continuous.directThermal)
    }

    @Test func aDumpWithoutKnownLinesIsAnError() throws {
        #expect(parseError { try EPLConfiguration.parse(Array("hello\nworld\n".utf8)) }?.code == .missingField)
        #expect(parseError { try EPLConfiguration.parse(Array(" \r\n".utf8)) }?.code == .empty)
    }
}
