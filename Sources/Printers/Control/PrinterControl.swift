/// Bytes that change a printer's state rather than print a badge: the technician's tools.
public struct ControlCommand: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        case applySettings = "apply_settings"
        case saveSettings = "save_settings"
        case calibrateMedia = "calibrate_media"
        case printConfiguration = "print_configuration"
    }

    public var action: Action
    public var language: PrinterLanguage
    public var bytes: [UInt8]
    /// For `applySettings`: the settings as sent, after fitting them to the profile.
    public var settings: JobSettings?
    /// Values that were clamped to the profile's ranges.
    public var warnings: [SettingsWarning]

    public init(action: Action, language: PrinterLanguage, bytes: [UInt8], settings: JobSettings? = nil, warnings: [SettingsWarning] = []) {
        self.action = action
        self.language = language
        self.bytes = bytes
        self.settings = settings
        self.warnings = warnings
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Builds control commands per language. Settings go through `JobSettings.resolve`, so darkness,
/// EPL density, speed, tear-off adjustment and gap outside the model's ranges are clamped with a
/// `SettingsWarning` each, and a width beyond the head is refused, exactly as for print jobs.
public enum PrinterControl {
    /// Sets darkness, speed, media tracking and type, print mode, tear-off, width and length
    /// from a profile's defaults and `overrides`, without saving them (see `saveSettings`).
    /// The width defaults to the head width; the length is the stock's label length.
    public static func applySettings(
        profile: PrinterProfile, language: PrinterLanguage? = nil, labelWidthDots: Int? = nil, labelLengthDots: Int,
        overrides: JobOverrides = JobOverrides()
    ) throws(PrintersError) -> ControlCommand {
        let language = try checkedLanguage(language, profile: profile)
        let resolved = try JobSettings.resolve(
            profile: profile, labelWidthDots: labelWidthDots ?? profile.maxPrintWidthDots,
            labelLengthDots: labelLengthDots, overrides: overrides)
        return try command(for: resolved, language: language, profile: profile)
    }

    /// Sends `settings` (e.g. those of the last job) as a setup command, after fitting them to
    /// `profile`: a value outside the model's range is clamped with a warning.
    public static func applySettings(
        _ settings: JobSettings, profile: PrinterProfile, language: PrinterLanguage? = nil
    ) throws(PrintersError) -> ControlCommand {
        let language = try checkedLanguage(language, profile: profile)
        let overrides = JobOverrides(
            darkness: settings.darkness, eplDensity: settings.eplDensity, speedIPS: settings.speedIPS,
            mediaTracking: settings.mediaTracking, mediaType: settings.mediaType, printMode: settings.printMode,
            labelHome: settings.labelHome, tearOffAdjustDots: settings.tearOffAdjustDots, gapDots: settings.gapDots,
            reprintAfterError: settings.reprintAfterError)
        let resolved = try JobSettings.resolve(
            profile: profile, labelWidthDots: settings.labelWidthDots, labelLengthDots: settings.labelLengthDots,
            overrides: overrides)
        return try command(for: resolved, language: language, profile: profile)
    }

    /// ZPL `^XA^JUS^XZ`: makes the current settings the power-on settings. Kept separate from
    /// `applySettings` so flash is written once, when a technician commits a profile, not per
    /// badge. EPL2 has no such command (the reference lists none, and does not say which EPL
    /// settings survive a power cycle), so asking for one is an error rather than a silent no-op.
    public static func saveSettings(language: PrinterLanguage) throws(PrintersError) -> ControlCommand {
        switch language {
        case .zpl:
            return ControlCommand(action: .saveSettings, language: .zpl, bytes: Array("^XA^JUS^XZ\n".utf8))
        case .epl:
            throw PrintersError(
                code: .languageUnsupported,
                message: "EPL2 has no command to save settings (ZPL uses ^JUS); EPL settings are sent with every job instead",
                field: "language")
        }
    }

    /// ZPL `~JC`: measures the label length and re-tunes the media and ribbon sensors (on
    /// continuous media only the sensors). EPL `xa` (AutoSense): measures label and gap length,
    /// gap/notch media only, so black-mark and continuous stock are refused for EPL. Send
    /// `applySettings` first so the printer senses the right media type.
    public static func calibrateMedia(
        language: PrinterLanguage, mediaTracking: MediaTracking = .gap
    ) throws(PrintersError) -> ControlCommand {
        switch language {
        case .zpl:
            return ControlCommand(action: .calibrateMedia, language: .zpl, bytes: Array("~JC\n".utf8))
        case .epl:
            guard mediaTracking == .gap else {
                throw PrintersError(
                    code: .settingsInvalid,
                    message:
                        "EPL AutoSense (xa) measures gap/notch media only, not \(mediaTracking.rawValue) stock; set the length with Q instead",
                    field: "mediaTracking")
            }
            return ControlCommand(action: .calibrateMedia, language: .epl, bytes: Array("\nxa\n".utf8))
        }
    }

    /// ZPL `~WC`: prints a configuration label (only while the printer is idle). EPL `U`: prints
    /// the configuration; this command is not in the project's reference (which documents only
    /// `UQ`, the dump to the host) and is unverified.
    public static func printConfigurationLabel(language: PrinterLanguage) -> ControlCommand {
        switch language {
        case .zpl: ControlCommand(action: .printConfiguration, language: .zpl, bytes: Array("~WC\n".utf8))
        case .epl: ControlCommand(action: .printConfiguration, language: .epl, bytes: Array("\nU\n".utf8))
        }
    }

    private static func checkedLanguage(_ language: PrinterLanguage?, profile: PrinterProfile) throws(PrintersError) -> PrinterLanguage {
        guard let language = language ?? profile.rasterLanguage, profile.supports(language) else {
            throw PrintersError(
                code: .languageUnsupported,
                message:
                    "profile \(profile.id) speaks \(profile.languages.map(\.rawValue).joined(separator: ", ")), not \(language?.rawValue ?? "any language")",
                field: "languages")
        }
        return language
    }

    private static func command(
        for resolved: ResolvedSettings, language: PrinterLanguage, profile: PrinterProfile
    ) throws(PrintersError) -> ControlCommand {
        let settings = resolved.settings
        var out: [UInt8] = []
        switch language {
        case .zpl:
            ZPLSetup.appendSettings(settings, into: &out)
        case .epl:
            guard let codes = profile.eplSpeedCodes, !codes.isEmpty else {
                throw PrintersError(
                    code: .languageUnsupported, message: "profile \(profile.id) has no EPL speed codes", field: "epl_speed_codes")
            }
            EPLSetup.appendSettings(settings, speedCode: EPLEncoder.speedCode(for: settings.speedIPS, codes: codes).code, into: &out)
        }
        return ControlCommand(
            action: .applySettings, language: language, bytes: out, settings: settings, warnings: resolved.warnings)
    }
}
