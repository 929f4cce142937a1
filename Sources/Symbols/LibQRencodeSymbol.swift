internal import CQRencode

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libqrencode `QRcode`, freed when this object goes away. libqrencode is safe to call from
/// several threads at once when built with pthreads (Debian's is: it links pthread_mutex_lock to
/// guard its shared Reed-Solomon tables).
final class LibQRencodeSymbol {
    enum Failure: Error {
        /// errno ERANGE: more data than version 40 (or the requested version range) holds.
        case tooLarge
        case failed(String)
    }

    private let code: UnsafeMutablePointer<QRcode>

    private init(code: UnsafeMutablePointer<QRcode>) {
        self.code = code
    }

    deinit {
        QRcode_free(code)
    }

    /// Byte-mode encoding (`QRcode_encodeData`, which takes a length, so NUL bytes survive).
    /// `minimumVersion` 0 lets the library pick the smallest version that fits.
    static func encode(_ bytes: [UInt8], minimumVersion: Int, level: QRErrorCorrection) -> Result<LibQRencodeSymbol, Failure> {
        let result = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<QRcode>? in
            errno = 0
            return QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, Int32(minimumVersion), level.libqrencodeLevel)
        }
        let failure = errno
        guard let result else {
            if failure == ERANGE { return .failure(.tooLarge) }
            return .failure(.failed(String(cString: strerror(failure))))
        }
        return .success(LibQRencodeSymbol(code: result))
    }

    var version: Int { Int(code.pointee.version) }

    /// The modules; libqrencode marks a dark module with bit 0 of its byte (the other bits say
    /// which function pattern the module belongs to).
    func matrix() throws(SymbolError) -> SymbolMatrix {
        let width = Int(code.pointee.width)
        guard width > 0, let data = code.pointee.data else {
            throw SymbolError(code: .encoderFailed, message: "libqrencode returned an empty symbol")
        }
        return try SymbolMatrix(
            layout: .matrix,
            columns: width,
            rows: width,
            quietZone: .uniform(QRCode.quietZoneModules)
        ) { column, row in
            data[row * width + column] & 0x01 != 0
        }
    }
}

extension QRErrorCorrection {
    fileprivate var libqrencodeLevel: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}
