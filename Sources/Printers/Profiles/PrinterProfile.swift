import YAMLReading

/// Everything the encoders need to know about one printer model at one resolution, loaded from a
/// YAML file in `firmware-profiles/` whose file stem is the profile's `id`.
public struct PrinterProfile: Codable, Sendable, Equatable, Hashable {
    /// File stem, e.g. `zebra-zd421d-203`.
    public var id: String
    public var manufacturer: String
    public var model: String
    /// Languages the firmware accepts; the first one is preferred.
    public var languages: [PrinterLanguage]
    /// 203, 300 or 600.
    public var dpi: Int
    /// Printable width of the head in dots.
    public var maxPrintWidthDots: Int
    /// Print speed in inches per second.
    public var speed: SettingRange
    /// Darkness on the ZPL `~SD` scale (0...30).
    public var darkness: SettingRange
    /// EPL `D` density (0...15); present exactly when the model speaks EPL.
    public var eplDensity: SettingRange?
    /// EPL `S` codes and the speed in ips each one means; the map is model specific.
    public var eplSpeedCodes: [Int: Double]?
    public var mediaType: MediaType
    /// Media sensing used when a job does not say otherwise.
    public var mediaTracking: MediaTracking
    public var printMode: PrintMode
    public var usb: USBIdentity?
    public var quirks: [PrinterQuirk]
    /// Provenance of the values, including which ones are unverified.
    public var notes: String?

    public init(
        id: String, manufacturer: String, model: String, languages: [PrinterLanguage], dpi: Int,
        maxPrintWidthDots: Int, speed: SettingRange, darkness: SettingRange, eplDensity: SettingRange? = nil,
        eplSpeedCodes: [Int: Double]? = nil, mediaType: MediaType, mediaTracking: MediaTracking,
        printMode: PrintMode, usb: USBIdentity? = nil, quirks: [PrinterQuirk] = [], notes: String? = nil
    ) {
        self.id = id
        self.manufacturer = manufacturer
        self.model = model
        self.languages = languages
        self.dpi = dpi
        self.maxPrintWidthDots = maxPrintWidthDots
        self.speed = speed
        self.darkness = darkness
        self.eplDensity = eplDensity
        self.eplSpeedCodes = eplSpeedCodes
        self.mediaType = mediaType
        self.mediaTracking = mediaTracking
        self.printMode = printMode
        self.usb = usb
        self.quirks = quirks
        self.notes = notes
    }

    public func has(_ quirk: PrinterQuirk) -> Bool { quirks.contains(quirk) }

    public func supports(_ language: PrinterLanguage) -> Bool { languages.contains(language) }

    /// The language raster jobs should be sent in: the preferred one, unless the model's ZPL
    /// graphics are known to be unreliable and it also speaks EPL.
    public var rasterLanguage: PrinterLanguage? {
        if has(.eplOnlyGraphics), supports(.epl) { return .epl }
        return languages.first
    }

    /// Profile files use snake_case keys like every other YAML file of the project; JSON output
    /// (`lanyard profiles show`) uses the same names so both read alike.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, manufacturer, model, languages, dpi
        case maxPrintWidthDots = "max_print_width_dots"
        case speed, darkness
        case eplDensity = "epl_density"
        case eplSpeedCodes = "epl_speed_codes"
        case mediaType = "media_type"
        case mediaTracking = "media_tracking"
        case printMode = "print_mode"
        case usb, quirks, notes
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        manufacturer = try container.decode(String.self, forKey: .manufacturer)
        model = try container.decode(String.self, forKey: .model)
        languages = try container.decode([PrinterLanguage].self, forKey: .languages)
        dpi = try container.decode(Int.self, forKey: .dpi)
        maxPrintWidthDots = try container.decode(Int.self, forKey: .maxPrintWidthDots)
        speed = try container.decode(SettingRange.self, forKey: .speed)
        darkness = try container.decode(SettingRange.self, forKey: .darkness)
        eplDensity = try container.decodeIfPresent(SettingRange.self, forKey: .eplDensity)
        eplSpeedCodes = try container.decodeIfPresent([Int: Double].self, forKey: .eplSpeedCodes)
        mediaType = try container.decode(MediaType.self, forKey: .mediaType)
        mediaTracking = try container.decode(MediaTracking.self, forKey: .mediaTracking)
        printMode = try container.decode(PrintMode.self, forKey: .printMode)
        usb = try container.decodeIfPresent(USBIdentity.self, forKey: .usb)
        quirks = try container.decodeIfPresent([PrinterQuirk].self, forKey: .quirks) ?? []
        notes = try container.decodeIfPresent(String.self, forKey: .notes)
    }
}
