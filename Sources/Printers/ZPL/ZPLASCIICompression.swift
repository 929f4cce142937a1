import Foundation

/// ZPL's ASCII compression scheme ("ACS") for `^GFA` data: run lengths over the hex-digit stream
/// (`G`–`Y` = 1–19, `g`–`z` = 20–400, summed), `,` = rest of row white, `!` = rest of row black,
/// `:` = repeat the previous row. Mostly white badges shrink to a few percent of plain hex.
public enum ZPLASCIICompression {
    /// Encodes packed rows (`bytesPerRow` each) and appends the text to `output`. Padding bits
    /// must already be 0: `!` would otherwise be chosen for rows that should end white.
    /// Encodes the rows; with a `limit`, gives up (returning false) as soon as the output grows
    /// past it, so a stripe that another encoding already beats costs little.
    @discardableResult
    public static func encode(
        _ bytes: ArraySlice<UInt8>, bytesPerRow: Int, into output: inout [UInt8], limit: Int = .max
    ) -> Bool {
        guard bytesPerRow > 0 else { return true }
        let rowCount = bytes.count / bytesPerRow
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            for row in 0..<rowCount {
                let start = base + row * bytesPerRow
                if row > 0, memcmp(start, start - bytesPerRow, bytesPerRow) == 0 {
                    output.append(ASCII.colon)
                } else {
                    encodeRow(UnsafeBufferPointer(start: start, count: bytesPerRow), into: &output)
                }
                if output.count > limit { return false }
            }
            return true
        }
    }

    public static func encode(_ bytes: [UInt8], bytesPerRow: Int) -> [UInt8] {
        var output: [UInt8] = []
        encode(bytes[...], bytesPerRow: bytesPerRow, into: &output)
        return output
    }

    private static let comma: UInt8 = 0x2C
    private static let bang: UInt8 = 0x21

    private static func encodeRow(_ row: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        guard let base = row.baseAddress else { return }
        let digits = row.count * 2
        @inline(__always) func digit(_ index: Int) -> UInt8 {
            let byte = row[index >> 1]
            return index & 1 == 0 ? byte >> 4 : byte & 0x0F
        }
        let trailingZeros = trailingDigits(row, matching: 0x00, nibble: 0x0)
        let trailingOnes = trailingDigits(row, matching: 0xFF, nibble: 0xF)

        var contentEnd = digits
        var terminator: UInt8?
        if trailingZeros == digits {
            output.append(comma)
            return
        } else if trailingOnes == digits {
            output.append(bang)
            return
        } else if trailingZeros >= 2 {
            // The guide's rule: the comma starts on a byte boundary, so an odd run keeps one `0`.
            contentEnd = digits - trailingZeros + (trailingZeros & 1)
            terminator = comma
        } else if trailingOnes >= 2 {
            contentEnd = digits - trailingOnes
            terminator = bang
        }

        var index = 0
        while index < contentEnd {
            let value = digit(index)
            let pair = value << 4 | value
            let word = UInt64(pair) &* 0x0101_0101_0101_0101
            var end = index + 1
            // Extend the run a word, then a byte, then a digit at a time.
            while end < contentEnd {
                if end & 1 == 0 {
                    let byteIndex = end >> 1
                    if end + 16 <= contentEnd,
                        UnsafeRawPointer(base + byteIndex).loadUnaligned(as: UInt64.self) == word
                    {
                        end += 16
                        continue
                    }
                    if end + 2 <= contentEnd, row[byteIndex] == pair {
                        end += 2
                        continue
                    }
                }
                guard digit(end) == value else { break }
                end += 1
            }
            let run = end - index
            if run > 1 { appendCount(run, into: &output) }
            output.append(ASCII.upperHexDigits[Int(value)])
            index = end
        }
        if let terminator { output.append(terminator) }
    }

    /// Number of hex digits at the end of the row equal to `nibble` (whole bytes equal to `byte`
    /// count two).
    private static func trailingDigits(_ row: UnsafeBufferPointer<UInt8>, matching byte: UInt8, nibble: UInt8) -> Int {
        guard let base = row.baseAddress else { return 0 }
        let word = UInt64(byte) &* 0x0101_0101_0101_0101
        var index = row.count
        while index >= 8, UnsafeRawPointer(base + index - 8).loadUnaligned(as: UInt64.self) == word { index -= 8 }
        while index > 0, row[index - 1] == byte { index -= 1 }
        var count = (row.count - index) * 2
        if index > 0, row[index - 1] & 0x0F == nibble { count += 1 }
        return count
    }

    /// Repeat-count characters for `run` (≥ 2): as many `z` (400) as needed, then one of `g`…`y`
    /// (20…380), then one of `G`…`Y` (1…19).
    static func appendCount(_ run: Int, into output: inout [UInt8]) {
        var remaining = run
        while remaining >= 400 {
            output.append(0x7A)
            remaining -= 400
        }
        if remaining >= 20 {
            output.append(0x67 + UInt8(remaining / 20 - 1))
            remaining %= 20
        }
        if remaining > 0 {
            output.append(0x47 + UInt8(remaining - 1))
        }
    }

    /// Decodes plain hex or ACS data into `totalBytes` bytes of `bytesPerRow`-byte rows. CR and
    /// LF are skipped. Anything that does not describe exactly the announced rows is an error:
    /// the decoder checks encoder output and feeds the printer simulator, so it must not guess.
    public static func decode(
        _ data: some Collection<UInt8>, totalBytes: Int, bytesPerRow: Int
    ) throws(PrintersError) -> [UInt8] {
        func malformed(_ message: String) -> PrintersError {
            PrintersError(code: .malformedJob, message: message, field: "^GF.data")
        }
        guard bytesPerRow > 0, totalBytes >= 0, totalBytes % bytesPerRow == 0 else {
            throw malformed("\(totalBytes) bytes do not split into rows of \(bytesPerRow)")
        }
        let rowDigits = bytesPerRow * 2
        let rowCount = totalBytes / bytesPerRow
        var output = [UInt8](repeating: 0, count: totalBytes)
        var row = 0
        var digitInRow = 0
        var pendingCount = 0

        func put(_ value: UInt8, times: Int) throws(PrintersError) {
            guard row < rowCount else { throw malformed("data continues after \(rowCount) rows") }
            guard digitInRow + times <= rowDigits else {
                throw malformed("a run of \(times) digits overflows row \(row) (\(rowDigits - digitInRow) digits left)")
            }
            let base = row * bytesPerRow
            for position in digitInRow..<(digitInRow + times) {
                let index = base + position >> 1
                if position & 1 == 0 { output[index] |= value << 4 } else { output[index] |= value }
            }
            digitInRow += times
            if digitInRow == rowDigits {
                row += 1
                digitInRow = 0
            }
        }

        for byte in data {
            switch byte {
            case ASCII.cr, ASCII.lf:
                continue
            case 0x47...0x59:
                pendingCount += Int(byte - 0x47) + 1
            case 0x67...0x7A:
                pendingCount += (Int(byte - 0x67) + 1) * 20
            case 0x2C, 0x21:
                guard pendingCount == 0 else { throw malformed("a repeat count precedes \"\(Character(Unicode.Scalar(byte)))\"") }
                if row >= rowCount { throw malformed("data continues after \(rowCount) rows") }
                try put(byte == 0x2C ? 0x0 : 0xF, times: rowDigits - digitInRow)
            case ASCII.colon:
                guard pendingCount == 0 else { throw malformed("a repeat count precedes \":\"") }
                guard row > 0 else { throw malformed("\":\" repeats a row but there is no previous row") }
                guard digitInRow == 0 else { throw malformed("\":\" appears in the middle of row \(row)") }
                guard row < rowCount else { throw malformed("data continues after \(rowCount) rows") }
                let previous = (row - 1) * bytesPerRow
                for offset in 0..<bytesPerRow { output[previous + bytesPerRow + offset] = output[previous + offset] }
                row += 1
            default:
                guard let value = ASCII.hexValue(byte) else {
                    throw malformed("unexpected character 0x\(String(byte, radix: 16)) in graphic data")
                }
                try put(value, times: max(pendingCount, 1))
                pendingCount = 0
            }
        }
        guard pendingCount == 0 else { throw malformed("data ends with a dangling repeat count") }
        guard row == rowCount else {
            throw malformed("data ends after \(row) of \(rowCount) rows (\(digitInRow) digits into the next)")
        }
        return output
    }
}
