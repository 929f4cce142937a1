import LanyardSupport
public import Printers
public import Store

/// What the technician page shows of one printer: its queue's state, the profile its bytes
/// follow, what the printer says it is, and the tuning in force.
public struct PrinterDetailView: Codable, Sendable, Equatable {
    public struct Profile: Codable, Sendable, Equatable {
        public var id: String
        public var model: String
        public var dpi: Int
        public var language: String
        public var darkness: SettingRangeView
        public var speedIPS: SettingRangeView

        enum CodingKeys: String, CodingKey {
            case id, model, dpi, language, darkness
            case speedIPS = "speed_ips"
        }
    }

    public struct SettingRangeView: Codable, Sendable, Equatable {
        public var min: Int
        public var max: Int
        public var defaultValue: Int

        enum CodingKeys: String, CodingKey {
            case min, max
            case defaultValue = "default"
        }
    }

    public var printer: PrinterView
    public var profile: Profile
    /// The printer's `~HI` answer; absent when it does not answer (EPL, a device file, offline).
    public var identification: PrinterIdentification?
    public var tuning: TuningView?
    public var simulated: Bool
}

/// One tuning change, or the tuning in force.
public struct TuningView: Codable, Sendable, Equatable {
    public var darkness: Int?
    public var speedIPS: Int?
    /// The QR module floor in dots (the scan-quality loop's), if one is set.
    public var qrModuleDots: Int?
    public var reason: String?
    public var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case darkness, reason
        case speedIPS = "speed_ips"
        case qrModuleDots = "qr_module_dots"
        case recordedAt = "recorded_at"
    }

    public init(_ tuning: PrinterTuning) {
        darkness = tuning.darkness
        speedIPS = tuning.speedIPS
        qrModuleDots = tuning.qrModuleDots
        reason = tuning.reason
        recordedAt = Timestamps.iso8601(tuning.recordedAt)
    }
}

public struct TuningHistoryView: Codable, Sendable, Equatable {
    public var current: TuningView?
    /// Newest first.
    public var history: [TuningView]
}

/// A new tuning: explicit values, or the QR payload of the ladder cell the technician scanned.
public struct TuningRequest: Codable, Sendable, Equatable {
    public var darkness: Int?
    public var speedIPS: Int?
    public var ladderCode: String?
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case darkness, reason
        case speedIPS = "speed_ips"
        case ladderCode = "ladder_code"
    }
}

public struct TuningChangeView: Codable, Sendable, Equatable {
    public var tuning: TuningView
    /// Sent to the printer now; otherwise it applies from the next badge (every badge carries its
    /// darkness and speed).
    public var applied: Bool
    public var warnings: [String]
}

/// Work for the printer: `action` is one of the `PrinterTaskRequest.Action` names; a ladder may
/// name its steps (the profile's range otherwise).
public struct PrinterTaskRequest: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        case testBadge = "test_badge"
        case configurationLabel = "configuration_label"
        case calibrateMedia = "calibrate_media"
        case ladder
    }

    public var action: Action
    public var darkness: [Int]?
    public var speedIPS: [Int]?

    enum CodingKeys: String, CodingKey {
        case action, darkness
        case speedIPS = "speed_ips"
    }
}

public struct PrinterTaskView: Codable, Sendable, Equatable {
    public var result: PrinterTaskResult
    /// The ladder's cells in print order, each with the payload its QR code carries.
    public var cells: [LadderCellView]?
}

public struct LadderCellView: Codable, Sendable, Equatable {
    public var darkness: Int
    public var speedIPS: Int
    public var payload: String

    enum CodingKeys: String, CodingKey {
        case darkness, payload
        case speedIPS = "speed_ips"
    }
}

/// The scanner self-test's code: what a correct read gives, and the QR code to scan from the
/// screen (a PNG data URL).
public struct ScannerTestCodeView: Codable, Sendable, Equatable {
    public var payload: String
    public var image: String
}
