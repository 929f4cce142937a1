/// An EPL `UQ` configuration dump (reference §5.2), read tolerantly: the layout varies between
/// firmware, so each known line or token is picked out wherever it appears and everything else
/// is kept as text. Lines seen in dumps: `UKQ1935HLU V4.29`, `S/N: …`,
/// `S4 D08 R112,000 ZB UN`, `q600 Q208,25`, `Option:D,Ff`.
public struct EPLConfiguration: Sendable, Equatable {
    /// Every non-empty line as sent, blanks trimmed.
    public var lines: [String]
    /// The first line: model and firmware, e.g. `UKQ1935HLU V4.29`.
    public var identification: String?
    /// The `V<digits>…` token of the first line.
    public var firmwareVersion: String?
    public var serialNumber: String?
    /// `S` code (meaning per model: see the profile's `epl_speed_codes`).
    public var speedCode: Int?
    /// `D` density 0...15.
    public var density: Int?
    /// `ZT` or `ZB`.
    public var direction: String?
    /// `q` label width in dots.
    public var labelWidthDots: Int?
    /// First `Q` value: label length in dots.
    public var labelLengthDots: Int?
    /// Second `Q` value as sent: gap dots, `B<n>` for black mark, `0` for continuous.
    public var gap: String?
    /// `Option:` items, e.g. `["D", "Ff"]`.
    public var options: [String]

    /// Media sensing implied by the `Q` gap value.
    public var mediaTracking: MediaTracking? {
        guard let gap else { return nil }
        if gap.hasPrefix("B") || gap.hasPrefix("b") { return .mark }
        let digits = gap.prefix { $0.isASCII && $0.isNumber }
        guard let value = Int(digits) else { return nil }
        return value == 0 ? .continuous : .gap
    }

    /// Whether the printer boots in direct-thermal mode (`D` option; dumps show `d` when it was
    /// the boot default).
    public var directThermal: Bool { options.contains { $0 == "D" || $0 == "d" } }

    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> EPLConfiguration {
        guard reply.contains(where: { !StatusReply.isBlank($0) }) else {
            throw StatusParseError(.empty, "no reply to UQ", field: "UQ")
        }
        let bytes = reply.prefix(StatusQuery.eplConfiguration.maxReplyBytes)
        var configuration = EPLConfiguration(lines: [], options: [])
        var recognised = false
        for raw in bytes.split(whereSeparator: { $0 == ASCII.lf || $0 == ASCII.cr }) {
            let line = String(decoding: raw, as: UTF8.self).trimmingWhitespace()
            guard !line.isEmpty else { continue }
            configuration.lines.append(String(line))
            if configuration.identification == nil {
                configuration.identification = String(line)
                let tokens: [Substring] = line.split(separator: Character(" "))
                configuration.firmwareVersion = tokens.first { token in
                    token.count > 1 && token.first == "V" && token.dropFirst().first?.isNumber == true
                }.map(String.init)
                continue
            }
            if line.uppercased().hasPrefix("S/N:") {
                configuration.serialNumber = String(String(line.dropFirst(4)).trimmingWhitespace())
                recognised = true
                continue
            }
            if line.uppercased().hasPrefix("OPTION:") {
                configuration.options = line.dropFirst(7).split(separator: ",")
                    .map { String(String($0).trimmingWhitespace()) }.filter { !$0.isEmpty }
                recognised = true
                continue
            }
            for token in line.split(separator: " ") {
                if configuration.read(token) { recognised = true }
            }
        }
        guard recognised else {
            throw StatusParseError(
                .missingField, "none of the known UQ lines (S/N:, Option:, S… D…, q… Q…) is there", field: "UQ",
                at: 0, in: reply)
        }
        return configuration
    }

    /// Takes one token of a settings line; true when it was one of the known ones.
    private mutating func read(_ token: Substring) -> Bool {
        guard let letter = token.first else { return false }
        let rest = token.dropFirst()
        func number(_ text: Substring, maxDigits: Int) -> Int? {
            guard !text.isEmpty, text.count <= maxDigits, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(text)
        }
        switch letter {
        case "S":
            guard let value = number(rest, maxDigits: 1) else { return false }
            speedCode = value
        case "D":
            guard let value = number(rest, maxDigits: 2), PrinterProfile.eplDensityLimits.contains(value) else { return false }
            density = value
        case "Z":
            guard rest == "T" || rest == "B" else { return false }
            direction = String(token)
        case "q":
            guard let value = number(rest, maxDigits: 5) else { return false }
            labelWidthDots = value
        case "Q":
            let parts = rest.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
            guard let length = number(parts[0], maxDigits: 5) else { return false }
            labelLengthDots = length
            gap = parts.count > 1 ? String(parts[1]) : nil
        default:
            return false
        }
        return true
    }
}
