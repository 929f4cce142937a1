import Raster

/// Row-level operations on packed 1-bit rows (MSB = leftmost dot) shared by the encoders and
/// the decoders.
enum PackedRows {
    /// Mask that keeps the real dots of a row's last byte; padding bits must stay 0 (white in
    /// ZPL) or the printer heats dots beyond the image.
    static func lastByteMask(width: Int) -> UInt8 {
        width & 7 == 0 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - (width & 7)))
    }

    /// The bitmap's bytes with padding bits cleared. `Bitmap.bytes` is public and mutable, so the
    /// encoders cannot assume the padding invariant holds.
    static func normalizedBytes(of bitmap: Bitmap) -> [UInt8] {
        let mask = lastByteMask(width: bitmap.width)
        guard mask != 0xFF, bitmap.bytesPerRow > 0 else { return bitmap.bytes }
        var bytes = bitmap.bytes
        var index = bitmap.bytesPerRow - 1
        while index < bytes.count {
            bytes[index] &= mask
            index += bitmap.bytesPerRow
        }
        return bytes
    }

    /// ORs `rows` (bytesPerRow `stride`, `rowCount` rows) into `target` with the top-left dot at
    /// (x, y), clipped to the target. Black dots are added and nothing is erased, as both ZPL
    /// graphic fields and EPL `GW` do.
    static func blit(
        _ rows: [UInt8], stride: Int, rowCount: Int, into target: inout Bitmap, x: Int, y: Int
    ) {
        guard x < target.width, y < target.height, x >= 0, y >= 0, stride > 0 else { return }
        let shift = x & 7
        let firstByte = x >> 3
        let targetStride = target.bytesPerRow
        let lastRow = min(rowCount, target.height - y)
        let mask = lastByteMask(width: target.width)
        target.bytes.withUnsafeMutableBufferPointer { out in
            rows.withUnsafeBufferPointer { source in
                for row in 0..<lastRow {
                    let sourceBase = row * stride
                    let targetBase = (y + row) * targetStride
                    for column in 0..<stride {
                        let value = source[sourceBase + column]
                        if value == 0 { continue }
                        let index = firstByte + column
                        guard index < targetStride else { break }
                        if shift == 0 {
                            out[targetBase + index] |= value
                        } else {
                            out[targetBase + index] |= value >> UInt8(shift)
                            if index + 1 < targetStride {
                                out[targetBase + index + 1] |= value << UInt8(8 - shift)
                            }
                        }
                    }
                    out[targetBase + targetStride - 1] &= mask
                }
            }
        }
    }
}
