/// A request to deviate from a profile's defaults for one job; nil keeps the default.
public struct JobOverrides: Codable, Sendable, Equatable, Hashable {
    public var darkness: Int?
    public var eplDensity: Int?
    public var speedIPS: Int?
    public var mediaTracking: MediaTracking?
    public var mediaType: MediaType?
    public var printMode: PrintMode?
    public var copies: Int?
    public var labelHome: LabelHome?
    public var tearOffAdjustDots: Int?
    public var gapDots: Int?
    public var reprintAfterError: Bool?

    public init(
        darkness: Int? = nil, eplDensity: Int? = nil, speedIPS: Int? = nil, mediaTracking: MediaTracking? = nil,
        mediaType: MediaType? = nil, printMode: PrintMode? = nil, copies: Int? = nil, labelHome: LabelHome? = nil,
        tearOffAdjustDots: Int? = nil, gapDots: Int? = nil, reprintAfterError: Bool? = nil
    ) {
        self.darkness = darkness
        self.eplDensity = eplDensity
        self.speedIPS = speedIPS
        self.mediaTracking = mediaTracking
        self.mediaType = mediaType
        self.printMode = printMode
        self.copies = copies
        self.labelHome = labelHome
        self.tearOffAdjustDots = tearOffAdjustDots
        self.gapDots = gapDots
        self.reprintAfterError = reprintAfterError
    }
}

/// A requested value that was changed to fit the printer; the job still prints.
public struct SettingsWarning: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case clamped = "printers.setting_clamped"
    }

    public let code: Code
    /// The setting, e.g. `speedIPS`.
    public let field: String
    public let requested: Int
    public let applied: Int
    public let message: String

    public var description: String { "\(code.rawValue): \(field): \(message)" }
}

/// Settings fitted to a profile and what had to change to get there.
public struct ResolvedSettings: Sendable, Equatable {
    public let settings: JobSettings
    public let warnings: [SettingsWarning]
}

extension JobSettings {
    /// Fits a job to `profile`: profile defaults where nothing is overridden, out-of-range
    /// darkness, density, speed, tear-off adjustment and gap clamped with a warning each. A
    /// raster wider than the head, or a label length, copy count or home the printer cannot
    /// honour, is an error: clamping those would silently cut off part of the badge.
    public static func resolve(
        profile: PrinterProfile, labelWidthDots: Int, labelLengthDots: Int, overrides: JobOverrides = JobOverrides()
    ) throws(PrintersError) -> ResolvedSettings {
        var warnings: [SettingsWarning] = []
        func clamp(_ value: Int, to limits: ClosedRange<Int>, field: String, why: String) -> Int {
            let applied = Swift.min(Swift.max(value, limits.lowerBound), limits.upperBound)
            if applied != value {
                warnings.append(
                    SettingsWarning(
                        code: .clamped, field: field, requested: value, applied: applied,
                        message: "\(value) is outside \(limits.lowerBound)...\(limits.upperBound) \(why); using \(applied)"
                    ))
            }
            return applied
        }
        func limits(_ range: SettingRange, within outer: ClosedRange<Int>) -> ClosedRange<Int> {
            let low = Swift.max(range.min, outer.lowerBound)
            let high = Swift.max(low, Swift.min(range.max, outer.upperBound))
            return low...high
        }

        let home = overrides.labelHome ?? LabelHome()
        guard labelWidthLimits.contains(labelWidthDots) else {
            throw PrintersError(code: .settingsInvalid, message: "\(labelWidthDots) is outside 2...32000", field: "labelWidthDots")
        }
        guard labelLengthLimits.contains(labelLengthDots) else {
            throw PrintersError(code: .settingsInvalid, message: "\(labelLengthDots) is outside 1...32000", field: "labelLengthDots")
        }
        guard home.x >= 0, home.y >= 0, home.x <= 32000, home.y <= 32000 else {
            throw PrintersError(code: .settingsInvalid, message: "(\(home.x), \(home.y)) must be 0...32000", field: "labelHome")
        }
        guard home.x + labelWidthDots <= profile.maxPrintWidthDots else {
            let shift = home.x > 0 ? " shifted by \(home.x) dots" : ""
            throw PrintersError(
                code: .rasterTooWide,
                message: "a \(labelWidthDots)-dot raster\(shift) is wider than the \(profile.maxPrintWidthDots)-dot head of \(profile.id)",
                field: "labelWidthDots"
            )
        }

        let darknessRange = limits(profile.darkness, within: PrinterProfile.zplDarknessLimits)
        let darkness =
            overrides.darkness.map {
                clamp($0, to: darknessRange, field: "darkness", why: "for \(profile.id)")
            } ?? darknessRange.clamp(profile.darkness.defaultValue)

        let densityRange =
            profile.eplDensity.map { limits($0, within: PrinterProfile.eplDensityLimits) }
            ?? PrinterProfile.eplDensityLimits
        let eplDensity: Int
        if let requested = overrides.eplDensity {
            eplDensity = clamp(requested, to: densityRange, field: "eplDensity", why: "for \(profile.id)")
        } else if overrides.darkness != nil || profile.eplDensity == nil {
            eplDensity = clamp(
                JobSettings.eplDensity(forDarkness: darkness), to: densityRange, field: "eplDensity",
                why: "(derived from darkness \(darkness)) for \(profile.id)"
            )
        } else {
            eplDensity = densityRange.clamp(profile.eplDensity?.defaultValue ?? 0)
        }

        let speedRange = limits(profile.speed, within: PrinterProfile.speedLimitsIPS)
        let speed =
            overrides.speedIPS.map {
                clamp($0, to: speedRange, field: "speedIPS", why: "ips for \(profile.id)")
            } ?? speedRange.clamp(profile.speed.defaultValue)

        let tearOff = clamp(
            overrides.tearOffAdjustDots ?? 0, to: tearOffAdjustLimits, field: "tearOffAdjustDots", why: "dot rows"
        )
        let gap = clamp(overrides.gapDots ?? defaultGapDots, to: gapLimits, field: "gapDots", why: "dots")

        let copies = overrides.copies ?? 1
        guard zplCopiesLimits.contains(copies) else {
            throw PrintersError(code: .settingsInvalid, message: "\(copies) is outside 1...99999999", field: "copies")
        }

        let settings = JobSettings(
            darkness: darkness, eplDensity: eplDensity, speedIPS: speed,
            mediaTracking: overrides.mediaTracking ?? profile.mediaTracking,
            mediaType: overrides.mediaType ?? profile.mediaType,
            printMode: overrides.printMode ?? profile.printMode,
            copies: copies, labelWidthDots: labelWidthDots, labelLengthDots: labelLengthDots, labelHome: home,
            tearOffAdjustDots: tearOff, gapDots: gap, reprintAfterError: overrides.reprintAfterError ?? false
        )
        return ResolvedSettings(settings: settings, warnings: warnings)
    }
}
