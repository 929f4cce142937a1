internal import CDeflate
import Synchronization

/// zlib streams (header, DEFLATE, Adler-32) made by libdeflate, for ZPL's Z64: at the levels a
/// badge can afford it compresses 1-bit rasters tighter and faster than zlib. Compressors are
/// expensive to allocate, so a small pool keeps them per level.
public enum Deflate {
    /// libdeflate levels run 1–12; 8 is the best size a badge's time budget allows.
    public static let levels: ClosedRange<Int32> = 1...12

    public static func zlibStream(_ input: ArraySlice<UInt8>, level: Int32 = 8) throws(RasterError) -> [UInt8] {
        guard levels.contains(level) else {
            throw RasterError(code: .compressionFailed, message: "libdeflate level \(level) is outside \(levels)")
        }
        guard let compressor = Pool.shared.take(level: level) else {
            throw RasterError(code: .compressionFailed, message: "libdeflate could not allocate a level \(level) compressor")
        }
        defer { Pool.shared.give(compressor) }
        let bound = libdeflate_zlib_compress_bound(compressor.handle, input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                libdeflate_zlib_compress(compressor.handle, source.baseAddress, source.count, target.baseAddress, target.count)
            }
        }
        guard written > 0 else {
            throw RasterError(code: .compressionFailed, message: "libdeflate could not compress \(input.count) bytes")
        }
        output.removeSubrange(written...)
        return output
    }

    /// One libdeflate compressor. Safe to send between threads because the pool hands each one
    /// to a single caller at a time and takes it back only after that caller is done with it.
    final class Compressor: @unchecked Sendable {
        let handle: OpaquePointer
        let level: Int32

        init?(level: Int32) {
            guard let handle = libdeflate_alloc_compressor(level) else { return nil }
            self.handle = handle
            self.level = level
        }

        deinit { libdeflate_free_compressor(handle) }
    }

    final class Pool: Sendable {
        static let shared = Pool()
        private let idle = Mutex<[Int32: [Compressor]]>([:])

        func take(level: Int32) -> Compressor? {
            idle.withLock { $0[level]?.popLast() } ?? Compressor(level: level)
        }

        func give(_ compressor: Compressor) {
            idle.withLock { $0[compressor.level, default: []].append(compressor) }
        }
    }
}
