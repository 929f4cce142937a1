public import Raster

/// The printer settings in force, as the simulator understood them from the commands it
/// received. Starts from the profile's defaults ("factory settings").
public struct SimulatorSettings: Sendable, Equatable, Hashable, Codable {
    /// ZPL `~SD` darkness, 0...30.
    public var darkness: Int
    /// ZPL `^MD` offset, -30...30, added to `darkness`.
    public var darknessOffset: Int
    /// ZPL `^PR` print speed, or the speed of the EPL `S` code, in inches per second.
    public var printSpeedIPS: Double
    /// EPL `D` density, 0...15, for EPL printers.
    public var eplDensity: Int?
    /// EPL `S` code, for EPL printers.
    public var eplSpeedCode: Int?
    /// ZPL `~TA`, -120...120 dot rows.
    public var tearOffAdjustDots: Int
    /// ZPL `^PW` or EPL `q`.
    public var printWidthDots: Int
    /// ZPL `^LL` or EPL `Q`.
    public var labelLengthDots: Int
    /// ZPL `^LH`.
    public var labelHomeX: Int
    public var labelHomeY: Int
    public var mediaTracking: MediaTracking
    public var mediaType: MediaType
    public var printMode: PrintMode
    /// ZPL `^JZ`.
    public var reprintAfterError: Bool

    /// `~SD` plus `^MD`, limited to 0...30, as the printer heats.
    public var effectiveDarkness: Int { min(max(darkness + darknessOffset, 0), 30) }

    /// The profile's defaults: what a printer fresh from the factory would use.
    public init(profile: PrinterProfile, labelLengthDots: Int) {
        darkness = profile.darkness.defaultValue
        darknessOffset = 0
        printSpeedIPS = Double(profile.speed.defaultValue)
        if let codes = profile.eplSpeedCodes, !codes.isEmpty, profile.supports(.epl) {
            let code = EPLEncoder.speedCode(for: profile.speed.defaultValue, codes: codes)
            eplSpeedCode = code.code
        } else {
            eplSpeedCode = nil
        }
        eplDensity = profile.supports(.epl) ? profile.eplDensity?.defaultValue : nil
        tearOffAdjustDots = 0
        printWidthDots = profile.maxPrintWidthDots
        self.labelLengthDots = labelLengthDots
        labelHomeX = 0
        labelHomeY = 0
        mediaTracking = profile.mediaTracking
        mediaType = profile.mediaType
        printMode = profile.printMode
        reprintAfterError = true
    }
}

/// One label the simulator printed.
public struct SimulatedLabel: Sendable, Equatable {
    /// 1 for the first label printed, then 2, 3, ...; also in the PNG's file name.
    public let sequence: Int
    public let language: PrinterLanguage
    public let bitmap: Bitmap
    /// Copies the job asked for (`^PQ`, EPL `P`).
    public let copies: Int
    /// Settings in force when the label's format was complete.
    public let settings: SimulatorSettings
    /// Where the label's PNG was written, when the simulator has an output directory.
    public let pngPath: String?
    /// Connection the label arrived on.
    public let session: Int
    /// Size of the label's format (ZPL `^XA…^XZ`; EPL from `N` to `P`) in bytes.
    public let formatBytes: Int
    /// When the bytes holding the label's last byte were handed to the simulator, before it
    /// decoded them; a label held while out of paper keeps its arrival time. For measuring a
    /// request's way to the printer (`lanyard bench --agent`).
    public let receivedAt: ContinuousClock.Instant
}

/// Everything about the simulator's state at one moment, for tests and the CLI.
public struct SimulatorSnapshot: Sendable, Equatable {
    public let mode: SimulatorMode
    public let settings: SimulatorSettings
    /// What `^JUS` saved (the factory settings until then).
    public let savedSettings: SimulatorSettings
    /// Complete labels waiting for the printer to be ready.
    public let heldLabels: Int
    public let printedLabels: Int
    public let errors: Int
    /// Open connections with a ZPL format begun but not yet closed by `^XZ`.
    public let partialFormats: Int
    /// `~JC` calibrations.
    public let calibrations: Int
    /// `~WC` configuration labels printed.
    public let configurationLabels: Int
    /// `^JUS` saves.
    public let settingsSaves: Int
}

/// What one delivery of bytes to the simulator produced.
public struct SimulatorDelivery: Sendable, Equatable {
    /// Replies to status queries, to send back on the connection.
    public var replies: [UInt8]
    /// How many of the delivered bytes the printer took (fewer when it dropped the connection).
    public var acceptedBytes: Int
    /// The printer closes this connection now (`dropConnection`).
    public var closeConnection: Bool
}
