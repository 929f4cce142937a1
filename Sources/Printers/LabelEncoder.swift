public import Raster

/// One badge raster turned into a complete job for a printer: the profile's settings (with
/// overrides clamped to its ranges) and the raster, in the language asked for.
public struct EncodedLabel: Sendable, Equatable {
    public var language: PrinterLanguage
    public var bytes: [UInt8]
    public var settings: JobSettings
    /// Overrides that had to be clamped to the printer's ranges.
    public var warnings: [SettingsWarning]

    /// A label as encoded elsewhere (the agent's render child) and read back.
    public init(language: PrinterLanguage, bytes: [UInt8], settings: JobSettings, warnings: [SettingsWarning]) {
        self.language = language
        self.bytes = bytes
        self.settings = settings
        self.warnings = warnings
    }
}

public enum LabelEncoder {
    public static func encode(
        bitmap: Bitmap, profile: PrinterProfile, language: PrinterLanguage? = nil, overrides: JobOverrides = JobOverrides()
    ) throws(PrintersError) -> EncodedLabel {
        guard let language = language ?? profile.rasterLanguage, profile.supports(language) else {
            throw PrintersError(
                code: .languageUnsupported,
                message:
                    "profile \(profile.id) speaks \(profile.languages.map(\.rawValue).joined(separator: ", ")), not \(language?.rawValue ?? "a raster language")",
                field: "languages")
        }
        let resolved = try JobSettings.resolve(
            profile: profile, labelWidthDots: bitmap.width, labelLengthDots: bitmap.height, overrides: overrides)
        let bytes: [UInt8] =
            switch language {
            case .zpl:
                try ZPLEncoder.encode(bitmap: bitmap, settings: resolved.settings, options: ZPLEncoder.Options(profile: profile)).bytes
            case .epl: try EPLEncoder.encode(bitmap: bitmap, settings: resolved.settings, profile: profile).bytes
            }
        return EncodedLabel(language: language, bytes: bytes, settings: resolved.settings, warnings: resolved.warnings)
    }
}
