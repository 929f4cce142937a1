internal import CZlib

/// zlib streams (RFC 1950: header, DEFLATE data, Adler-32 trailer) through the system libz.
/// ZPL's Z64 and PNG's IDAT both need exactly this framing, which raw-DEFLATE APIs do not give.
public enum Zlib {
    /// How DEFLATE looks for matches. `filtered` favours Huffman coding over short matches,
    /// which suits 1-bit rasters (long runs of equal bytes between short varied ones).
    public enum Strategy: Sendable, Equatable, Hashable {
        case standard, filtered

        var value: Int32 { self == .filtered ? Z_FILTERED : Z_DEFAULT_STRATEGY }
    }

    /// Compresses `input` into one complete zlib stream.
    public static func compress(_ input: [UInt8], level: Int32 = 6, strategy: Strategy = .standard) throws(RasterError) -> [UInt8] {
        var stream = z_stream()
        var status = lanyard_deflate_init(&stream, level, strategy.value)
        guard status == Z_OK else {
            throw RasterError(code: .compressionFailed, message: "zlib deflateInit2 returned \(status)")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw RasterError(code: .compressionFailed, message: "zlib deflate returned \(status)")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates one zlib stream whose uncompressed size is known (decoders and tests use this).
    public static func decompress(_ input: [UInt8], expectedSize: Int) throws(RasterError) -> [UInt8] {
        var size = uLong(expectedSize)
        var output = [UInt8](repeating: 0, count: max(expectedSize, 1))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { src in
                uncompress(out.baseAddress, &size, src.baseAddress, uLong(src.count))
            }
        }
        guard status == Z_OK, Int(size) == expectedSize else {
            throw RasterError(
                code: .compressionFailed,
                message: "zlib uncompress returned \(status) with \(size) of \(expectedSize) bytes"
            )
        }
        return Array(output.prefix(expectedSize))
    }

    /// CRC-32 as PNG chunks need it.
    public static func crc32(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(uLong(seed), $0.baseAddress, uInt($0.count))) }
    }
}
