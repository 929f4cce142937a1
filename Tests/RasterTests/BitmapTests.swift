import Testing

@testable import Raster

@Suite struct BitmapTests {
    @Test func packsMostSignificantBitFirstWithOneAsBlack() {
        var bitmap = Bitmap(width: 10, height: 2)
        bitmap[0, 0] = true
        bitmap[9, 0] = true
        bitmap[4, 1] = true
        #expect(bitmap.bytesPerRow == 2)
        #expect(bitmap.bytes == [0x80, 0x40, 0x08, 0x00])
        #expect(bitmap[9, 0])
        #expect(!bitmap[8, 0])
        #expect(!bitmap[100, 100], "reads outside the bitmap are white")
    }

    @Test func rejectsBytesThatDoNotMatchTheDimensions() {
        #expect(throws: RasterError.self) { try Bitmap(width: 9, height: 2, packedRows: [0, 0, 0]) }
        #expect(throws: Never.self) { try Bitmap(width: 9, height: 2, packedRows: [0, 0, 0, 0]) }
    }

    @Test func fillClipsAndSetsWholeBytes() {
        var bitmap = Bitmap(width: 20, height: 3)
        bitmap.fill(x: 3, y: 1, width: 30, height: 5, black: true)
        #expect(bitmap.blackDotCount == 17 * 2)
        #expect(Array(bitmap.row(0)) == [0, 0, 0])
        #expect(Array(bitmap.row(1)) == [0x1F, 0xFF, 0xF0])
        bitmap.fill(x: 8, y: 0, width: 8, height: 3, black: false)
        #expect(Array(bitmap.row(2)) == [0x1F, 0x00, 0xF0])
    }

    @Test func invertedKeepsPaddingWhite() {
        var bitmap = Bitmap(width: 12, height: 1)
        bitmap[0, 0] = true
        let inverted = bitmap.inverted()
        #expect(inverted.bytes == [0x7F, 0xF0])
        #expect(inverted.blackDotCount == 11)
    }

    @Test func rotationIsAQuarterTurnClockwise() {
        var bitmap = Bitmap(width: 3, height: 2)
        bitmap[0, 0] = true  // top-left goes to top-right
        bitmap[2, 1] = true  // bottom-right goes to bottom-left
        let turned = bitmap.rotatedClockwise()
        #expect(turned.width == 2 && turned.height == 3)
        #expect(turned[1, 0])
        #expect(turned[0, 2])
        #expect(turned.blackDotCount == 2)
        #expect(turned.rotatedClockwise().rotatedClockwise().rotatedClockwise() == bitmap)
    }

    @Test func drawCopiesDotsAndRespectsOpacity() {
        var base = Bitmap(width: 8, height: 1)
        base.fill(x: 0, y: 0, width: 8, height: 1, black: true)
        var stamp = Bitmap(width: 4, height: 1)
        stamp[0, 0] = true
        var opaque = base
        opaque.draw(stamp, atX: 2, y: 0, opaque: true)
        #expect(opaque.bytes == [0b1110_0011])
        var transparent = base
        transparent.draw(stamp, atX: 2, y: 0, opaque: false)
        #expect(transparent == base)
    }
}

@Suite struct BinarizationTests {
    @Test func thresholdUsesTheLevelInclusively() throws {
        let gray = try GrayImage(width: 9, height: 1, pixels: [0, 127, 128, 255, 200, 10, 128, 129, 255])
        let bitmap = gray.binarized(.threshold(level: 128))
        #expect((0..<9).map { bitmap[$0, 0] } == [false, false, true, true, true, false, true, true, true])
        #expect(bitmap.bytes[1] == 0x80)
    }

    @Test func thresholdHonoursRowStride() {
        let pixels: [UInt8] = [255, 0, 9, 9, 0, 255, 9, 9]
        let bitmap = pixels.withUnsafeBufferPointer {
            GrayImage.threshold(pixels: $0, width: 2, height: 2, stride: 4, level: 128)
        }
        #expect(bitmap[0, 0] && !bitmap[1, 0] && !bitmap[0, 1] && bitmap[1, 1])
    }

    @Test func floydSteinbergKeepsAverageCoverageAndIsDeterministic() throws {
        let width = 64, height = 64
        let gray = try GrayImage(width: width, height: height, pixels: [UInt8](repeating: 64, count: width * height))
        let first = gray.binarized(.floydSteinberg)
        let ratio = Double(first.blackDotCount) / Double(width * height)
        #expect(abs(ratio - 64.0 / 255.0) < 0.02, "a 25 % gray dithers to about a quarter of the dots, got \(ratio)")
        #expect(gray.binarized(.floydSteinberg) == first)
        let white = GrayImage(width: 16, height: 16).binarized(.floydSteinberg)
        #expect(white.blackDotCount == 0)
    }
}

@Suite struct ImageFileTests {
    @Test func pbmIsTheHeaderAndThePackedRows() {
        var bitmap = Bitmap(width: 9, height: 1)
        bitmap[8, 0] = true
        #expect(bitmap.pbm() == Array("P4\n9 1\n".utf8) + [0x00, 0x80])
    }

    @Test func pngCarriesTheDotsInvertedForGrayscale() throws {
        var bitmap = Bitmap(width: 10, height: 3)
        bitmap[1, 1] = true
        let png = try bitmap.png()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try PNGChunks(png)
        let header = try #require(chunks["IHDR"])
        #expect(Array(header.prefix(8)) == [0, 0, 0, 10, 0, 0, 0, 3])
        #expect(header[8] == 1 && header[9] == 0)
        let raw = try Zlib.decompress(try #require(chunks["IDAT"]), expectedSize: 3 * 3)
        // Each scanline: filter byte 0, then 2 bytes where 1 = white.
        #expect(raw == [0, 0xFF, 0xC0, 0, 0xBF, 0xC0, 0, 0xFF, 0xC0])
    }

    @Test func zlibRoundTripsAndHasAStreamHeader() throws {
        let input = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 % 13) }
        let compressed = try Zlib.compress(input)
        #expect(compressed[0] == 0x78, "zlib stream header, as ZPL's Z64 requires")
        #expect(try Zlib.decompress(compressed, expectedSize: input.count) == input)
        #expect(throws: RasterError.self) { try Zlib.decompress(Array(compressed.dropLast(3)), expectedSize: input.count) }
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

/// Splits a PNG into its chunks, checking each CRC.
struct PNGChunks {
    var chunks: [String: [UInt8]] = [:]

    init(_ png: [UInt8]) throws {
        var offset = 8
        while offset + 12 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: png[offset + 4..<offset + 8], as: UTF8.self)
            let data = Array(png[offset + 8..<offset + 8 + length])
            let crc = png[offset + 8 + length..<offset + 12 + length].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            try #require(crc == Zlib.crc32(Array(type.utf8) + data), "CRC of \(type)")
            chunks[type, default: []] += data
            offset += 12 + length
        }
    }

    subscript(type: String) -> [UInt8]? { chunks[type] }
}

@Suite struct ThresholdFastPathTests {
    /// The eight-at-a-time path at level 128 must agree with a plain per-pixel comparison.
    @Test(arguments: [1, 7, 8, 9, 63, 64, 65, 1200])
    func agreesWithPerPixelComparison(width: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let height = 5, stride = (width + 3) / 4 * 4
        var pixels = [UInt8](repeating: 0, count: stride * height)
        for i in pixels.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            pixels[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        let bitmap = pixels.withUnsafeBufferPointer {
            GrayImage.threshold(pixels: $0, width: width, height: height, stride: stride, level: 128)
        }
        for y in 0..<height {
            for x in 0..<width {
                #expect(bitmap[x, y] == (pixels[y * stride + x] >= 128), "dot \(x),\(y)")
            }
            let padding = bitmap.bytesPerRow * 8 - width
            if padding > 0 { #expect(bitmap.row(y).last! & UInt8((1 << padding) - 1) == 0, "padding stays white") }
        }
    }
}
