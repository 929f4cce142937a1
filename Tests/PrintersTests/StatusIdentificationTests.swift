import LanyardSupport
import Printers
import Testing

@Suite("~HI host identification")
struct StatusIdentificationTests {
    @Test func dotsPerMillimetreForm() throws {
        let id = try PrinterIdentification.parse(Replies.frame("ZD421-203dpi,V84.20.18Z,8,8176KB"))
        #expect(id.model == "ZD421-203dpi")
        #expect(id.firmware == "V84.20.18Z")
        #expect(id.dpi == 203)
        #expect(id.dotsPerMillimetre == 8)
        #expect(id.memoryKB == 8176)
        #expect(id.memory == "8176KB")
        #expect(id.options.isEmpty)
    }

    /// The third-party fixture from the reference: a dpi number where the guide has dots/mm.
    @Test func dpiForm() throws {
        let id = try PrinterIdentification.parse(Replies.frame("ZTC ZD421-300dpi ZPL,V85.20.19,300,131072"))
        #expect(id.model == "ZTC ZD421-300dpi ZPL")
        #expect(id.dpi == 300)
        #expect(id.dotsPerMillimetre == nil)
        #expect(id.memoryKB == 131_072)
    }

    @Test(arguments: [("6", 152), ("8", 203), ("12", 300), ("24", 600), ("200", 203), ("203", 203), ("600", 600)])
    func resolutions(field: String, dpi: Int) throws {
        #expect(try PrinterIdentification.parse(Replies.frame("GK420d,V61.17.17Z,\(field),1024KB")).dpi == dpi)
    }

    @Test func optionsAndMemoryUnits() throws {
        let id = try PrinterIdentification.parse(Replies.frame("ZT230-200dpi,V72.20.01Z,8,2MB,C,R"))
        #expect(id.memoryKB == 2048)
        #expect(id.options == ["C", "R"])
        let odd = try PrinterIdentification.parse(Replies.frame("ZT230,V1,8,lots"))
        #expect(odd.memoryKB == nil)
        #expect(odd.memory == "lots")
        let bare = try PrinterIdentification.parse(Replies.frame("ZT230,V1,8"))
        #expect(bare.memory == "")
    }

    @Test func anUnknownResolutionIsRejected() throws {
        let reply = Replies.frame("ZT230,V1,7,1024KB")
        let error = try #require(parseError { try PrinterIdentification.parse(reply) })
        #expect(error.code == .invalidField)
        #expect(error.field == "~HI dpm")
        #expect(error.offset == 10)
    }

    @Test func missingFieldsAndEmptyNames() throws {
        #expect(parseError { try PrinterIdentification.parse(Replies.frame("ZT230,V1")) }?.code == .missingField)
        #expect(parseError { try PrinterIdentification.parse(Replies.frame(" ,V1,8")) }?.field == "~HI model")
        #expect(parseError { try PrinterIdentification.parse(Replies.frame("ZT230,,8")) }?.field == "~HI firmware")
        #expect(parseError { try PrinterIdentification.parse([]) }?.code == .empty)
        #expect(parseError { try PrinterIdentification.parse(Array("\u{2}ZT230,V1,8".utf8)) }?.code == .truncated)
    }
}
