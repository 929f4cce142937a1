/// Writers for the preview formats: PNG (1-bit grayscale, what a browser or the file tool shows)
/// and PBM (P4, the netpbm binary bitmap, which tools like zxing and ImageMagick read directly).
extension Bitmap {
    /// PBM P4 uses the same packing as `Bitmap` (MSB first, 1 = black), so the body is the bytes.
    public func pbm() -> [UInt8] {
        Array("P4\n\(width) \(height)\n".utf8) + bytes
    }

    /// A 1-bit grayscale PNG (colour type 0, bit depth 1). PNG's 1 is white, so rows are inverted.
    public func png() throws(RasterError) -> [UInt8] {
        var scanlines = [UInt8]()
        scanlines.reserveCapacity((bytesPerRow + 1) * height)
        let white = inverted()
        for y in 0..<height {
            scanlines.append(0)  // filter type: none
            scanlines.append(contentsOf: white.row(y))
        }
        return try PNGWriter.file(width: width, height: height, bitDepth: 1, scanlines: scanlines)
    }
}

extension GrayImage {
    /// An 8-bit grayscale PNG where coverage 255 is shown black.
    public func png() throws(RasterError) -> [UInt8] {
        var scanlines = [UInt8]()
        scanlines.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            scanlines.append(0)
            for x in 0..<width { scanlines.append(255 - pixels[y * width + x]) }
        }
        return try PNGWriter.file(width: width, height: height, bitDepth: 8, scanlines: scanlines)
    }
}

enum PNGWriter {
    static func file(width: Int, height: Int, bitDepth: UInt8, scanlines: [UInt8]) throws(RasterError) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [bitDepth, 0, 0, 0, 0]  // grayscale, deflate, adaptive filtering, no interlace
        chunk("IHDR", header, into: &out)
        chunk("IDAT", try Zlib.compress(scanlines, level: 9), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    private static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(data.count))
        out += typeBytes
        out += data
        out += bigEndian(Zlib.crc32(typeBytes + data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
