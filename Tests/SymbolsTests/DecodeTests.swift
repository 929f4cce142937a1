import Foundation
import Raster
import Symbols
import Testing

/// Round trips through an independent decoder: encode, place on whole dots, write a PNG, and let
/// zxing-cpp read it back.
@Suite(.enabled(if: ExternalDecoder.shouldRun, ExternalDecoder.skipReason))
struct DecodeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let symbology: Symbology
        let payload: String
        let format: String
        let moduleDots: Int

        var testDescription: String { "\(symbology.rawValue) \"\(payload)\"" }
    }

    static let barcodeCases: [Case] = [
        Case(symbology: .code128, payload: "ABC123", format: "Code128", moduleDots: 2),
        Case(symbology: .code128, payload: "Badge-00042/track:B", format: "Code128", moduleDots: 3),
        Case(symbology: .code39, payload: "ABC-123 $/+%", format: "Code39", moduleDots: 2),
        Case(symbology: .pdf417, payload: "Ada Lovelace|ADA-42|Speaker", format: "PDF417", moduleDots: 2),
        Case(symbology: .dataMatrix, payload: "ATTENDEE:000123", format: "DataMatrix", moduleDots: 4),
        Case(symbology: .aztec, payload: "ATTENDEE:000123 Aztec", format: "Aztec", moduleDots: 4),
        // libzint adds an ECI to 2D codes when the text is not Latin-1, so UTF-8 reads back exactly.
        Case(symbology: .pdf417, payload: "Zoë Ünal 日本", format: "PDF417", moduleDots: 2),
        Case(symbology: .dataMatrix, payload: "Zoë Ünal 日本", format: "DataMatrix", moduleDots: 4),
        Case(symbology: .aztec, payload: "Zoë Ünal 日本", format: "Aztec", moduleDots: 4),
    ]

    @Test(arguments: barcodeCases)
    func barcodeReadsBack(_ testCase: Case) throws {
        let matrix = try Barcode.encode(testCase.payload, symbology: testCase.symbology)
        let bitmap = try matrix.bitmap(moduleDots: testCase.moduleDots, barHeightDots: 80)
        let decoded = try ExternalDecoder.decode(bitmap)
        try #require(decoded.count == 1, "decoded \(decoded)")
        #expect(decoded[0].format == testCase.format)
        #expect(decoded[0].text == testCase.payload)
    }

    @Test(arguments: [
        ("LANYARD-2026-000123", QRErrorCorrection.quartile),
        ("Hello, World! https://example.org/badge?id=42&Case=Kept", QRErrorCorrection.high),
        ("a", QRErrorCorrection.low),
    ])
    func asciiQRReadsBackExactly(payload: String, level: QRErrorCorrection) throws {
        let encoding = try QRCode.encode(payload, level: level)
        let decoded = try ExternalDecoder.decode(try encoding.matrix.bitmap(moduleDots: 3))
        try #require(decoded.count == 1, "decoded \(decoded)")
        #expect(decoded[0].format == "QRCode")
        #expect(decoded[0].text == payload)
        #expect(decoded[0].bytes == Self.hex(Array(payload.utf8)))
    }

    /// libqrencode writes no ECI, so a reader must guess the character set of non-ASCII bytes.
    /// The bytes always survive exactly; the text is only as good as the reader's guess (the zxing-cpp
    /// used here guesses UTF-8 and shows this payload correctly; readers that assume ISO-8859-1 show
    /// "ZoÃ«"). That is why the badge layer transliterates QR payloads to ASCII, and why only the
    /// bytes are asserted here.
    @Test func nonASCIIQRKeepsItsBytes() throws {
        let payload = "Zoë Ünal – Åsa"
        let encoding = try QRCode.encode(payload)
        let decoded = try ExternalDecoder.decode(try encoding.matrix.bitmap(moduleDots: 3))
        try #require(decoded.count == 1, "decoded \(decoded)")
        #expect(decoded[0].bytes == Self.hex(Array(payload.utf8)))
    }

    @Test func downgradedQRStillReadsBack() throws {
        let payload = String(repeating: "X", count: 15)
        let fitted = try QRCode.encodeFitting(payload, preferredLevel: .quartile, maxModulesAcross: 29)
        #expect(fitted.downgrade != nil)
        let decoded = try ExternalDecoder.decode(try fitted.encoding.matrix.bitmap(moduleDots: 4))
        #expect(decoded.map(\.text) == [payload])
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
