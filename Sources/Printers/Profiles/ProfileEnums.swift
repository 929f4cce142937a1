/// A closed set of string values in a profile file. Decoding an unknown value fails with a
/// message listing the accepted ones, so a typo in a profile names its own fix.
public protocol ProfileVocabulary: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ProfileVocabulary {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let accepted = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown value \"\(text)\"; expected one of: \(accepted)"
            )
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Printer command languages the encoders produce.
public enum PrinterLanguage: String, ProfileVocabulary {
    case zpl
    case epl
}

/// Heat method: direct thermal stock darkens itself, thermal transfer melts ribbon ink.
public enum MediaType: String, ProfileVocabulary {
    case directThermal = "direct_thermal"
    case thermalTransfer = "thermal_transfer"
}

/// How the printer finds the start of each label.
public enum MediaTracking: String, ProfileVocabulary {
    /// Gap or notch between die-cut labels (web sensing).
    case gap
    /// Black mark printed on the back of the stock.
    case mark
    /// Continuous stock: the label length comes from the job.
    case continuous
}

/// What the printer does with a label after printing it.
public enum PrintMode: String, ProfileVocabulary {
    case tearOff = "tear_off"
    case peel
    case cutter
    case rewind
}

/// Known deviations of a model or firmware from what the encoders assume. Unknown names are
/// rejected when a profile is loaded, so a quirk can never be silently ignored.
public enum PrinterQuirk: String, ProfileVocabulary {
    /// The firmware (typically a ZPL emulation) does not decode `:Z64:` graphics; the ZPL encoder
    /// sends ZPL ASCII compression only.
    case noZ64 = "no-z64"
    /// The firmware does not understand ZPL ASCII compression (`G`–`z`, `,`, `!`, `:`); the ZPL
    /// encoder sends Z64, or plain hex when Z64 is also unavailable.
    case noASCIICompression = "no-acs"
    /// ZPL is accepted but its graphics are unreliable; raster jobs go out as EPL `GW`.
    case eplOnlyGraphics = "epl-only-graphics"
    /// The printer does not answer `~HQES`; status polling must rely on `~HS` alone.
    case noExtendedStatus = "no-hqes"
    /// The printer does not implement Set/Get/Do (`! U1 …`) commands.
    case noSGD = "no-sgd"
}
