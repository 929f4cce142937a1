public import Attendees
import Badges
public import Foundation
import LanyardSupport
public import Logging
public import Printers
public import Store

/// What became of one read.
public struct ScanOutcome: Sendable {
    public var classification: ScanClassification
    /// The printer and template version it counts against; nil printer: unattributed.
    public var printerKey: String?
    public var templateVersion: String?
    /// The adjustment this read set off, if it did.
    public var adjustment: ScanAdjustment?
}

/// The scan-quality loop: every read at the kiosk is classified (`ScanClassifier`), attributed
/// to the printer and template version that printed the scanned badge, and counted; when a
/// printer's failures in the window pass the threshold, its tuning is adjusted once and a new
/// window starts (docs/agent.md "Scan quality").
///
/// Attribution: the printer and template version of the latest printed badge of the attendee
/// the read names (after undoing a garble; an unverified read by the attendee id it carries).
/// A read that names an attendee with no printed badge is not a read of a badge this box printed
/// (a ticket on a phone or a confirmation e-mail): it stays unattributed. A read that names no one
/// (unparseable) counts against the box's only printer, with the template version that printer
/// printed last, when the box has exactly one; with several it stays unattributed. Unattributed
/// reads are shown, but they never move a tuning.
///
/// The adjustment: a QR module floor one dot above the module the active template's QR code
/// gets at that printer now, when a dry render of that template at the new floor still draws
/// its QR code there (at a lower error-correction level if need be, which is reported); else
/// one darkness step within the printer profile's range; else nothing, recorded as such.
/// Decisions for one printer never overlap (a second read arriving during a dry render is
/// counted, and the decision under way covers it).
public actor ScanQualityLoop {
    public let settings: ScanQualitySettings
    let store: LanyardStore
    let event: EventConfiguration
    let profiles: [String: PrinterProfile]
    let previews: [String: BadgePreview]
    let metrics: AgentMetrics
    let logger: Logger
    private var deciding: Set<String> = []

    public init(
        settings: ScanQualitySettings, store: LanyardStore, event: EventConfiguration, profiles: [String: PrinterProfile],
        previews: [String: BadgePreview], metrics: AgentMetrics, logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.event = event
        self.profiles = profiles
        self.previews = previews
        self.metrics = metrics
        self.logger = logger
    }

    /// Classifies, attributes, stores and counts one read, then decides for its printer.
    public func record(_ read: String, correlationID: String, now: Date = Date()) async throws -> ScanOutcome {
        let classification = ScanClassifier.classify(read, event: event)
        let (printer, template) = try await Blocking.run { [store, profiles] in
            try Self.attribution(of: classification, store: store, printers: Array(profiles.keys))
        }
        let recorded = try await Blocking.run { [store] in
            try store.recordScan(
                kind: classification.kind, printerKey: printer, templateVersion: template, attendeeID: classification.attendeeID, at: now)
        }
        metrics.recordScan(printer: printer, templateVersion: template, result: classification.kind)
        var outcome = ScanOutcome(classification: classification, printerKey: printer, templateVersion: template)
        if let printer, settings.enabled, !deciding.contains(printer) {
            deciding.insert(printer)
            defer { deciding.remove(printer) }
            outcome.adjustment = try await decide(
                printer: printer, templateVersion: template, attendeeID: classification.attendeeID, through: recorded.id,
                correlationID: correlationID, now: now)
        }
        return outcome
    }

    static func attribution(
        of classification: ScanClassification, store: LanyardStore, printers: [String]
    ) throws(StoreError) -> (String?, String?) {
        if let id = classification.attendeeID {
            guard let badge = try store.latestPrintedBadge(attendeeID: id) else { return (nil, nil) }
            return (badge.printerKey, badge.templateVersion)
        }
        guard printers.count == 1, let only = printers.first else { return (nil, nil) }
        return (only, try store.latestPrintedJob(printerKey: only)?.templateVersion)
    }

    /// The window's counts for the printer and template version, and one adjustment when they
    /// call for it.
    func decide(
        printer: String, templateVersion: String?, attendeeID: String?, through scanID: Int64, correlationID: String, now: Date
    ) async throws -> ScanAdjustment? {
        let settings = settings
        let counts = try await Blocking.run { [store] in
            let window = try Self.window(printer: printer, settings: settings, store: store, now: now)
            return try store.scanCounts(
                printerKey: printer, templateVersion: templateVersion, since: window.since, afterScanID: window.afterScanID)
        }
        guard settings.calls(for: counts), let profile = profiles[printer] else { return nil }
        let probe = try await dryRenders(printer: printer, attendeeID: attendeeID)
        let choice = Self.choose(
            currentModule: probe.current?.moduleDots, raisedModule: probe.raised?.moduleDots,
            darkness: probe.tuning?.darkness ?? profile.darkness.defaultValue, darknessRange: profile.darkness,
            storedFloor: probe.tuning?.qrModuleDots)
        let rate = (counts.failureRate * 1000).rounded() / 10
        var adjustment = ScanAdjustment(
            printerKey: printer, templateVersion: templateVersion, change: choice.change, fromValue: choice.from, toValue: choice.to,
            currentModuleDots: probe.current?.moduleDots, scans: counts.total, failures: counts.failures,
            windowSeconds: Int(settings.windowSeconds), throughScanID: scanID, status: choice.change == .none ? .exhausted : .pending,
            recordedAt: now)
        var tuning: PrinterTuning?
        let reason = "scan quality: \(counts.failures) of \(counts.total) scans failed (\(rate) %) in \(Int(settings.windowSeconds)) s"
        switch choice.change {
        case .qrModule:
            adjustment.qrLevel = probe.raised?.level
            adjustment.qrDowngradedFrom = probe.raised?.downgradedFrom
            tuning = Self.tuning(after: probe.tuning, printer: printer, profile: profile, reason: reason, at: now) {
                $0.qrModuleDots = choice.to
            }
        case .darkness:
            tuning = Self.tuning(after: probe.tuning, printer: printer, profile: profile, reason: reason, at: now) {
                $0.darkness = choice.to
            }
        case .none: break
        }
        var details = [
            "template_version": templateVersion ?? "unknown", "scans": "\(counts.total)", "failures": "\(counts.failures)",
            "failure_rate": "\(rate)", "window_seconds": "\(Int(settings.windowSeconds))", "change": choice.change.rawValue,
            "unverified": "\(counts.unverified)", "garbled": "\(counts.garbled)", "unparseable": "\(counts.unparseable)",
        ]
        details["from"] = choice.from.map(String.init)
        details["to"] = choice.to.map(String.init)
        details["module_dots"] = probe.current.map { "\($0.moduleDots)" }
        details["qr_level"] = adjustment.qrLevel
        details["qr_downgraded_from"] = adjustment.qrDowngradedFrom
        let recorded = try await Blocking.run { [store, adjustment, tuning, details] in
            try store.recordScanAdjustment(adjustment, tuning: tuning, details: details)
        }
        metrics.recordScanQualityAdjustment(printer: printer, change: choice.change)
        logger.warning(
            choice.change == .none
                ? "scan failures past the threshold; nothing left to raise" : "scan failures past the threshold; tuning raised",
            metadata: [
                "correlation_id": "\(correlationID)", "printer": "\(printer)", "template_version": "\(templateVersion ?? "unknown")",
                "scans": "\(counts.total)", "failures": "\(counts.failures)", "change": "\(choice.change.rawValue)",
                "from": "\(choice.from.map(String.init) ?? "none")", "to": "\(choice.to.map(String.init) ?? "none")",
            ])
        return recorded
    }

    /// Where a printer's current window starts: `window_seconds` back from now, or its last
    /// adjustment (the reads it counted excluded) or the decision on it, whichever is later.
    static func window(
        printer: String, settings: ScanQualitySettings, store: LanyardStore, now: Date
    ) throws(StoreError) -> (since: Date, afterScanID: Int64, last: ScanAdjustment?) {
        let start = now.addingTimeInterval(-settings.windowSeconds)
        guard let last = try store.scanAdjustments(printerKey: printer, limit: 1).first else { return (start, 0, nil) }
        return (max(start, last.reviewedAt ?? start), last.throughScanID, last)
    }

    /// The next tuning: everything as it is, one setting changed, with the reason.
    static func tuning(
        after current: PrinterTuning?, printer: String, profile: PrinterProfile, reason: String, at date: Date,
        change: (inout PrinterTuning) -> Void
    ) -> PrinterTuning {
        var tuning =
            current
            ?? PrinterTuning(printerKey: printer, profileID: profile.id, darkness: nil, speedIPS: nil, reason: nil, recordedAt: date)
        tuning.profileID = tuning.profileID ?? profile.id
        change(&tuning)
        tuning.reason = reason
        tuning.recordedAt = date
        return tuning
    }

    /// The active template's QR code at this printer now, and at a floor one dot larger.
    struct Probe: Sendable {
        var tuning: PrinterTuning?
        var current: SymbolReport?
        var raised: SymbolReport?
    }

    /// Renders, in this process, the badge of the read's attendee (or of the printer's latest
    /// printed job) as the printer would get it now and with the next floor. A badge that cannot
    /// be rendered, or has no QR code, leaves the QR code out of the choice.
    func dryRenders(printer: String, attendeeID: String?) async throws -> Probe {
        let preview = previews[printer]
        return try await Blocking.run { [store, logger] in
            let tuning = try store.currentTuning(printerKey: printer)
            var probe = Probe(tuning: tuning)
            guard let preview else { return probe }
            var attendee: Attendee?
            if let attendeeID { attendee = try store.attendee(id: attendeeID) }
            if attendee == nil, let payload = try store.latestPrintedJob(printerKey: printer)?.payload {
                attendee = try? JSONDecoder().decode(Attendee.self, from: payload)
            }
            guard let attendee else { return probe }
            do {
                let now = try preview.badge(of: attendee, options: RenderOptions(minimumQRModuleDots: tuning?.qrModuleDots))
                probe.current = now.qr
                if let module = now.qr?.moduleDots {
                    probe.raised = try preview.badge(of: attendee, options: RenderOptions(minimumQRModuleDots: module + 1)).qr
                }
            } catch {
                logger.warning("scan quality: the dry render failed; the QR module is left out", metadata: ["error": "\(error)"])
            }
            return probe
        }
    }

    /// What one adjustment changes: a QR module floor one dot above the current module when the
    /// render at that floor draws its QR code at least that large (a smaller symbol may come out
    /// larger still), else one darkness step when the range allows, else nothing.
    static func choose(
        currentModule: Int?, raisedModule: Int?, darkness: Int, darknessRange: SettingRange, storedFloor: Int?
    ) -> (change: ScanAdjustmentChange, from: Int?, to: Int?) {
        if let currentModule, let raisedModule, raisedModule > currentModule { return (.qrModule, storedFloor, currentModule + 1) }
        if darkness < darknessRange.max { return (.darkness, darkness, min(darknessRange.max, max(darknessRange.min, darkness + 1))) }
        return (.none, nil, nil)
    }
}
