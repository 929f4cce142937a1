import LanyardSupport
import Printers
import Raster
import Testing

@Suite("ZPL ASCII compression")
struct ZPLASCIICompressionTests {
    func encode(_ bytes: [UInt8], bytesPerRow: Int) -> String {
        ZPLASCIICompression.encode(bytes, bytesPerRow: bytesPerRow).ascii
    }

    @Test func guideExamplesEncode() {
        #expect(encode([0xFF, 0x00, 0xFF, 0x00], bytesPerRow: 2) == "HF,:")
        #expect(encode([0xFF, 0xFF] + [UInt8](repeating: 0, count: 8), bytesPerRow: 10) == "JF,")
        #expect(encode([0x00, 0x00], bytesPerRow: 2) == ",")
        #expect(encode([0xFF, 0xFF], bytesPerRow: 2) == "!")
    }

    @Test func trailingZeroRuleKeepsTheCommaOnAByteBoundary() {
        // F000: three trailing zero digits (odd) -> keep one 0, then the comma.
        #expect(encode([0xF0, 0x00], bytesPerRow: 2) == "F0,")
        // F0F0: a single trailing zero stays a digit.
        #expect(encode([0xF0, 0xF0], bytesPerRow: 2) == "F0F0")
        // 0FFF: trailing F digits become `!`.
        #expect(encode([0x0F, 0xFF], bytesPerRow: 2) == "0!")
    }

    @Test func longRunsUseSummedCounts() {
        // 250 bytes of 0x55 = 500 digits of 5 (z = 400, k = 100), then one zero byte -> ",".
        #expect(encode([UInt8](repeating: 0x55, count: 250) + [0x00], bytesPerRow: 251) == "zk5,")
        // 327 = 16 x 20 + 7 -> v + M, the guide's "vMB" spelled in our order.
        #expect(encode([UInt8](repeating: 0xBB, count: 163) + [0xB1], bytesPerRow: 164) == "vMB1")
        // 419 digits of A: z (400) + Y (19); the last digit makes the row 420 digits.
        #expect(encode([UInt8](repeating: 0xAA, count: 209) + [0xA3], bytesPerRow: 210) == "zYA3")
    }

    @Test func guideExamplesDecode() throws {
        #expect(try ZPLASCIICompression.decode(Array("HF,:".utf8), totalBytes: 4, bytesPerRow: 2) == [0xFF, 0x00, 0xFF, 0x00])
        #expect(try ZPLASCIICompression.decode(Array("M60".utf8), totalBytes: 4, bytesPerRow: 4) == [0x66, 0x66, 0x66, 0x60])
        #expect(try ZPLASCIICompression.decode(Array("hB".utf8), totalBytes: 20, bytesPerRow: 20) == [UInt8](repeating: 0xBB, count: 20))
        #expect(
            try ZPLASCIICompression.decode(Array("MvB1".utf8), totalBytes: 164, bytesPerRow: 164)
                == [UInt8](repeating: 0xBB, count: 163) + [0xB1])
        // Plain hex (either case) with line breaks is the same data without compression.
        #expect(try ZPLASCIICompression.decode(Array("ff00\r\nFF00".utf8), totalBytes: 4, bytesPerRow: 2) == [0xFF, 0x00, 0xFF, 0x00])
        #expect(try ZPLASCIICompression.decode(Array("F!".utf8), totalBytes: 2, bytesPerRow: 2) == [0xFF, 0xFF])
    }

    @Test(arguments: [
        ("", "ends after 0 of 2 rows"),
        (":", "no previous row"),
        (",F:", "middle of row"),
        ("H,", "repeat count precedes"),
        ("KF", "overflows"),
        ("FF00,,", "continues after"),
        ("ZZ", "unexpected character"),
        (",K", "dangling repeat count"),
    ])
    func malformedDataIsRejected(text: String, reason: String) throws {
        let error = try #require(throws: PrintersError.self) {
            try ZPLASCIICompression.decode(Array(text.utf8), totalBytes: 4, bytesPerRow: 2)
        }
        #expect(error.code == .malformedJob)
        #expect(error.message.contains(reason), "\(error)")
    }

    /// Widths include ones that are not multiples of 8; patterns include all white, all black,
    /// repeated rows, bars to the row end and noise of several densities.
    @Test(arguments: [1, 7, 8, 13, 64, 203, 831, 3300])
    func randomBitmapsRoundTrip(width: Int) throws {
        let height = 23
        var bitmaps: [Bitmap] = [
            Bitmap(width: width, height: height),
            Fixtures.blocks(width: width, height: height, seed: UInt64(width)),
        ]
        var black = Bitmap(width: width, height: height)
        black.fill(x: 0, y: 0, width: width, height: height, black: true)
        bitmaps.append(black)
        for (index, density) in [0.02, 0.5, 0.97].enumerated() {
            bitmaps.append(Fixtures.noise(width: width, height: height, density: density, seed: UInt64(width * 10 + index)))
        }
        for bitmap in bitmaps {
            let encoded = ZPLASCIICompression.encode(bitmap.bytes, bytesPerRow: bitmap.bytesPerRow)
            #expect(encoded.count <= bitmap.bytes.count * 2, "ACS is never longer than hex")
            let decoded = try ZPLASCIICompression.decode(encoded, totalBytes: bitmap.bytes.count, bytesPerRow: bitmap.bytesPerRow)
            #expect(decoded == bitmap.bytes)
        }
    }

    @Test func whiteAndBlackRowsCompressToOneCharacterEach() {
        var bitmap = Bitmap(width: 1200, height: 4)
        bitmap.fill(x: 0, y: 2, width: 1200, height: 2, black: true)
        #expect(encode(bitmap.bytes, bytesPerRow: bitmap.bytesPerRow) == ",:!:")
    }
}
