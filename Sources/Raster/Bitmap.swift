/// A 1-bit image at printer resolution: rows top to bottom, each row packed most significant bit
/// first (the leftmost dot is bit 7 of the first byte), 1 = black, unused low bits of the last byte
/// of a row are 0. This is ZPL's `^GF` layout, so encoders can send the bytes as they are.
public struct Bitmap: Sendable, Equatable, Hashable {
    public let width: Int
    public let height: Int
    public let bytesPerRow: Int
    public var bytes: [UInt8]

    /// A white bitmap.
    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "bitmap dimensions must not be negative")
        self.width = width
        self.height = height
        self.bytesPerRow = (width + 7) / 8
        self.bytes = [UInt8](repeating: 0, count: bytesPerRow * height)
    }

    /// Wraps packed rows; fails when the byte count does not match the dimensions.
    public init(width: Int, height: Int, packedRows: [UInt8]) throws(RasterError) {
        let stride = (width + 7) / 8
        guard width >= 0, height >= 0, packedRows.count == stride * height else {
            throw RasterError(
                code: .dimensionMismatch,
                message: "expected \(stride * height) bytes for \(width)x\(height) dots, got \(packedRows.count)"
            )
        }
        self.width = width
        self.height = height
        self.bytesPerRow = stride
        self.bytes = packedRows
    }

    public subscript(x: Int, y: Int) -> Bool {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return false }
            return bytes[y * bytesPerRow + x >> 3] & (0x80 >> UInt8(x & 7)) != 0
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let index = y * bytesPerRow + x >> 3
            let mask: UInt8 = 0x80 >> UInt8(x & 7)
            if newValue { bytes[index] |= mask } else { bytes[index] &= ~mask }
        }
    }

    /// Sets every dot of a rectangle (clipped to the bitmap) to `black`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, black: Bool) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            for row in y0..<y1 {
                let base = row * bytesPerRow
                var col = x0
                while col < x1 {
                    if col & 7 == 0, col + 8 <= x1 {
                        buffer[base + col >> 3] = black ? 0xFF : 0x00
                        col += 8
                        continue
                    }
                    let mask: UInt8 = 0x80 >> UInt8(col & 7)
                    if black { buffer[base + col >> 3] |= mask } else { buffer[base + col >> 3] &= ~mask }
                    col += 1
                }
            }
        }
    }

    /// Copies the black dots of `other` onto this bitmap with its top-left corner at (x, y);
    /// white dots of `other` overwrite too when `opaque` is true.
    public mutating func draw(_ other: Bitmap, atX x: Int, y: Int, opaque: Bool = true) {
        for row in 0..<other.height {
            let ty = y + row
            guard ty >= 0, ty < height else { continue }
            for col in 0..<other.width {
                let tx = x + col
                guard tx >= 0, tx < width else { continue }
                let dot = other[col, row]
                if dot || opaque { self[tx, ty] = dot }
            }
        }
    }

    /// Number of black dots; used by tests and by the calibration reports.
    public var blackDotCount: Int {
        bytes.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// One row's packed bytes.
    public func row(_ y: Int) -> ArraySlice<UInt8> {
        bytes[(y * bytesPerRow)..<((y + 1) * bytesPerRow)]
    }

    /// The same image with every dot flipped, padding bits kept white (0). EPL's `GW` wants
    /// 0 = black, so its encoder sends the bitwise NOT of this bitmap's bytes instead.
    public func inverted() -> Bitmap {
        var copy = self
        let pad = UInt8(truncatingIfNeeded: (0xFF << (8 - (width & 7))) & 0xFF)
        let lastMask: UInt8 = width & 7 == 0 ? 0xFF : pad
        for y in 0..<height {
            for b in 0..<bytesPerRow {
                let i = y * bytesPerRow + b
                copy.bytes[i] = ~bytes[i] & (b == bytesPerRow - 1 ? lastMask : 0xFF)
            }
        }
        return copy
    }
}

extension Bitmap {
    /// The image turned a quarter turn clockwise: the left column becomes the top row. Used when a
    /// landscape design is printed on stock fed portrait (or the reverse).
    public func rotatedClockwise() -> Bitmap {
        var out = Bitmap(width: height, height: width)
        for y in 0..<height {
            for x in 0..<width where self[x, y] {
                out[height - 1 - y, x] = true
            }
        }
        return out
    }
}

extension Bitmap {
    /// Draws the dots into an 8-bit grayscale frame (row after row, `frameWidth` pixels a row) as
    /// a camera sees the printed label: a black dot 0, paper 255, each dot a `scale` x `scale`
    /// square, the top-left corner at (x, y), clipped to the frame. How a label's codes are read
    /// back the way the kiosk camera reads them.
    public func drawLuminance(into frame: inout [UInt8], frameWidth: Int, atX x: Int, y: Int, scale: Int = 1) {
        precondition(frameWidth > 0 && scale > 0, "a frame is at least one pixel wide and a dot at least one pixel")
        let frameHeight = frame.count / frameWidth
        for pixelY in stride(from: max(0, y), to: min(frameHeight, y + height * scale), by: 1) {
            let dotY = (pixelY - y) / scale
            for pixelX in stride(from: max(0, x), to: min(frameWidth, x + width * scale), by: 1) {
                frame[pixelY * frameWidth + pixelX] = self[(pixelX - x) / scale, dotY] ? 0 : 255
            }
        }
    }
}
