public import Foundation
internal import GRDB
public import LanyardSupport

/// What one read at the kiosk's scanner was (`ScanClassifier` in the agent decides).
public enum ScanKind: String, Sendable, Codable, CaseIterable {
    /// A ticket of this event whose token verifies (a second scan of a checked-in ticket too).
    case success
    /// Four fields, as a ticket has, but the token does not verify.
    case unverified
    /// A keyboard-layout mismatch: the read verifies once the mismatch is undone.
    case garbled
    /// Nothing a ticket could be read from.
    case unparseable

    public var isFailure: Bool { self != .success }
}

/// One read, as the scan-quality loop counts it.
public struct ScanRecord: Sendable, Equatable {
    public var id: Int64
    public var scannedAt: Date
    public var kind: ScanKind
    /// The printer the read is counted against; nil: unattributed (never moves a tuning).
    public var printerKey: String?
    /// `name@version` of the template that printed the scanned badge, when known.
    public var templateVersion: String?
    public var attendeeID: String?
}

/// Reads by kind over a window.
public struct ScanCounts: Sendable, Equatable, Codable {
    public var success = 0
    public var unverified = 0
    public var garbled = 0
    public var unparseable = 0

    public init() {}

    public var total: Int { success + failures }
    public var failures: Int { unverified + garbled + unparseable }
    /// Failures over all reads; 0 with no reads.
    public var failureRate: Double { total == 0 ? 0 : Double(failures) / Double(total) }

    mutating func add(_ kind: ScanKind, _ count: Int) {
        switch kind {
        case .success: success += count
        case .unverified: unverified += count
        case .garbled: garbled += count
        case .unparseable: unparseable += count
        }
    }
}

/// The counts of one printer and template version (either nil: unattributed, or not known).
public struct ScanGroupCounts: Sendable, Equatable {
    public var printerKey: String?
    public var templateVersion: String?
    public var counts: ScanCounts
}

/// What an adjustment of the scan-quality loop changed.
public enum ScanAdjustmentChange: String, Sendable, Codable, CaseIterable {
    /// The printer's QR module floor went up one dot.
    case qrModule = "qr_module"
    /// The printer's darkness went up one step.
    case darkness
    /// Both were at their limit: nothing changed, the failures stand recorded.
    case none
}

public enum ScanAdjustmentStatus: String, Sendable, Codable, CaseIterable {
    /// Changed the tuning; a technician has not decided yet.
    case pending
    case kept
    case reverted
    /// Nothing more could be changed (`ScanAdjustmentChange.none`); nothing to decide.
    case exhausted
}

/// One decision of the scan-quality loop for a printer, with the figures that led to it.
public struct ScanAdjustment: Sendable, Equatable {
    public var id: Int64
    public var printerKey: String
    public var templateVersion: String?
    public var change: ScanAdjustmentChange
    /// The QR module floor or darkness before and after (`from` nil: no floor was set).
    public var fromValue: Int?
    public var toValue: Int?
    /// The module the active template's QR code got at this printer when the loop decided.
    public var currentModuleDots: Int?
    /// The QR code's error-correction level at the new floor, and the one it was lowered from.
    public var qrLevel: String?
    public var qrDowngradedFrom: String?
    public var scans: Int
    public var failures: Int
    public var windowSeconds: Int
    /// The last read of the window that led to it: the next window counts only later ones.
    public var throughScanID: Int64
    public var status: ScanAdjustmentStatus
    public var reviewedBy: String?
    public var reviewedAt: Date?
    public var recordedAt: Date

    public init(
        id: Int64 = 0, printerKey: String, templateVersion: String?, change: ScanAdjustmentChange, fromValue: Int?, toValue: Int?,
        currentModuleDots: Int?, qrLevel: String? = nil, qrDowngradedFrom: String? = nil, scans: Int, failures: Int,
        windowSeconds: Int, throughScanID: Int64 = 0, status: ScanAdjustmentStatus, reviewedBy: String? = nil, reviewedAt: Date? = nil,
        recordedAt: Date
    ) {
        self.id = id
        self.printerKey = printerKey
        self.templateVersion = templateVersion
        self.change = change
        self.fromValue = fromValue
        self.toValue = toValue
        self.currentModuleDots = currentModuleDots
        self.qrLevel = qrLevel
        self.qrDowngradedFrom = qrDowngradedFrom
        self.scans = scans
        self.failures = failures
        self.windowSeconds = windowSeconds
        self.throughScanID = throughScanID
        self.status = status
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
        self.recordedAt = recordedAt
    }
}

/// A technician's decision on a pending adjustment.
public enum ScanAdjustmentDecision: String, Sendable, Codable, CaseIterable {
    case keep, revert
}

private struct ScanRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "scan_record"

    var id: Int64?
    var scannedAt: Date
    var kind: ScanKind
    var printerKey: String?
    var templateVersion: String?
    var attendeeID: String?

    enum CodingKeys: String, CodingKey {
        case id, scannedAt = "scanned_at", kind, printerKey = "printer_key", templateVersion = "template_version"
        case attendeeID = "attendee_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var record: ScanRecord {
        ScanRecord(
            id: id ?? 0, scannedAt: scannedAt, kind: kind, printerKey: printerKey, templateVersion: templateVersion, attendeeID: attendeeID)
    }
}

private struct AdjustmentRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "scan_adjustment"

    var id: Int64?
    var printerKey: String
    var templateVersion: String?
    var change: ScanAdjustmentChange
    var fromValue: Int?
    var toValue: Int?
    var currentModuleDots: Int?
    var qrLevel: String?
    var qrDowngradedFrom: String?
    var scans: Int
    var failures: Int
    var windowSeconds: Int
    var throughScanID: Int64
    var status: ScanAdjustmentStatus
    var reviewedBy: String?
    var reviewedAt: Date?
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, printerKey = "printer_key", templateVersion = "template_version", change, fromValue = "from_value"
        case toValue = "to_value", currentModuleDots = "current_module_dots", qrLevel = "qr_level"
        case qrDowngradedFrom = "qr_downgraded_from", scans, failures, windowSeconds = "window_seconds", status
        case throughScanID = "through_scan_id"
        case reviewedBy = "reviewed_by", reviewedAt = "reviewed_at", recordedAt = "recorded_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(_ a: ScanAdjustment) {
        (id, printerKey, templateVersion, change, fromValue, toValue) = (
            nil, a.printerKey, a.templateVersion, a.change, a.fromValue, a.toValue
        )
        (currentModuleDots, qrLevel, qrDowngradedFrom, scans, failures) = (
            a.currentModuleDots, a.qrLevel, a.qrDowngradedFrom, a.scans, a.failures
        )
        (windowSeconds, throughScanID, status) = (a.windowSeconds, a.throughScanID, a.status)
        (reviewedBy, reviewedAt, recordedAt) = (a.reviewedBy, a.reviewedAt, a.recordedAt)
    }

    var adjustment: ScanAdjustment {
        ScanAdjustment(
            id: id ?? 0, printerKey: printerKey, templateVersion: templateVersion, change: change, fromValue: fromValue, toValue: toValue,
            currentModuleDots: currentModuleDots, qrLevel: qrLevel, qrDowngradedFrom: qrDowngradedFrom, scans: scans, failures: failures,
            windowSeconds: windowSeconds, throughScanID: throughScanID, status: status, reviewedBy: reviewedBy, reviewedAt: reviewedAt,
            recordedAt: recordedAt)
    }
}

extension LanyardStore {
    /// Reads older than this are deleted as new ones come (the loop's window is at most a day).
    public static let scanRetention: TimeInterval = 24 * 3600
    /// And never more than this many rows, whatever the rate: a flood of reads keeps the newest.
    public static let scanRowLimit: Int64 = 100_000

    /// Records one read and prunes the table in the same transaction: reads older than
    /// `scanRetention`, and any beyond the newest `scanRowLimit`.
    @discardableResult
    public func recordScan(
        kind: ScanKind, printerKey: String?, templateVersion: String?, attendeeID: String?, at date: Date = Date()
    ) throws(StoreError) -> ScanRecord {
        try write { db in
            var row = ScanRow(
                scannedAt: date, kind: kind, printerKey: printerKey.flatMap { $0.isEmpty ? nil : $0 },
                templateVersion: templateVersion.flatMap { $0.isEmpty ? nil : $0 }, attendeeID: attendeeID.flatMap { $0.isEmpty ? nil : $0 }
            )
            try row.insert(db)
            try db.execute(
                sql: "DELETE FROM scan_record WHERE scanned_at < ? OR id <= ?",
                arguments: [StoredDate(date.addingTimeInterval(-Self.scanRetention)), (row.id ?? 0) - Self.scanRowLimit])
            return row.record
        }
    }

    /// How many reads are stored (for the pruning's tests and the operator's curiosity).
    public func scanRecordCount() throws(StoreError) -> Int {
        try read { db in try ScanRow.fetchCount(db) }
    }

    /// The printer and template version (`name@version`) of the attendee's latest printed badge.
    public func latestPrintedBadge(attendeeID: String) throws(StoreError) -> (printerKey: String, templateVersion: String?)? {
        try read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT printer_id, template_version FROM print_job WHERE attendee_id = ? AND state = 'printed' ORDER BY id DESC LIMIT 1",
                arguments: [attendeeID]
            ).map { row -> (printerKey: String, templateVersion: String?) in
                (printerKey: row["printer_id"], templateVersion: row["template_version"])
            }
        }
    }

    /// The latest printed job of a printer: its template version and stored request (an
    /// attendee), what the printer prints now.
    public func latestPrintedJob(printerKey: String) throws(StoreError) -> (templateVersion: String?, payload: Data)? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT template_version, payload FROM print_job WHERE printer_id = ? AND state = 'printed' ORDER BY id DESC LIMIT 1",
                arguments: [printerKey]
            ).map { row -> (templateVersion: String?, payload: Data) in
                (templateVersion: row["template_version"], payload: row["payload"])
            }
        }
    }

    /// Reads of one printer and template version (nil matches reads with none) since `since` and
    /// after the read `afterScanID` (the last one an adjustment counted).
    public func scanCounts(
        printerKey: String, templateVersion: String?, since: Date, afterScanID: Int64 = 0
    ) throws(StoreError) -> ScanCounts {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, COUNT(*) AS n FROM scan_record
                    WHERE printer_key = ? AND template_version IS ? AND scanned_at >= ? AND id > ? GROUP BY kind
                    """,
                arguments: [printerKey, templateVersion, StoredDate(since), afterScanID])
            var counts = ScanCounts()
            for row in rows {
                guard let kind = ScanKind(rawValue: row["kind"]) else { continue }
                counts.add(kind, row["n"])
            }
            return counts
        }
    }

    /// Reads since `since` (and after the read `afterScanID`) by printer and template version,
    /// unattributed ones included.
    public func scanCountsByGroup(since: Date, afterScanID: Int64 = 0) throws(StoreError) -> [ScanGroupCounts] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT printer_key, template_version, kind, COUNT(*) AS n FROM scan_record
                    WHERE scanned_at >= ? AND id > ? GROUP BY printer_key, template_version, kind
                    ORDER BY printer_key, template_version
                    """,
                arguments: [StoredDate(since), afterScanID])
            var groups: [ScanGroupCounts] = []
            for row in rows {
                let printer: String? = row["printer_key"]
                let template: String? = row["template_version"]
                guard let kind = ScanKind(rawValue: row["kind"]) else { continue }
                if groups.last?.printerKey != printer || groups.last?.templateVersion != template || groups.isEmpty {
                    groups.append(ScanGroupCounts(printerKey: printer, templateVersion: template, counts: ScanCounts()))
                }
                groups[groups.count - 1].counts.add(kind, row["n"])
            }
            return groups
        }
    }

    /// The loop's decisions, newest first; for one printer when `printerKey` is given.
    public func scanAdjustments(printerKey: String? = nil, limit: Int = 20) throws(StoreError) -> [ScanAdjustment] {
        try read { db in
            var request = AdjustmentRow.order(Column("id").desc).limit(max(0, limit))
            if let printerKey { request = request.filter(Column("printer_key") == printerKey) }
            return try request.fetchAll(db).map(\.adjustment)
        }
    }

    public func scanAdjustment(id: Int64) throws(StoreError) -> ScanAdjustment? {
        try read { db in try AdjustmentRow.fetchOne(db, key: id)?.adjustment }
    }

    /// Records a decision of the loop, the tuning it makes (if any, with its own `printer.tuning`
    /// entry) and a `scan_quality.adjusted` (or `scan_quality.exhausted`) audit entry, in one
    /// transaction. `tuning` is nil for `.none`.
    @discardableResult
    public func recordScanAdjustment(
        _ adjustment: ScanAdjustment, tuning: PrinterTuning?, details: [String: String]
    ) throws(StoreError) -> ScanAdjustment {
        try write { db in
            if let tuning {
                let previous = try Self.latestTuning(db, printerKey: tuning.printerKey)
                try Self.insertTuning(db, tuning, previous: previous, actor: "system")
            }
            var row = AdjustmentRow(adjustment)
            try row.insert(db)
            var entry = details
            entry["adjustment"] = "\(row.id ?? 0)"
            _ = try Self.audit(
                db, action: adjustment.change == .none ? "scan_quality.exhausted" : "scan_quality.adjusted", actor: "system",
                subject: "printer:\(adjustment.printerKey)", details: entry, now: adjustment.recordedAt)
            return row.adjustment
        }
    }

    /// A technician keeps or reverts a pending adjustment of `printerKey`. Reverting writes a new
    /// tuning with the changed setting (QR module floor or darkness) back at its value before the
    /// adjustment and every other setting as it is now; both are audited
    /// (`scan_quality.kept`, `scan_quality.reverted`). Returns the adjustment as decided and the
    /// tuning a revert wrote.
    public func decideScanAdjustment(
        id: Int64, printerKey: String, decision: ScanAdjustmentDecision, actor: String, at date: Date = Date()
    ) throws(StoreError) -> (ScanAdjustment, PrinterTuning?) {
        try write { db in
            guard var row = try AdjustmentRow.fetchOne(db, key: id), row.printerKey == printerKey else {
                throw StoreError(.notFound, "printer \(printerKey) has no scan-quality adjustment \(id)")
            }
            guard row.status == .pending else {
                throw StoreError(.adjustmentDecided, "adjustment \(id) is \(row.status.rawValue); only a pending one is kept or reverted")
            }
            var restored: PrinterTuning?
            if decision == .revert {
                let current = try Self.latestTuning(db, printerKey: printerKey)
                var tuning =
                    current
                    ?? PrinterTuning(printerKey: printerKey, darkness: nil, speedIPS: nil, reason: nil, recordedAt: date)
                switch row.change {
                case .qrModule: tuning.qrModuleDots = row.fromValue
                case .darkness: tuning.darkness = row.fromValue
                case .none: break
                }
                tuning.reason = "scan quality: adjustment \(id) reverted by \(actor)"
                tuning.recordedAt = date
                try Self.insertTuning(db, tuning, previous: current, actor: actor)
                restored = tuning
            }
            row.status = decision == .keep ? .kept : .reverted
            row.reviewedBy = actor
            row.reviewedAt = date
            try row.update(db)
            var details = ["adjustment": "\(id)", "change": row.change.rawValue]
            details["from"] = row.fromValue.map(String.init)
            details["to"] = row.toValue.map(String.init)
            details["template_version"] = row.templateVersion
            _ = try Self.audit(
                db, action: decision == .keep ? "scan_quality.kept" : "scan_quality.reverted", actor: actor,
                subject: "printer:\(printerKey)", details: details, now: date)
            return (row.adjustment, restored)
        }
    }
}
