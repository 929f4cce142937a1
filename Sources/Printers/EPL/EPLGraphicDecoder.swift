public import Raster

/// Reads EPL2 page-mode jobs back into labels: `q` sets the width, `Q` the length, `N` clears
/// the image buffer, `GW` writes graphics (0 = black, inverted back to 1 = black), `P` prints.
/// Other commands are skipped. Malformed input is reported as an error, never a trap.
public enum EPLGraphicDecoder {
    public static func decodeLabels(_ job: [UInt8]) throws(PrintersError) -> [DecodedLabel] {
        var parser = Parser(job: job)
        return try parser.run()
    }

    /// The job's only label; an error if it prints none or several.
    public static func decodeLabel(_ job: [UInt8]) throws(PrintersError) -> Bitmap {
        try DecodedLabel.onlyBitmap(of: decodeLabels(job), unit: "printed label (P)")
    }

    private struct Parser {
        let job: [UInt8]
        var position = 0
        var width: Int?
        var length: Int?
        var buffer: Bitmap?
        var labels: [DecodedLabel] = []

        init(job: [UInt8]) { self.job = job }

        func malformed(_ message: String, field: String, at offset: Int) -> PrintersError {
            PrintersError(code: .malformedJob, message: message, field: field, offset: offset)
        }

        mutating func run() throws(PrintersError) -> [DecodedLabel] {
            while position < job.count {
                let start = position
                if job[position] == ASCII.lf || job[position] == ASCII.cr {
                    position += 1
                    continue
                }
                if job[position...].starts(with: [0x47, 0x57]) {
                    position += 2
                    try graphicWrite(start: start)
                    continue
                }
                let line = readLine()
                try command(line, start: start)
            }
            return labels
        }

        /// The rest of the current line without its CR/LF terminator.
        mutating func readLine() -> ArraySlice<UInt8> {
            let start = position
            while position < job.count, job[position] != ASCII.lf { position += 1 }
            var end = position
            if end > start, job[end - 1] == ASCII.cr { end -= 1 }
            if position < job.count { position += 1 }
            return job[start..<end]
        }

        mutating func command(_ line: ArraySlice<UInt8>, start: Int) throws(PrintersError) {
            guard let letter = line.first else { return }
            let arguments = line.dropFirst()
            switch letter {
            case 0x4E where arguments.isEmpty:
                buffer = nil
            case 0x71:
                let values = try numbers(arguments, command: "q", at: start)
                guard let value = values.first, (1...DecoderLimits.maxLabelWidth).contains(value) else {
                    throw malformed("q needs a width in 1...\(DecoderLimits.maxLabelWidth)", field: "q", at: start)
                }
                width = value
                buffer = nil
            case 0x51:
                let first = arguments.split(separator: ASCII.comma, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
                let values = try numbers(first, command: "Q", at: start)
                guard let value = values.first, (1...DecoderLimits.maxLabelLength).contains(value) else {
                    throw malformed("Q needs a length in 1...\(DecoderLimits.maxLabelLength)", field: "Q", at: start)
                }
                length = value
                buffer = nil
            case 0x50:
                let values = try numbers(arguments, command: "P", at: start)
                guard let sets = values.first, (0...65534).contains(sets) else {
                    throw malformed("P needs a count in 0...65534", field: "P", at: start)
                }
                let copies = values.count > 1 ? max(values[1], 1) : 1
                let image = try currentBuffer(at: start, command: "P")
                labels.append(DecodedLabel(bitmap: image, copies: sets * copies))
            default:
                break
            }
        }

        func numbers(_ text: ArraySlice<UInt8>, command: String, at start: Int) throws(PrintersError) -> [Int] {
            var values: [Int] = []
            for part in text.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
                guard !part.isEmpty, part.count <= 9, part.allSatisfy(ASCII.isDigit),
                    let value = Int(String(decoding: part, as: UTF8.self))
                else {
                    throw malformed("\(command) has a malformed number", field: command, at: start)
                }
                values.append(value)
            }
            return values
        }

        mutating func currentBuffer(at start: Int, command: String) throws(PrintersError) -> Bitmap {
            if let buffer { return buffer }
            guard let width, let length else {
                throw malformed("\(command) before q and Q set the label size", field: command, at: start)
            }
            let fresh = Bitmap(width: width, height: length)
            buffer = fresh
            return fresh
        }

        /// Reads one decimal parameter and its separator (a comma, or CR/LF before the data).
        mutating func parameter(_ name: String, last: Bool, start: Int) throws(PrintersError) -> Int {
            var value = 0
            var digits = 0
            while position < job.count, ASCII.isDigit(job[position]) {
                guard digits < 9 else { throw malformed("GW \(name) has too many digits", field: "GW.\(name)", at: start) }
                value = value * 10 + Int(job[position] - ASCII.zero)
                digits += 1
                position += 1
            }
            guard digits > 0, position < job.count else {
                throw malformed("GW \(name) must be a number", field: "GW.\(name)", at: start)
            }
            if job[position] == ASCII.comma {
                position += 1
            } else if last, job[position] == ASCII.cr || job[position] == ASCII.lf {
                if job[position] == ASCII.cr, position + 1 < job.count, job[position + 1] == ASCII.lf { position += 1 }
                position += 1
            } else {
                throw malformed("GW \(name) must be followed by a comma", field: "GW.\(name)", at: start)
            }
            return value
        }

        mutating func graphicWrite(start: Int) throws(PrintersError) {
            let x = try parameter("p1", last: false, start: start)
            let y = try parameter("p2", last: false, start: start)
            let bytesPerRow = try parameter("p3", last: false, start: start)
            let rows = try parameter("p4", last: true, start: start)
            guard bytesPerRow >= 1, rows >= 1, bytesPerRow * rows <= DecoderLimits.maxEPLGraphicBytes else {
                throw malformed("GW \(bytesPerRow) x \(rows) bytes is empty or too large", field: "GW.p3", at: start)
            }
            let count = bytesPerRow * rows
            guard position + count <= job.count else {
                throw malformed("GW announces \(count) bytes but the job ends first", field: "GW.data", at: start)
            }
            let black = job[position..<(position + count)].map { ~$0 }
            position += count
            var image = try currentBuffer(at: start, command: "GW")
            PackedRows.blit(black, stride: bytesPerRow, rowCount: rows, into: &image, x: x, y: y)
            buffer = image
        }
    }
}
