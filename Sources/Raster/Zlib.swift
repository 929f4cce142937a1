internal import CZlib

/// zlib streams (RFC 1950: header, DEFLATE data, Adler-32 trailer) through the system libz.
/// ZPL's Z64 and PNG's IDAT both need exactly this framing, which raw-DEFLATE APIs do not give.
public enum Zlib {
    /// Compresses `input` into one complete zlib stream.
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws(RasterError) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { src in
                compress2(out.baseAddress, &bound, src.baseAddress, uLong(src.count), level)
            }
        }
        guard status == Z_OK else {
            throw RasterError(code: .compressionFailed, message: "zlib compress2 returned \(status)")
        }
        output.removeSubrange(Int(bound)...)
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
