public import Foundation
internal import GRDB
public import LanyardSupport

/// A technician's override of a printer's darkness, speed and QR module floor, kept per physical printer (its USB
/// serial number, or its network address) so a swapped printer does not inherit another's
/// tuning. Each change is a new row: the latest is the one in force, the rest are its history.
public struct PrinterTuning: Sendable, Equatable, Codable {
    /// USB serial number, or the address (`tcp://host:port`) of a network printer.
    public var printerKey: String
    /// The profile the printer was matched to when tuned, for the record.
    public var profileID: String?
    /// Absolute darkness (ZPL `~SD` scale, 0–30) in force after this change.
    public var darkness: Int?
    /// Print speed in inches per second in force after this change.
    public var speedIPS: Int?
    /// The smallest QR module in dots this printer's badges get (`RenderOptions`), raised by the
    /// scan-quality loop; nil: the template's own.
    public var qrModuleDots: Int?
    /// Why: "faded QR on glossy stock", "new ribbon".
    public var reason: String?
    public var recordedAt: Date

    public init(
        printerKey: String, profileID: String? = nil, darkness: Int?, speedIPS: Int?, qrModuleDots: Int? = nil, reason: String?,
        recordedAt: Date
    ) {
        self.printerKey = printerKey
        self.profileID = profileID
        self.darkness = darkness
        self.speedIPS = speedIPS
        self.qrModuleDots = qrModuleDots
        self.reason = reason
        self.recordedAt = recordedAt
    }
}

/// The table row; GRDB stays an implementation detail of this module.
private struct TuningRow: Codable, FetchableRecord, PersistableRecord, StoredDateRecord {
    static let databaseTableName = "printer_tuning"

    var printerKey: String
    var profileID: String?
    var darkness: Int?
    var speedIPS: Int?
    var qrModuleDots: Int?
    var reason: String?
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case printerKey = "printer_key", profileID = "profile_id", darkness, speedIPS = "speed_ips", reason
        case recordedAt = "recorded_at", qrModuleDots = "qr_module_dots"
    }

    init(_ tuning: PrinterTuning) {
        (printerKey, profileID, darkness, speedIPS, qrModuleDots, reason, recordedAt) =
            (tuning.printerKey, tuning.profileID, tuning.darkness, tuning.speedIPS, tuning.qrModuleDots, tuning.reason, tuning.recordedAt)
    }

    var tuning: PrinterTuning {
        PrinterTuning(
            printerKey: printerKey, profileID: profileID, darkness: darkness, speedIPS: speedIPS, qrModuleDots: qrModuleDots,
            reason: reason, recordedAt: recordedAt)
    }
}

extension LanyardStore {
    /// Records a tuning change, and a `printer.tuning` audit entry (before and after values) in
    /// the same transaction. Values not given keep what the last change set, so
    /// `tune --speed 4` after `tune --darkness 22` leaves darkness at 22. Returns what is now in force.
    @discardableResult
    public func recordTuning(
        printerKey: String, profileID: String?, darkness: Int?, speedIPS: Int?, qrModuleDots: Int? = nil, reason: String?,
        actor: String = "technician", at date: Date = Date()
    ) throws(StoreError) -> PrinterTuning {
        guard !printerKey.isEmpty else { throw StoreError(.invalidValue, "a tuning needs the printer's serial number or address") }
        guard darkness != nil || speedIPS != nil || qrModuleDots != nil else {
            throw StoreError(.invalidValue, "a tuning changes the darkness, the speed, the QR module floor or several")
        }
        return try write { db in
            let previous = try Self.latestTuning(db, printerKey: printerKey)
            let tuning = PrinterTuning(
                printerKey: printerKey, profileID: profileID ?? previous?.profileID,
                darkness: darkness ?? previous?.darkness, speedIPS: speedIPS ?? previous?.speedIPS,
                qrModuleDots: qrModuleDots ?? previous?.qrModuleDots, reason: reason, recordedAt: date)
            try Self.insertTuning(db, tuning, previous: previous, actor: actor)
            return tuning
        }
    }

    /// Inside a caller's transaction: the new row and its `printer.tuning` audit entry.
    static func insertTuning(_ db: Database, _ tuning: PrinterTuning, previous: PrinterTuning?, actor: String) throws {
        try TuningRow(tuning).insert(db)
        var details: [String: String] = [:]
        details["profile_id"] = tuning.profileID
        details["darkness"] = tuning.darkness.map(String.init)
        details["speed_ips"] = tuning.speedIPS.map(String.init)
        details["qr_module_dots"] = tuning.qrModuleDots.map(String.init)
        details["previous_darkness"] = previous?.darkness.map(String.init)
        details["previous_speed_ips"] = previous?.speedIPS.map(String.init)
        details["previous_qr_module_dots"] = previous?.qrModuleDots.map(String.init)
        details["reason"] = tuning.reason
        _ = try audit(
            db, action: "printer.tuning", actor: actor, subject: "printer:\(tuning.printerKey)", details: details, now: tuning.recordedAt)
    }

    /// The override in force for a printer, if a technician ever tuned it.
    public func currentTuning(printerKey: String) throws(StoreError) -> PrinterTuning? {
        try read { db in try Self.latestTuning(db, printerKey: printerKey) }
    }

    /// Every change for a printer, oldest first.
    public func tuningHistory(printerKey: String) throws(StoreError) -> [PrinterTuning] {
        try read { db in
            try TuningRow.filter(Column("printer_key") == printerKey).order(Column("id")).fetchAll(db).map(\.tuning)
        }
    }

    static func latestTuning(_ db: Database, printerKey: String) throws -> PrinterTuning? {
        try TuningRow.filter(Column("printer_key") == printerKey).order(Column("id").desc).fetchOne(db)?.tuning
    }
}
