/// Offset of the label's origin from the printer's, in dots (ZPL `^LH`, EPL `GW` position).
public struct LabelHome: Codable, Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int

    public init(x: Int = 0, y: Int = 0) {
        self.x = x
        self.y = y
    }
}

/// The print settings of one job, already fitted to a printer profile (see `resolve`). Both
/// encoders take the same settings, so a badge prints the same way in either language.
public struct JobSettings: Codable, Sendable, Equatable, Hashable {
    /// Darkness on the ZPL `~SD` scale, 0...30.
    public var darkness: Int
    /// EPL `D` density, 0...15.
    public var eplDensity: Int
    /// Print speed in inches per second.
    public var speedIPS: Int
    public var mediaTracking: MediaTracking
    public var mediaType: MediaType
    public var printMode: PrintMode
    public var copies: Int
    public var labelWidthDots: Int
    public var labelLengthDots: Int
    public var labelHome: LabelHome
    /// ZPL `~TA` rest-position adjustment in dot rows, -120...120.
    public var tearOffAdjustDots: Int
    /// Gap (or black mark) length in dots for EPL `Q`; ignored on continuous media.
    public var gapDots: Int
    /// ZPL `^JZ`. Off by default: after an operator reloads stock, a kiosk must not print a
    /// second copy of a badge that was half printed when the media ran out.
    public var reprintAfterError: Bool

    public init(
        darkness: Int, eplDensity: Int, speedIPS: Int, mediaTracking: MediaTracking, mediaType: MediaType,
        printMode: PrintMode, copies: Int = 1, labelWidthDots: Int, labelLengthDots: Int,
        labelHome: LabelHome = LabelHome(), tearOffAdjustDots: Int = 0,
        gapDots: Int = JobSettings.defaultGapDots, reprintAfterError: Bool = false
    ) {
        self.darkness = darkness
        self.eplDensity = eplDensity
        self.speedIPS = speedIPS
        self.mediaTracking = mediaTracking
        self.mediaType = mediaType
        self.printMode = printMode
        self.copies = copies
        self.labelWidthDots = labelWidthDots
        self.labelLengthDots = labelLengthDots
        self.labelHome = labelHome
        self.tearOffAdjustDots = tearOffAdjustDots
        self.gapDots = gapDots
        self.reprintAfterError = reprintAfterError
    }

    /// The usual gap between die-cut labels (3 mm at 203 dpi), as in Zebra's `Q` examples.
    public static let defaultGapDots = 24
    /// `^PW` needs at least 2 dots; 32000 is ZPL's coordinate ceiling.
    public static let labelWidthLimits = 2...32000
    /// `^LL` accepts up to 32000 dots; EPL's `Q` allows more, but a badge never needs it.
    public static let labelLengthLimits = 1...32000
    public static let tearOffAdjustLimits = -120...120
    /// EPL `Q` gap/mark length range.
    public static let gapLimits = 16...240
    /// `^PQ` allows 99,999,999 labels.
    public static let zplCopiesLimits = 1...99_999_999
    /// EPL `P` allows up to 65534 label sets.
    public static let eplCopiesLimits = 1...65534

    /// Maps ZPL darkness (0...30) to EPL density (0...15) by halving, rounding halves up, so
    /// that a darkness ladder printed in either language heats alike.
    public static func eplDensity(forDarkness darkness: Int) -> Int { (darkness + 1) / 2 }
}

extension JobSettings {
    /// Checks what both encoders need; the encoders call this because `JobSettings` can be built
    /// by hand, bypassing `resolve`.
    func validateCommon(bitmapWidth: Int, bitmapHeight: Int) throws(PrintersError) {
        func invalid(_ field: String, _ message: String) -> PrintersError {
            PrintersError(code: .settingsInvalid, message: message, field: field)
        }
        guard Self.labelWidthLimits.contains(labelWidthDots) else {
            throw invalid("labelWidthDots", "\(labelWidthDots) is outside 2...32000")
        }
        guard Self.labelLengthLimits.contains(labelLengthDots) else {
            throw invalid("labelLengthDots", "\(labelLengthDots) is outside 1...32000")
        }
        guard labelHome.x >= 0, labelHome.y >= 0, labelHome.x <= 32000, labelHome.y <= 32000 else {
            throw invalid("labelHome", "(\(labelHome.x), \(labelHome.y)) is outside 0...32000")
        }
        guard bitmapWidth >= 1, bitmapHeight >= 1 else {
            throw invalid("bitmap", "the raster is empty (\(bitmapWidth) x \(bitmapHeight) dots)")
        }
        guard bitmapWidth <= labelWidthDots, bitmapHeight <= labelLengthDots else {
            throw invalid(
                "bitmap",
                "the \(bitmapWidth) x \(bitmapHeight) raster does not fit the \(labelWidthDots) x \(labelLengthDots) label"
            )
        }
        guard PrinterProfile.speedLimitsIPS.contains(speedIPS) else {
            throw invalid("speedIPS", "\(speedIPS) ips is outside 1...14")
        }
    }
}
