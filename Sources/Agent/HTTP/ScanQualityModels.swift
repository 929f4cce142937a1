import LanyardSupport
import Store

/// `POST /v1/scans`: what the read was (`success`, `unverified`, `garbled`, `unparseable`).
public struct ScanResultView: Codable, Sendable, Equatable {
    public var result: String
}

/// `POST /v1/printers/{id}/scan-quality/adjustments/{adjustment}`.
public struct ScanAdjustmentDecisionRequest: Codable, Sendable, Equatable {
    public var decision: String
}

public struct ScanCountsView: Codable, Sendable, Equatable {
    public var success: Int
    public var unverified: Int
    public var garbled: Int
    public var unparseable: Int
    public var total: Int
    public var failures: Int
    /// Failures over reads, 0 to 1.
    public var failureRate: Double

    enum CodingKeys: String, CodingKey {
        case success, unverified, garbled, unparseable, total, failures
        case failureRate = "failure_rate"
    }

    init(_ counts: ScanCounts) {
        (success, unverified, garbled, unparseable) = (counts.success, counts.unverified, counts.garbled, counts.unparseable)
        (total, failures, failureRate) = (counts.total, counts.failures, counts.failureRate)
    }
}

public struct ScanTemplateView: Codable, Sendable, Equatable {
    public var templateVersion: String?
    public var counts: ScanCountsView

    enum CodingKeys: String, CodingKey {
        case counts
        case templateVersion = "template_version"
    }
}

public struct ScanAdjustmentView: Codable, Sendable, Equatable {
    public var id: Int64
    public var printer: String
    public var templateVersion: String?
    /// `qr_module`, `darkness` or `none`.
    public var change: String
    public var from: Int?
    public var to: Int?
    public var moduleDots: Int?
    public var qrLevel: String?
    public var qrDowngradedFrom: String?
    public var scans: Int
    public var failures: Int
    public var failureRate: Double
    public var windowSeconds: Int
    /// `pending`, `kept`, `reverted` or `exhausted`.
    public var status: String
    public var reviewedBy: String?
    public var reviewedAt: String?
    public var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case id, printer, change, from, to, scans, failures, status
        case templateVersion = "template_version", moduleDots = "module_dots", qrLevel = "qr_level"
        case qrDowngradedFrom = "qr_downgraded_from", failureRate = "failure_rate", windowSeconds = "window_seconds"
        case reviewedBy = "reviewed_by", reviewedAt = "reviewed_at", recordedAt = "recorded_at"
    }

    init(_ adjustment: ScanAdjustment) {
        id = adjustment.id
        printer = adjustment.printerKey
        templateVersion = adjustment.templateVersion
        change = adjustment.change.rawValue
        from = adjustment.fromValue
        to = adjustment.toValue
        moduleDots = adjustment.currentModuleDots
        qrLevel = adjustment.qrLevel
        qrDowngradedFrom = adjustment.qrDowngradedFrom
        scans = adjustment.scans
        failures = adjustment.failures
        failureRate = adjustment.scans == 0 ? 0 : Double(adjustment.failures) / Double(adjustment.scans)
        windowSeconds = adjustment.windowSeconds
        status = adjustment.status.rawValue
        reviewedBy = adjustment.reviewedBy
        reviewedAt = adjustment.reviewedAt.map(Timestamps.iso8601)
        recordedAt = Timestamps.iso8601(adjustment.recordedAt)
    }
}

public struct ScanPrinterView: Codable, Sendable, Equatable {
    public var printer: String
    /// The window's start: the configured window back from now, or the printer's last adjustment
    /// (or decision on it) when that is later.
    public var windowStartedAt: String
    public var counts: ScanCountsView
    public var templates: [ScanTemplateView]
    /// Adjustments a technician has not kept or reverted yet.
    public var pending: [ScanAdjustmentView]
    /// The latest adjustments, newest first.
    public var adjustments: [ScanAdjustmentView]
    public var tuning: TuningView?

    enum CodingKeys: String, CodingKey {
        case printer, counts, templates, pending, adjustments, tuning
        case windowStartedAt = "window_started_at"
    }
}

/// `GET /v1/operator/scan-quality`, `GET /v1/printers/{id}/scan-quality`.
public struct ScanQualityView: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var windowSeconds: Int
    public var minimumScans: Int
    public var failureThreshold: Double
    public var printers: [ScanPrinterView]
    /// Reads tied to no printer in the window.
    public var unattributed: ScanCountsView

    enum CodingKeys: String, CodingKey {
        case enabled, printers, unattributed
        case windowSeconds = "window_seconds", minimumScans = "minimum_scans", failureThreshold = "failure_threshold"
    }
}

public struct ScanAdjustmentDecisionView: Codable, Sendable, Equatable {
    public var adjustment: ScanAdjustmentView
    /// The tuning a revert wrote.
    public var tuning: TuningView?
}
