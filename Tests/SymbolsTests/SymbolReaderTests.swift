import LanyardSupport
import Raster
import Symbols
import Testing

/// zxing-cpp on the box reads back what libqrencode encodes, placed in a frame the way the kiosk
/// camera sends it; a frame of the wrong size is a structured error, never a crash.
struct SymbolReaderTests {
    static let ticket = "devcon-2026|74c89e1f-04d5-5282-b0a5-392def00c1c6|hrgPrr6cKeWPJhZp0_Vs5w|staff"

    /// A mid-gray 640 x 480 frame with `bitmap` drawn at (x, y), each dot `scale` pixels.
    static func frame(_ bitmap: Bitmap, x: Int, y: Int, scale: Int, width: Int = 640, height: Int = 480) -> [UInt8] {
        var pixels = [UInt8](repeating: 128, count: width * height)
        bitmap.drawLuminance(into: &pixels, frameWidth: width, atX: x, y: y, scale: scale)
        return pixels
    }

    @Test(arguments: [ticket, "LANYARD-2026-000123", "a"])
    func aQRCodeInACameraFrameReadsBack(payload: String) throws {
        let bitmap = try QRCode.encode(payload).matrix.bitmap(moduleDots: 1)
        let pixels = Self.frame(bitmap, x: 117, y: 43, scale: 4)
        let symbols = try SymbolReader.readQRCodes(luminance: pixels, width: 640, height: 480)
        #expect(symbols == [DecodedSymbol(text: payload, format: .qrCode)])
    }

    @Test func anImageThatIsOnlyTheSymbolReadsBack() throws {
        let bitmap = try QRCode.encode(Self.ticket, level: .high).matrix.bitmap(moduleDots: 3)
        let pixels = Self.frame(bitmap, x: 0, y: 0, scale: 1, width: bitmap.width, height: bitmap.height)
        let symbols = try SymbolReader.readQRCodes(luminance: pixels, width: bitmap.width, height: bitmap.height)
        #expect(symbols.map(\.text) == [Self.ticket])
    }

    @Test func twoCodesInOneFrameAreBothRead() throws {
        var pixels = [UInt8](repeating: 200, count: 640 * 480)
        try QRCode.encode("FIRST").matrix.bitmap(moduleDots: 5).drawLuminance(into: &pixels, frameWidth: 640, atX: 10, y: 10)
        try QRCode.encode("SECOND").matrix.bitmap(moduleDots: 5).drawLuminance(into: &pixels, frameWidth: 640, atX: 330, y: 200)
        let symbols = try SymbolReader.readQRCodes(luminance: pixels, width: 640, height: 480)
        #expect(Set(symbols.map(\.text)) == ["FIRST", "SECOND"])
    }

    @Test func aBlankOrNoisyFrameHasNoCodes() throws {
        #expect(try SymbolReader.readQRCodes(luminance: [UInt8](repeating: 255, count: 640 * 480), width: 640, height: 480).isEmpty)
        var random = SplitMix64(seed: 2026)
        let noise = (0..<(640 * 480)).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(try SymbolReader.readQRCodes(luminance: noise, width: 640, height: 480).isEmpty)
        #expect(try SymbolReader.readQRCodes(luminance: [0], width: 1, height: 1).isEmpty)
    }

    @Test(arguments: [
        (640 * 480 - 1, 640, 480), (640 * 480, 480, 640 + 1), (0, 0, 0), (10, -10, -1), (4097, 4097, 1), (4097, 1, 4097),
        (4, Int.max, 2),
    ])
    func aFrameOfTheWrongSizeIsAStructuredError(bytes: Int, width: Int, height: Int) throws {
        let error = try #require(throws: SymbolError.self) {
            try SymbolReader.readQRCodes(luminance: [UInt8](repeating: 255, count: bytes), width: width, height: height)
        }
        #expect(error.code == .invalidImage)
        #expect(error.exitStatus == .invalidData)
    }
}
