/// The simulator's answers to status queries, byte for byte in the formats of the reference
/// (printer-protocols.md §4.1–4.3 and §5.2). They are generated from the simulator's state,
/// never stored, so they always say what the simulated printer is doing.
enum StatusReplies {
    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03

    /// What the replies are built from.
    struct State {
        var mode: SimulatorMode
        var settings: SimulatorSettings
        /// Complete formats waiting in the buffer (held while not ready).
        var formatsInBuffer: Int
        /// Copies still to print in the held formats.
        var labelsRemaining: Int
        var partialFormat: Bool
    }

    /// `~HS`: three `<STX>…<ETX><CR><LF>` strings.
    static func hostStatus(_ state: State) -> [UInt8] {
        let settings = state.settings
        // aaa: 9600 baud (a2 a1 a0 = 110), 8 data bits (a3), 1 stop bit (a4), no parity,
        // Xon/Xoff: 0b000011110 = 30.
        let serialSettings = 30
        let first = [
            digits(serialSettings, 3), flag(state.mode == .paperOut), flag(state.mode == .paused),
            digits(settings.labelLengthDots, 4), digits(min(state.formatsInBuffer, 999), 3), "0", "0", flag(state.partialFormat),
            "000", "0", "0", "0",
        ]
        // mmm: bit 7 continuous media, bit 0 thermal transfer.
        let functionSettings = (settings.mediaTracking == .continuous ? 128 : 0) + (settings.mediaType == .thermalTransfer ? 1 : 0)
        let printMode =
            switch settings.printMode {
            case .rewind: "0"
            case .peel: "1"
            case .tearOff: "2"
            case .cutter: "3"
            }
        let second = [
            digits(functionSettings, 3), "0", flag(state.mode == .headOpen), "0", flag(settings.mediaType == .thermalTransfer),
            // s (print width mode) has no documented values; the simulator reports 0.
            printMode, "0", "0", digits(min(state.labelsRemaining, 99_999_999), 8), "1", "000",
        ]
        // xxxx: the password (Zebra's default 1234); y: no static RAM option.
        let third = ["1234", "0"]
        return frame(first.joined(separator: ",")) + frame(second.joined(separator: ",")) + frame(third.joined(separator: ","))
    }

    /// `~HQES`: one frame with the lines `PRINTER STATUS`, `ERRORS:`, `WARNINGS:` separated by CR LF.
    static func extendedStatus(_ state: State) -> [UInt8] {
        var errors: UInt32 = 0
        switch state.mode {
        case .paperOut: errors |= 0x0000_0001
        case .headOpen: errors |= 0x0000_0004
        case .paused: errors |= 0x0001_0000
        case .ready, .slow, .dropConnection: break
        }
        let warnings: UInt32 = 0
        let text =
            "PRINTER STATUS\r\n"
            + "ERRORS:   \(errors == 0 ? 0 : 1) 00000000 \(hex8(errors))\r\n"
            + "WARNINGS: \(warnings == 0 ? 0 : 1) 00000000 \(hex8(warnings))"
        return frame(text)
    }

    /// `~HI`: `<STX>model,version,dots per mm,memory<ETX><CR><LF>` (no options field: the
    /// simulated printer has none).
    static func hostIdentification(model: String, firmware: String, dpi: Int, memoryKB: Int) -> [UInt8] {
        let dotsPerMillimetre =
            switch dpi {
            case 152: 6
            case 300: 12
            case 600: 24
            default: 8
            }
        return frame("\(model),\(firmware),\(dotsPerMillimetre),\(memoryKB)KB")
    }

    /// EPL `^ee`: `00` when fine, else the error codes separated by commas; then CR LF.
    static func eplErrorReport(_ mode: SimulatorMode) -> [UInt8] {
        let code =
            switch mode {
            case .ready, .slow, .dropConnection: "00"
            case .paperOut: "07"
            case .headOpen: "11"
            case .paused: "12"
            }
        return Array((code + "\r\n").utf8)
    }

    /// EPL `UQ`: the configuration dump, one CR LF line per item, in the layout of observed
    /// Zebra dumps (model and firmware; serial number; serial port; image buffer; memory;
    /// `I8` code page line; speed, density, reference point, direction, error reporting;
    /// `q`/`Q`; options).
    static func eplConfiguration(model: String, firmware: String, serialNumber: String, settings: SimulatorSettings) -> [UInt8] {
        let gap =
            switch settings.mediaTracking {
            case .continuous: "0"
            case .mark: "B24"
            case .gap: "24"
            }
        var options = settings.mediaType == .directThermal ? ["D"] : []
        switch settings.printMode {
        case .peel: options.append("P")
        case .cutter: options.append("C")
        case .tearOff, .rewind: break
        }
        options.append("Ff")
        let lines = [
            "\(model) \(firmware)",
            "S/N: \(serialNumber)",
            "Serial port:96,N,8,1",
            "Image buffer size:0245K",
            "Fmem:000.0K,060.9K avl",
            "Gmem:000K,0512K avl",
            "Emem:000K,0512K avl",
            "I8,A,001 rY JF WY",
            "S\(settings.eplSpeedCode ?? 0) D\(digits(settings.eplDensity ?? 0, 2)) R000,000 ZT UN",
            "q\(settings.printWidthDots) Q\(settings.labelLengthDots),\(gap)",
            "Option:\(options.joined(separator: ","))",
        ]
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    static func frame(_ text: String) -> [UInt8] {
        [stx] + Array(text.utf8) + [etx, ASCII.cr, ASCII.lf]
    }

    static func flag(_ value: Bool) -> String { value ? "1" : "0" }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        var out: [UInt8] = []
        out.append(decimal: max(value, 0), width: width)
        return String(decoding: out, as: UTF8.self)
    }

    static func hex8(_ value: UInt32) -> String {
        var out: [UInt8] = []
        out.append(hex16: UInt16(value >> 16))
        out.append(hex16: UInt16(value & 0xFFFF))
        return String(decoding: out, as: UTF8.self)
    }
}
