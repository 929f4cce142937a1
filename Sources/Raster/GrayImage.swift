/// An 8-bit image where each byte is ink coverage: 0 = white paper, 255 = full black. This is the
/// renderer's intermediate form (cairo A8 alpha) before it becomes a 1-bit `Bitmap`.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws(RasterError) {
        guard width >= 0, height >= 0, pixels.count == width * height else {
            throw RasterError(code: .dimensionMismatch, message: "expected \(width * height) pixels, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: 0, count: width * height)
    }
}

/// How coverage becomes dots.
public enum Binarization: Sendable, Equatable, Hashable {
    /// Coverage at or above `level` prints; right for text, lines and logos with flat colours.
    case threshold(level: UInt8)
    /// Floyd–Steinberg error diffusion in a fixed left-to-right scan, for photos and gradients.
    case floydSteinberg

    public static let standard = Binarization.threshold(level: 128)
}

extension GrayImage {
    /// Packs the image into a 1-bit bitmap. Deterministic: integer arithmetic only.
    public func binarized(_ method: Binarization = .standard) -> Bitmap {
        switch method {
        case .threshold(let level):
            return Self.threshold(pixels: pixels, width: width, height: height, stride: width, level: level)
        case .floydSteinberg:
            return floydSteinberg()
        }
    }

    /// Thresholds a coverage buffer with an arbitrary row stride (cairo pads rows to 4 bytes).
    public static func threshold(
        pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, stride: Int, level: UInt8
    ) -> Bitmap {
        var bitmap = Bitmap(width: width, height: height)
        let bytesPerRow = bitmap.bytesPerRow
        guard let base = pixels.baseAddress, width > 0, height > 0 else { return bitmap }
        bitReversed.withUnsafeBufferPointer { reversed in
            bitmap.bytes.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = base + y * stride
                    let dst = y * bytesPerRow
                    var x = 0
                    if level == 128 {
                        // Eight pixels at a time: at level 128 a pixel prints exactly when its top
                        // bit is set, so a multiply gathers the eight top bits into one byte. Runs
                        // of white paper, most of a badge, are skipped 32 pixels at a time.
                        while x + 8 <= width {
                            let raw = UnsafeRawPointer(row + x)
                            if x + 32 <= width {
                                let any =
                                    raw.loadUnaligned(as: UInt64.self)
                                    | raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                                    | raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                                    | raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                                if any & 0x8080_8080_8080_8080 == 0 {
                                    x += 32
                                    continue
                                }
                            }
                            let highBits = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) & 0x8080_8080_8080_8080
                            if highBits != 0 {
                                // Pixel i lands on bit i (leftmost = bit 0); packing wants bit 7 - i.
                                let gathered = UInt8(truncatingIfNeeded: (highBits &* 0x0002_0408_1020_4081) >> 56)
                                out[dst + x >> 3] = reversed[Int(gathered)]
                            }
                            x += 8
                        }
                    }
                    while x < width {
                        var packed: UInt8 = 0
                        let end = Swift.min(x + 8, width)
                        for column in x..<end where row[column] >= level {
                            packed |= 0x80 >> UInt8(column - x)
                        }
                        out[dst + x >> 3] = packed
                        x = end
                    }
                }
            }
        }
        return bitmap
    }

    private static let bitReversed: [UInt8] = (0..<256).map { value in
        var v = UInt8(value), reversed: UInt8 = 0
        for _ in 0..<8 {
            reversed = reversed << 1 | v & 1
            v >>= 1
        }
        return reversed
    }

    static func threshold(pixels: [UInt8], width: Int, height: Int, stride: Int, level: UInt8) -> Bitmap {
        pixels.withUnsafeBufferPointer {
            threshold(pixels: $0, width: width, height: height, stride: stride, level: level)
        }
    }

    private func floydSteinberg() -> Bitmap {
        var bitmap = Bitmap(width: width, height: height)
        guard width > 0, height > 0 else { return bitmap }
        // Error terms in sixteenths, two rows at a time.
        var current = [Int](repeating: 0, count: width + 2)
        var next = [Int](repeating: 0, count: width + 2)
        for y in 0..<height {
            for x in 0..<width {
                let value = Int(pixels[y * width + x]) * 16 + current[x + 1]
                let black = value >= 128 * 16
                if black { bitmap[x, y] = true }
                let error = value - (black ? 255 * 16 : 0)
                current[x + 2] += error * 7 / 16
                next[x] += error * 3 / 16
                next[x + 1] += error * 5 / 16
                next[x + 2] += error / 16
            }
            swap(&current, &next)
            for i in next.indices { next[i] = 0 }
        }
        return bitmap
    }
}
