public import LanyardSupport
public import Raster

/// Reads ZPL jobs back into the labels they describe: label size from `^PW`/`^LL`, placement
/// from `^LH` and `^FO`, and every `^GF` field (hex, ACS, `:Z64:`, `:B64:` with CRC check, or
/// binary `^GFB`) ORed onto the label. Other commands are skipped. Used by the round-trip tests
/// and by the printer simulator; malformed input is reported as an error, never a trap.
public enum ZPLGraphicDecoder {
    /// Every `^XA … ^XZ` format of the job, in order.
    public static func decodeLabels(_ job: [UInt8]) throws(PrintersError) -> [DecodedLabel] {
        var parser = Parser(job: job)
        return try parser.run()
    }

    /// The job's only label; an error if it holds none or several.
    public static func decodeLabel(_ job: [UInt8]) throws(PrintersError) -> Bitmap {
        try DecodedLabel.onlyBitmap(of: decodeLabels(job), unit: "^XA…^XZ format")
    }

    private struct Field {
        let x: Int
        let y: Int
        let bytesPerRow: Int
        let rows: Int
        let data: [UInt8]
    }

    private struct Parser {
        let job: [UInt8]
        var position = 0
        var printWidth: Int?
        var labelLength: Int?
        var homeX = 0
        var homeY = 0
        var originX = 0
        var originY = 0
        var quantity = 1
        var inFormat = false
        var formatStart = 0
        var fields: [Field] = []
        var labels: [DecodedLabel] = []

        init(job: [UInt8]) { self.job = job }

        func malformed(_ message: String, field: String? = nil, at offset: Int? = nil) -> PrintersError {
            PrintersError(code: .malformedJob, message: message, field: field, offset: offset ?? position)
        }

        static func isPrefix(_ byte: UInt8) -> Bool { byte == ASCII.caret || byte == ASCII.tilde }

        mutating func run() throws(PrintersError) -> [DecodedLabel] {
            while position < job.count {
                let byte = job[position]
                guard Self.isPrefix(byte) else {
                    position += 1
                    continue
                }
                let commandStart = position
                guard position + 2 < job.count else {
                    throw malformed("truncated command at the end of the job")
                }
                let name = String(decoding: job[(position + 1)..<(position + 3)].map(Self.upper), as: UTF8.self)
                position += 3
                try handle(prefix: byte, name: name, start: commandStart)
            }
            guard !inFormat else { throw malformed("format opened with ^XA is never closed by ^XZ", at: formatStart) }
            return labels
        }

        static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

        /// Parameter text up to the next command prefix.
        mutating func parameters() -> ArraySlice<UInt8> {
            let start = position
            while position < job.count, !Self.isPrefix(job[position]) { position += 1 }
            return job[start..<position]
        }

        mutating func handle(prefix: UInt8, name: String, start: Int) throws(PrintersError) {
            guard prefix == ASCII.caret else {
                _ = parameters()
                return
            }
            switch name {
            case "XA":
                guard !inFormat else { throw malformed("^XA inside an open format", at: start) }
                inFormat = true
                formatStart = start
                fields = []
                quantity = 1
                originX = 0
                originY = 0
                _ = parameters()
            case "XZ":
                guard inFormat else { throw malformed("^XZ without ^XA", at: start) }
                _ = parameters()
                try finishFormat(at: start)
            case "PW":
                let values = try integers(parameters(), command: "^PW", at: start)
                guard let width = values.first ?? nil, (1...DecoderLimits.maxLabelWidth).contains(width) else {
                    throw malformed("^PW needs a width in 1...\(DecoderLimits.maxLabelWidth)", field: "^PW", at: start)
                }
                printWidth = width
            case "LL":
                let values = try integers(parameters(), command: "^LL", at: start)
                guard let length = values.first ?? nil, (1...DecoderLimits.maxLabelLength).contains(length) else {
                    throw malformed("^LL needs a length in 1...\(DecoderLimits.maxLabelLength)", field: "^LL", at: start)
                }
                labelLength = length
            case "LH":
                let values = try integers(parameters(), command: "^LH", at: start)
                homeX = try coordinate(values, 0, command: "^LH", at: start) ?? homeX
                homeY = try coordinate(values, 1, command: "^LH", at: start) ?? homeY
            case "FO":
                let values = try integers(parameters(), command: "^FO", at: start)
                originX = try coordinate(values, 0, command: "^FO", at: start) ?? 0
                originY = try coordinate(values, 1, command: "^FO", at: start) ?? 0
            case "PQ":
                let values = try integers(parameters(), command: "^PQ", at: start)
                if let count = values.first ?? nil {
                    guard (1...99_999_999).contains(count) else {
                        throw malformed("^PQ quantity \(count) is outside 1...99999999", field: "^PQ", at: start)
                    }
                    quantity = count
                }
            case "GF":
                guard inFormat else { throw malformed("^GF outside a ^XA…^XZ format", at: start) }
                try graphicField(start: start)
            default:
                _ = parameters()
            }
        }

        /// Parses comma-separated integers; empty positions are nil. Parameters that are not
        /// integers (e.g. `^PQ`'s `N`) are nil as well; only malformed numbers are errors.
        func integers(_ text: ArraySlice<UInt8>, command: String, at start: Int) throws(PrintersError) -> [Int?] {
            var values: [Int?] = []
            for part in text.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
                let trimmed = part.filter { $0 != ASCII.cr && $0 != ASCII.lf && $0 != 0x20 }
                if trimmed.isEmpty || !trimmed.contains(where: ASCII.isDigit) {
                    values.append(nil)
                    continue
                }
                guard trimmed.count <= 9, let value = Int(String(decoding: trimmed, as: UTF8.self)) else {
                    throw malformed("\(command) has a malformed number", field: command, at: start)
                }
                values.append(value)
            }
            return values
        }

        func coordinate(_ values: [Int?], _ index: Int, command: String, at start: Int) throws(PrintersError) -> Int? {
            guard index < values.count, let value = values[index] else { return nil }
            guard (0...32000).contains(value) else {
                throw malformed("\(command) coordinate \(value) is outside 0...32000", field: command, at: start)
            }
            return value
        }

        /// Reads a decimal parameter terminated by a comma.
        mutating func countParameter(_ name: String, range: ClosedRange<Int>) throws(PrintersError) -> Int {
            let start = position
            var value = 0
            var digits = 0
            while position < job.count, ASCII.isDigit(job[position]) {
                guard digits < 9 else { throw malformed("^GF \(name) has too many digits", field: "^GF.\(name)", at: start) }
                value = value * 10 + Int(job[position] - ASCII.zero)
                digits += 1
                position += 1
            }
            guard digits > 0, position < job.count, job[position] == ASCII.comma else {
                throw malformed("^GF \(name) must be a number followed by a comma", field: "^GF.\(name)", at: start)
            }
            position += 1
            guard range.contains(value) else {
                throw malformed(
                    "^GF \(name) = \(value) is outside \(range.lowerBound)...\(range.upperBound)", field: "^GF.\(name)", at: start)
            }
            return value
        }

        mutating func graphicField(start: Int) throws(PrintersError) {
            guard position < job.count else { throw malformed("truncated ^GF", at: start) }
            let format = Self.upper(job[position])
            position += 1
            guard position < job.count, job[position] == ASCII.comma else {
                throw malformed("^GF needs a format letter and a comma", field: "^GF.a", at: start)
            }
            position += 1
            let limit = DecoderLimits.maxFieldBytes
            let binaryCount = try countParameter("b", range: 1...limit)
            let totalBytes = try countParameter("c", range: 1...limit)
            let bytesPerRow = try countParameter("d", range: 1...limit)
            guard totalBytes % bytesPerRow == 0 else {
                throw malformed("^GF c = \(totalBytes) is not a whole number of \(bytesPerRow)-byte rows", field: "^GF.c", at: start)
            }
            let raster: [UInt8]
            switch format {
            case 0x41:
                let data = Array(parameters())
                raster = try withOffset(start) { () throws(PrintersError) in
                    try ZPLGraphicData.decode(data, totalBytes: totalBytes, bytesPerRow: bytesPerRow)
                }
            case 0x42:
                guard binaryCount == totalBytes else {
                    throw malformed("^GFB b = \(binaryCount) must equal c = \(totalBytes)", field: "^GF.b", at: start)
                }
                guard position + binaryCount <= job.count else {
                    throw malformed("^GFB announces \(binaryCount) bytes but the job ends first", field: "^GF.b", at: start)
                }
                raster = Array(job[position..<(position + binaryCount)])
                position += binaryCount
            default:
                throw malformed("^GF format \"\(Character(Unicode.Scalar(format)))\" is not supported (A or B)", field: "^GF.a", at: start)
            }
            fields.append(
                Field(
                    x: homeX + originX, y: homeY + originY, bytesPerRow: bytesPerRow,
                    rows: totalBytes / bytesPerRow, data: raster
                ))
        }

        func withOffset<T>(_ offset: Int, _ body: () throws(PrintersError) -> T) throws(PrintersError) -> T {
            do {
                return try body()
            } catch {
                throw PrintersError(
                    code: error.code, message: error.message, field: error.field, offset: offset, underlying: error.underlyingError)
            }
        }

        mutating func finishFormat(at start: Int) throws(PrintersError) {
            inFormat = false
            guard let width = printWidth else { throw malformed("the format sets no ^PW, so its width is unknown", at: start) }
            guard let length = labelLength else { throw malformed("the format sets no ^LL, so its length is unknown", at: start) }
            var bitmap = Bitmap(width: width, height: length)
            for field in fields {
                PackedRows.blit(field.data, stride: field.bytesPerRow, rowCount: field.rows, into: &bitmap, x: field.x, y: field.y)
            }
            labels.append(DecodedLabel(bitmap: bitmap, copies: quantity))
        }
    }
}
