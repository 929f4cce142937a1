import Raster

/// How the data of one `^GFA` field is written.
public enum ZPLGraphicEncoding: String, Sendable, Hashable, CaseIterable {
    /// Two hex digits per byte; every ZPL printer understands it.
    case hex
    /// ZPL ASCII compression over the hex digits.
    case acs
    /// `:Z64:` + Base64 of a zlib stream + `:` + CRC-16/XMODEM.
    case z64
}

/// The ZB64 forms of `^GFA` data (`:Z64:` and `:B64:`) and plain hex.
public enum ZPLGraphicData {
    static let z64Header: [UInt8] = Array(":Z64:".utf8)
    static let b64Header: [UInt8] = Array(":B64:".utf8)

    /// `:Z64:<base64 of a zlib stream of bytes>:<CRC>`. The CRC covers the Base64 text only, as
    /// printers check it. The stream is libdeflate's at `level` (1–12).
    public static func z64(_ bytes: ArraySlice<UInt8>, level: Int32 = 8) throws(PrintersError) -> [UInt8] {
        let compressed: [UInt8]
        do {
            compressed = try Deflate.zlibStream(bytes, level: level)
        } catch {
            throw PrintersError(code: .encodingFailed, message: "the graphic could not be compressed", underlying: error)
        }
        return framed(header: z64Header, payload: compressed)
    }

    public static func z64(_ bytes: [UInt8], level: Int32 = 8) throws(PrintersError) -> [UInt8] {
        try z64(bytes[...], level: level)
    }

    /// `:B64:<base64 of bytes>:<CRC>`.
    public static func b64(_ bytes: [UInt8]) -> [UInt8] {
        framed(header: b64Header, payload: bytes)
    }

    private static func framed(header: [UInt8], payload: [UInt8]) -> [UInt8] {
        var output = header
        output.reserveCapacity(header.count + (payload.count + 2) / 3 * 4 + 5)
        Base64.encode(payload, into: &output)
        let crc = CRC16XMODEM.checksum(output[header.count...])
        output.append(ASCII.colon)
        output.append(hex16: crc)
        return output
    }

    /// Plain hex, two uppercase digits per byte.
    public static func hex(_ bytes: ArraySlice<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count * 2)
        for byte in bytes {
            output.append(ASCII.upperHexDigits[Int(byte >> 4)])
            output.append(ASCII.upperHexDigits[Int(byte & 0x0F)])
        }
    }

    /// Decodes any `^GFA` data form (ZB64 with CRC check, ACS or plain hex) to exactly
    /// `totalBytes` bytes.
    public static func decode(
        _ data: [UInt8], totalBytes: Int, bytesPerRow: Int
    ) throws(PrintersError) -> [UInt8] {
        let isZ64 = data.starts(with: z64Header)
        guard isZ64 || data.starts(with: b64Header) else {
            return try ZPLASCIICompression.decode(data, totalBytes: totalBytes, bytesPerRow: bytesPerRow)
        }
        func malformed(_ message: String, underlying: (any Error)? = nil) -> PrintersError {
            PrintersError(code: .malformedJob, message: message, field: "^GF.data", underlying: underlying)
        }
        let body = data[5...].filter { $0 != ASCII.cr && $0 != ASCII.lf }
        guard let separator = body.lastIndex(of: ASCII.colon) else {
            throw malformed("ZB64 data has no \":\" before its CRC")
        }
        let text = body[..<separator]
        let crcText = body[(separator + 1)...]
        guard crcText.count == 4, let crc = UInt16(String(decoding: crcText, as: UTF8.self), radix: 16) else {
            throw malformed("ZB64 CRC must be 4 hex digits, found \"\(String(decoding: crcText.prefix(8), as: UTF8.self))\"")
        }
        let actual = CRC16XMODEM.checksum(text)
        guard actual == crc else {
            var expected: [UInt8] = []
            expected.append(hex16: actual)
            throw malformed(
                "ZB64 CRC \(String(decoding: crcText, as: UTF8.self)) does not match the data (\(String(decoding: expected, as: UTF8.self)))"
            )
        }
        guard let payload = Base64.decode(text) else { throw malformed("ZB64 data is not valid Base64") }
        let bytes: [UInt8]
        if isZ64 {
            do {
                bytes = try Zlib.decompress(payload, expectedSize: totalBytes)
            } catch {
                throw malformed("Z64 data does not inflate to \(totalBytes) bytes", underlying: error)
            }
        } else {
            bytes = payload
        }
        guard bytes.count == totalBytes else {
            throw malformed("ZB64 data holds \(bytes.count) bytes, the field announces \(totalBytes)")
        }
        return bytes
    }
}
