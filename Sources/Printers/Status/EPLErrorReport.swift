/// An EPL `^ee` reply (reference §5.2): `00` + CR LF when fine, otherwise two-digit codes
/// separated by commas. A code may carry the `US`/`UT` report suffixes `P<labels>` and
/// `L<raster lines>` (e.g. `07P123L12345`).
public struct EPLErrorReport: Sendable, Equatable {
    /// The codes in the order sent; `[0]` when the printer reports no error.
    public var codes: [Int]
    /// Labels still to print (`P` suffix), when reported.
    public var labelsRemaining: Int?
    /// Raster lines still to print (`L` suffix), when reported.
    public var rasterLinesRemaining: Int?

    public init(codes: [Int], labelsRemaining: Int? = nil, rasterLinesRemaining: Int? = nil) {
        self.codes = codes
        self.labelsRemaining = labelsRemaining
        self.rasterLinesRemaining = rasterLinesRemaining
    }

    /// What a code says about the printer. Codes about the printer's state block printing; codes
    /// about the last command (syntax, data, names) leave the printer able to print and are
    /// reported as warnings.
    enum Meaning {
        case noError
        case state(PrinterCondition, String)
        case command(String)
        case notice(String)
    }

    static let meanings: [Int: Meaning] = [
        0: .noError,
        1: .command("syntax error"),
        2: .command("object exceeded label border"),
        3: .command("bar code data length error"),
        4: .command("insufficient memory to store data"),
        5: .command("memory configuration error"),
        6: .command("RS-232 interface error"),
        // EPL cannot tell paper from ribbon; badge printers are direct thermal, so paper it is.
        7: .state(.paperOut, "paper or ribbon empty"),
        8: .command("duplicate name"),
        9: .command("name not found"),
        10: .command("not in data-entry mode"),
        11: .state(.headOpen, "head open"),
        12: .state(.paused, "paused or label waiting to be taken"),
        13: .state(.tooHot, "printhead over temperature"),
        14: .state(.tooHot, "motor over temperature"),
        15: .notice("battery low (40 %)"),
        16: .notice("battery low limit (20 %)"),
        50: .notice("busy processing a print job"),
        80: .state(.fault, "undefined error"),
        81: .state(.fault, "cutter jammed or not installed"),
        82: .state(.fault, "AutoSense or sensor failure"),
        83: .state(.fault, "illegal interrupt"),
        84: .state(.fault, "excessive media feeding"),
        93: .command("PDF417 data too large to fit"),
    ]

    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> EPLErrorReport {
        let query = StatusQuery.eplErrorReport
        guard reply.contains(where: { !StatusReply.isBlank($0) }) else {
            throw StatusParseError(.empty, "no reply to ^ee", field: "^ee")
        }
        guard let line = StatusReply.firstLine(in: reply, limit: query.maxReplyBytes) else {
            if reply.count >= query.maxReplyBytes {
                throw StatusParseError(.tooLong, "no line end within \(query.maxReplyBytes) bytes", field: "^ee", at: 0, in: reply)
            }
            throw StatusParseError(.truncated, "the ^ee reply has no line end", field: "^ee", at: reply.count, in: reply)
        }
        var report = EPLErrorReport(codes: [])
        for token in StatusReply.fields(of: reply[line], offset: line.lowerBound) {
            try report.read(token, reply: reply)
        }
        return report
    }

    /// Reads `NN[P<digits>][L<digits>]`, blanks allowed between the parts.
    private mutating func read(_ token: ReplyField, reply: [UInt8]) throws(StatusParseError) {
        let bytes = token.trimmed.filter { !StatusReply.isBlank($0) }
        let digits = bytes.prefix(while: ASCII.isDigit)
        guard !digits.isEmpty, digits.count <= 3 else {
            throw StatusParseError(.invalidField, "expected a two-digit error code", field: "^ee code", at: token.offset, in: reply)
        }
        codes.append(digits.reduce(0) { $0 * 10 + Int($1 - ASCII.zero) })
        var rest = bytes.dropFirst(digits.count)
        while let letter = rest.first {
            let count = rest.dropFirst().prefix(while: ASCII.isDigit)
            guard letter == 0x50 || letter == 0x4C, !count.isEmpty, count.count <= 9 else {
                throw StatusParseError(
                    .invalidField, "expected P<labels> or L<lines> after the code", field: "^ee code", at: token.offset, in: reply)
            }
            let value = count.reduce(0) { $0 * 10 + Int($1 - ASCII.zero) }
            if letter == 0x50 { labelsRemaining = value } else { rasterLinesRemaining = value }
            rest = rest.dropFirst(1 + count.count)
        }
    }

    public var printerStatus: PrinterStatus {
        var conditions: Set<PrinterCondition> = []
        var errors: [String] = []
        var warnings: [String] = []
        for code in codes {
            switch Self.meanings[code] {
            case .noError?:
                continue
            case .state(let condition, let name)?:
                conditions.insert(condition)
                if !errors.contains(name) { errors.append(name) }
            case .command(let name)?:
                warnings.append("last command: " + name)
            case .notice(let name)?:
                warnings.append(name)
            case nil:
                // Not in the table: something is wrong, and guessing it harmless would print
                // into a printer whose state nobody knows.
                conditions.insert(.fault)
                errors.append("error code \(code)")
            }
        }
        return PrinterStatus(
            conditions: conditions, labelsRemaining: labelsRemaining, errors: errors, warnings: warnings)
    }
}
