// The setup part of a job, written exactly as the encoders write it so that a printer set up
// by a control command and one set up by a job header end in the same state.

extension MediaTracking {
    /// ZPL `^MN`: web sensing `Y`, mark `M`, continuous `N`.
    var zplCode: String {
        switch self {
        case .gap: "Y"
        case .mark: "M"
        case .continuous: "N"
        }
    }
}

extension MediaType {
    /// ZPL `^MT`.
    var zplCode: String {
        switch self {
        case .directThermal: "D"
        case .thermalTransfer: "T"
        }
    }
}

extension PrintMode {
    /// ZPL `^MM`.
    var zplCode: String {
        switch self {
        case .tearOff: "T"
        case .peel: "P"
        case .cutter: "C"
        case .rewind: "R"
        }
    }
}

enum ZPLSetup {
    /// `~SD`, `~TA` and a format holding `^PW ^LL ^LH ^MN ^MT ^MM ^PR ^JZ`, then `^XZ`. Nothing
    /// is saved: without `^JUS` these last until power-off.
    static func appendSettings(_ settings: JobSettings, into out: inout [UInt8]) {
        appendHeader(settings, into: &out)
        out.append(ascii: "^XZ\n")
    }

    /// The setup every ZPL job starts with (`ZPLEncoder`) and a settings command sends alone:
    /// `~SD` and `~TA` before the format, since they are control commands, then `^XA` and the
    /// format's settings. The graphic fields and `^PQ ^XZ` follow in a job.
    static func appendHeader(_ settings: JobSettings, into out: inout [UInt8]) {
        out.append(ascii: "~SD")
        out.append(decimal: settings.darkness, width: 2)
        out.append(ascii: "\n~TA")
        if settings.tearOffAdjustDots < 0 { out.append(ASCII.minus) }
        out.append(decimal: abs(settings.tearOffAdjustDots), width: 3)
        out.append(ascii: "\n^XA\n^PW")
        out.append(decimal: settings.labelWidthDots)
        out.append(ascii: "^LL")
        out.append(decimal: settings.labelLengthDots)
        out.append(ascii: "^LH")
        out.append(decimal: settings.labelHome.x)
        out.append(ASCII.comma)
        out.append(decimal: settings.labelHome.y)
        out.append(ascii: "\n^MN" + settings.mediaTracking.zplCode)
        out.append(ascii: "^MT" + settings.mediaType.zplCode)
        out.append(ascii: "^MM" + settings.printMode.zplCode)
        // Print, slew and backfeed are all given: the documented defaults for slew (6 ips) and
        // backfeed (2 ips) are not what a single-parameter ^PR leaves on every firmware. Slew
        // follows the print speed; backfeed stays at 2 ips or less so the label registers.
        out.append(ascii: "^PR")
        out.append(decimal: settings.speedIPS)
        out.append(ASCII.comma)
        out.append(decimal: settings.speedIPS)
        out.append(ASCII.comma)
        out.append(decimal: min(settings.speedIPS, 2))
        out.append(ascii: settings.reprintAfterError ? "^JZY\n" : "^JZN\n")
    }
}

enum EPLSetup {
    /// `O`, `q`, `Q`, `S`, `D` lines, each job's setup (`EPLEncoder`) and a settings command's
    /// whole, after a line feed that ends any command an interrupted job left open. `O` is
    /// stateless (every option not listed goes back to its default), so all go out every time.
    static func appendSettings(_ settings: JobSettings, speedCode: Int, into out: inout [UInt8]) {
        out.append(ascii: "\nO")
        var options: [String] = []
        if settings.mediaType == .directThermal { options.append("D") }
        switch settings.printMode {
        case .peel: options.append("P")
        case .cutter: options.append("C")
        case .tearOff, .rewind: break
        }
        out.append(ascii: options.joined(separator: ","))
        out.append(ascii: "\nq")
        out.append(decimal: settings.labelWidthDots)
        out.append(ascii: "\nQ")
        out.append(decimal: settings.labelLengthDots)
        out.append(ASCII.comma)
        switch settings.mediaTracking {
        case .gap:
            out.append(decimal: settings.gapDots)
        case .mark:
            out.append(ascii: "B")
            out.append(decimal: settings.gapDots)
        case .continuous:
            out.append(ASCII.zero)
        }
        out.append(ascii: "\nS")
        out.append(decimal: speedCode)
        out.append(ascii: "\nD")
        out.append(decimal: settings.eplDensity)
        out.append(ASCII.lf)
    }
}
