/// A ZPL `~HQES` reply (reference §4.2): one STX…ETX block whose lines include
/// ```
/// PRINTER STATUS
/// ERRORS:   1 00000000 00000005
/// WARNINGS: 1 00000000 00000002
/// ```
/// Each line holds a flag (0/1), group 2 and group 1 as hex. Labels are matched without regard
/// to case or indentation; other lines are ignored.
public struct ExtendedStatus: Sendable, Equatable {
    public var errorFlag: Bool
    public var errors: ZPLErrorFlags
    /// Group 2 is all zero in current tables; any bit set there is undocumented.
    public var errorsGroup2: UInt32
    public var warningFlag: Bool
    public var warnings: ZPLWarningFlags
    public var warningsGroup2: UInt32

    public init(
        errorFlag: Bool, errors: ZPLErrorFlags, errorsGroup2: UInt32 = 0,
        warningFlag: Bool, warnings: ZPLWarningFlags, warningsGroup2: UInt32 = 0
    ) {
        self.errorFlag = errorFlag
        self.errors = errors
        self.errorsGroup2 = errorsGroup2
        self.warningFlag = warningFlag
        self.warnings = warnings
        self.warningsGroup2 = warningsGroup2
    }

    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> ExtendedStatus {
        let frame = try StatusReply.requireFrames(reply, for: .zplExtendedStatus)[0]
        var errorsLine: (flag: Bool, group2: UInt32, group1: UInt32)?
        var warningsLine: (flag: Bool, group2: UInt32, group1: UInt32)?
        for line in lines(of: frame) {
            guard let colon = line.bytes.firstIndex(of: ASCII.colon) else { continue }
            let label = String(
                decoding: ReplyField(bytes: line.bytes[line.bytes.startIndex..<colon], offset: line.offset).trimmed, as: UTF8.self
            )
            .uppercased()
            let values = ReplyField(bytes: line.bytes[(colon + 1)...], offset: line.offset + (colon + 1 - line.bytes.startIndex))
            switch label {
            case "ERRORS" where errorsLine == nil:
                errorsLine = try readValues(values, name: "ERRORS", reply: reply)
            case "WARNINGS" where warningsLine == nil:
                warningsLine = try readValues(values, name: "WARNINGS", reply: reply)
            default:
                continue
            }
        }
        guard let errorValues = errorsLine else {
            throw StatusParseError(.missingField, "no ERRORS line in the ~HQES reply", field: "ERRORS", at: frame.payloadOffset, in: reply)
        }
        guard let warningValues = warningsLine else {
            throw StatusParseError(
                .missingField, "no WARNINGS line in the ~HQES reply", field: "WARNINGS", at: frame.payloadOffset, in: reply)
        }
        return ExtendedStatus(
            errorFlag: errorValues.flag, errors: ZPLErrorFlags(rawValue: errorValues.group1), errorsGroup2: errorValues.group2,
            warningFlag: warningValues.flag, warnings: ZPLWarningFlags(rawValue: warningValues.group1),
            warningsGroup2: warningValues.group2)
    }

    /// The bits decide, as in LPrint, which ignores the flag. A flag raised with no bit set is
    /// still reported: the printer says something is wrong without saying what.
    public var printerStatus: PrinterStatus {
        var conditions = errors.conditions
        var errorNames = errors.names + bitNames(errorsGroup2, kind: "error", group: 2)
        if errorsGroup2 != 0 { conditions.insert(.fault) }
        if errorFlag, errors.rawValue == 0, errorsGroup2 == 0 {
            conditions.insert(.fault)
            errorNames.append("error flag set without an error bit")
        }
        var warningNames = warnings.names + bitNames(warningsGroup2, kind: "warning", group: 2)
        if warningFlag, warnings.rawValue == 0, warningsGroup2 == 0 {
            warningNames.append("warning flag set without a warning bit")
        }
        return PrinterStatus(conditions: conditions, errors: errorNames, warnings: warningNames)
    }

    /// The payload's lines (split at CR and LF), each with its offset in the reply.
    static func lines(of frame: StatusReply.Frame) -> [ReplyField] {
        var lines: [ReplyField] = []
        let payload = frame.payload
        var start = 0
        for index in 0...payload.count where index == payload.count || payload[index] == ASCII.lf || payload[index] == ASCII.cr {
            if index > start {
                lines.append(ReplyField(bytes: payload[start..<index], offset: frame.payloadOffset + start))
            }
            start = index + 1
        }
        return lines
    }

    /// `flag group2 group1`, separated by blanks.
    private static func readValues(
        _ values: ReplyField, name: String, reply: [UInt8]
    ) throws(StatusParseError) -> (flag: Bool, group2: UInt32, group1: UInt32) {
        var tokens: [ReplyField] = []
        var start: Int?
        let bytes = values.bytes
        for index in bytes.startIndex...bytes.endIndex {
            let blank = index == bytes.endIndex || StatusReply.isBlank(bytes[index])
            if blank, let begin = start {
                tokens.append(ReplyField(bytes: bytes[begin..<index], offset: values.offset + (begin - bytes.startIndex)))
                start = nil
            } else if !blank, start == nil {
                start = index
            }
        }
        guard tokens.count >= 3 else {
            throw StatusParseError(
                .missingField, "expected a flag and two hex groups, found \(tokens.count) value(s)", field: name,
                at: values.offset, in: reply)
        }
        let flag: Bool
        switch tokens[0].text {
        case "0": flag = false
        case "1": flag = true
        default: throw StatusParseError(.invalidField, "flag must be 0 or 1", field: name + " flag", at: tokens[0].offset, in: reply)
        }
        func hex(_ token: ReplyField, _ group: String) throws(StatusParseError) -> UInt32 {
            let digits = token.trimmed
            guard !digits.isEmpty, digits.count <= 8 else {
                throw StatusParseError(.invalidField, "expected 1 to 8 hex digits", field: name + " " + group, at: token.offset, in: reply)
            }
            var value: UInt32 = 0
            for byte in digits {
                guard let digit = ASCII.hexValue(byte) else {
                    throw StatusParseError(.invalidField, "expected hex digits", field: name + " " + group, at: token.offset, in: reply)
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        let group2 = try hex(tokens[1], "group 2")
        let group1 = try hex(tokens[2], "group 1")
        return (flag, group2, group1)
    }
}
