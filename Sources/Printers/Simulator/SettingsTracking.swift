/// Reads the setup commands of a label format into the simulator's persistent settings, as a
/// printer keeps `^PW`, `^LL`, `^PR`, `^MD`, ... in effect after a label until changed.
enum ZPLSettingsTracker {
    /// `configurationUpdate` is called for each `^JU` with its letter, in order with the other
    /// commands, so `^PR2^JUS` saves the new speed.
    static func apply(
        format: [UInt8], to settings: inout SimulatorSettings, configurationUpdate: (UInt8, inout SimulatorSettings) -> Void
    ) {
        var position = 0
        while position < format.count {
            guard ZPLStreamSplitter.isPrefix(format[position]), position + 2 < format.count else {
                position += 1
                continue
            }
            let isCaret = format[position] == ASCII.caret
            let name = String(
                decoding: [ZPLStreamSplitter.upper(format[position + 1]), ZPLStreamSplitter.upper(format[position + 2])], as: UTF8.self)
            position += 3
            let start = position
            if isCaret, name == "GF", let binary = binaryPayloadEnd(format, from: start) {
                position = binary
                continue
            }
            while position < format.count, !ZPLStreamSplitter.isPrefix(format[position]) { position += 1 }
            guard isCaret else { continue }
            if name == "JU", start < format.count, !ZPLStreamSplitter.isPrefix(format[start]) {
                configurationUpdate(ZPLStreamSplitter.upper(format[start]), &settings)
            } else {
                apply(name, parameters(format[start..<position]), to: &settings)
            }
        }
    }

    /// End of a `^GFB` field's raw bytes, so that bytes looking like commands inside it are skipped.
    private static func binaryPayloadEnd(_ format: [UInt8], from start: Int) -> Int? {
        guard start < format.count, ZPLStreamSplitter.upper(format[start]) == 0x42 else { return nil }
        var commas = 0
        var position = start
        var count = 0
        var field = 0
        while position < format.count, commas < 4 {
            let byte = format[position]
            if byte == ASCII.comma {
                commas += 1
                field += 1
            } else if field == 1, ASCII.isDigit(byte), count < 1_000_000 {
                count = count * 10 + Int(byte - ASCII.zero)
            } else if !ASCII.isDigit(byte) || field == 0 {
                return nil
            }
            position += 1
        }
        guard commas == 4 else { return nil }
        return min(position + count, format.count)
    }

    private static func parameters(_ text: ArraySlice<UInt8>) -> [String] {
        String(decoding: text.filter { $0 != ASCII.cr && $0 != ASCII.lf }, as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
    }

    private static func apply(_ name: String, _ values: [String], to settings: inout SimulatorSettings) {
        let first = values.first ?? ""
        switch name {
        case "PW":
            if let width = Int(first), width >= 1 { settings.printWidthDots = width }
        case "LL":
            if let length = Int(first), (1...32000).contains(length) { settings.labelLengthDots = length }
        case "LH":
            if let x = Int(first), (0...32000).contains(x) { settings.labelHomeX = x }
            if values.count > 1, let y = Int(values[1]), (0...32000).contains(y) { settings.labelHomeY = y }
        case "MD":
            if let offset = Int(first), (-30...30).contains(offset) { settings.darknessOffset = offset }
        case "PR":
            if let speed = zplSpeed(first) { settings.printSpeedIPS = Double(speed) }
        case "MN":
            switch first.uppercased() {
            case "Y", "W": settings.mediaTracking = .gap
            case "M": settings.mediaTracking = .mark
            case "N", "V": settings.mediaTracking = .continuous
            default: break
            }
        case "MT":
            switch first.uppercased() {
            case "T": settings.mediaType = .thermalTransfer
            case "D": settings.mediaType = .directThermal
            default: break
            }
        case "MM":
            switch first.uppercased() {
            case "T": settings.printMode = .tearOff
            case "P": settings.printMode = .peel
            case "C", "D": settings.printMode = .cutter
            case "R": settings.printMode = .rewind
            default: break
            }
        case "JZ":
            switch first.uppercased() {
            case "Y": settings.reprintAfterError = true
            case "N": settings.reprintAfterError = false
            default: break
            }
        default:
            break
        }
    }

    /// `^PR` speed: 1–14 ips, or the letters A–E for 2, 3, 4, 6 and 8 ips.
    static func zplSpeed(_ text: String) -> Int? {
        let letters = ["A": 2, "B": 3, "C": 4, "D": 6, "E": 8]
        if let speed = letters[text.uppercased()] { return speed }
        if let speed = Int(text), (1...14).contains(speed) { return speed }
        return nil
    }
}

/// Reads EPL setup lines (`q`, `Q`, `S`, `D`, `O`) into the simulator's settings.
enum EPLSettingsTracker {
    static func apply(line: [UInt8], profile: PrinterProfile, to settings: inout SimulatorSettings) {
        guard let letter = line.first else { return }
        let arguments = String(decoding: line.dropFirst(), as: UTF8.self)
        let values = arguments.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        switch letter {
        case 0x71:  // q
            if let width = Int(values[0]), width >= 1 { settings.printWidthDots = width }
        case 0x51:  // Q
            if let length = Int(values[0]), length >= 1 { settings.labelLengthDots = length }
            if values.count > 1 {
                let separator = values[1]
                if separator == "0" {
                    settings.mediaTracking = .continuous
                } else if separator.hasPrefix("B") {
                    settings.mediaTracking = .mark
                } else if Int(separator) != nil {
                    settings.mediaTracking = .gap
                }
            }
        case 0x53:  // S
            if let code = Int(values[0]) {
                settings.eplSpeedCode = code
                if let ips = profile.eplSpeedCodes?[code] { settings.printSpeedIPS = ips }
            }
        case 0x44:  // D
            if let density = Int(values[0]), (0...15).contains(density) { settings.eplDensity = density }
        case 0x4F:  // O: stateless, every option not listed returns to its default
            let options = Set(values.map { $0.uppercased() })
            settings.mediaType = options.contains("D") ? .directThermal : .thermalTransfer
            settings.printMode = options.contains("P") ? .peel : options.contains(where: { $0.hasPrefix("C") }) ? .cutter : .tearOff
        default:
            break
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
