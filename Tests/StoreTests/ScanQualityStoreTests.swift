import Foundation
import LanyardSupport
import Store
import Testing

/// The scan-quality loop's records: reads by kind in a window, what a badge was printed on,
/// adjustments with their tuning and audit entries, and a technician's keep or revert.
@Suite struct ScanQualityStoreTests {
    static let attendee = "3f1c5b8e-0000-4000-8000-000000000001"

    @Test func readsAreCountedByPrinterTemplateAndWindow() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        for (offset, kind) in [ScanKind.success, .success, .garbled, .unverified, .unparseable].enumerated() {
            try store.recordScan(
                kind: kind, printerKey: "p1", templateVersion: "standard@1.0.0", attendeeID: nil, at: .start.plus(Double(offset)))
        }
        try store.recordScan(kind: .garbled, printerKey: "p1", templateVersion: "standard@1.1.0", attendeeID: nil, at: .start.plus(5))
        try store.recordScan(kind: .success, printerKey: "p1", templateVersion: nil, attendeeID: nil, at: .start.plus(5))
        try store.recordScan(kind: .unparseable, printerKey: nil, templateVersion: nil, attendeeID: nil, at: .start.plus(6))

        let all = try store.scanCounts(printerKey: "p1", templateVersion: "standard@1.0.0", since: .start)
        #expect((all.success, all.garbled, all.unverified, all.unparseable) == (2, 1, 1, 1))
        #expect(all.total == 5 && all.failures == 3 && all.failureRate == 0.6)
        let later = try store.scanCounts(printerKey: "p1", templateVersion: "standard@1.0.0", since: .start.plus(2))
        #expect(later.total == 3, "reads before the window's start are not counted")
        #expect(try store.scanCounts(printerKey: "p1", templateVersion: nil, since: .start).total == 1, "no version is a group of its own")

        let groups = try store.scanCountsByGroup(since: .start)
        #expect(groups.count == 4)
        #expect(groups.first { $0.printerKey == nil }?.counts.unparseable == 1, "unattributed reads are kept apart")
        #expect(groups.first { $0.templateVersion == "standard@1.1.0" }?.counts.garbled == 1)
    }

    @Test func oldReadsArePrunedAsNewOnesCome() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.recordScan(kind: .success, printerKey: "p1", templateVersion: nil, attendeeID: nil, at: .start)
        try store.recordScan(kind: .success, printerKey: "p1", templateVersion: nil, attendeeID: nil, at: .start.plus(3600))
        #expect(try store.scanRecordCount() == 2)
        try store.recordScan(
            kind: .garbled, printerKey: "p1", templateVersion: nil, attendeeID: nil, at: .start.plus(LanyardStore.scanRetention + 1))
        #expect(try store.scanRecordCount() == 2, "the read older than the retention went")
        #expect(try store.scanCounts(printerKey: "p1", templateVersion: nil, since: .start.plus(-1)).success == 1)
    }

    @Test func aBadgeIsTracedToThePrinterAndTemplateThatPrintedIt() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.latestPrintedBadge(attendeeID: Self.attendee) == nil)
        let first = try store.enqueue(newJob("a", printer: "front"), maxQueued: 10, now: .start).job
        _ = try store.claimNextJob(printerID: "front", now: .start)
        try store.markSent(id: first.id, templateVersion: "standard@1.0.0", now: .start)
        #expect(try store.latestPrintedBadge(attendeeID: Self.attendee) == nil, "a badge sent but not confirmed is not printed")
        try store.markPrinted(id: first.id, now: .start)
        let reprint = try store.enqueue(newJob("b", printer: "back"), maxQueued: 10, now: .start.plus(1)).job
        _ = try store.claimNextJob(printerID: "back", now: .start.plus(1))
        try store.markSent(id: reprint.id, templateVersion: "vip@2.0.0", now: .start.plus(1))
        try store.markPrinted(id: reprint.id, now: .start.plus(1))
        let badge = try #require(try store.latestPrintedBadge(attendeeID: Self.attendee))
        #expect(badge.printerKey == "back" && badge.templateVersion == "vip@2.0.0", "the latest printed badge counts")
        #expect(try store.latestPrintedJob(printerKey: "front")?.templateVersion == "standard@1.0.0")
    }

    func adjustment(_ change: ScanAdjustmentChange, from: Int?, to: Int?, at date: Date) -> ScanAdjustment {
        ScanAdjustment(
            printerKey: "p1", templateVersion: "standard@1.0.0", change: change, fromValue: from, toValue: to, currentModuleDots: 5,
            scans: 60, failures: 3, windowSeconds: 1800, status: change == .none ? .exhausted : .pending, recordedAt: date)
    }

    @Test func aRevertedQRFloorRestoresTheTuningBeforeIt() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.recordTuning(printerKey: "p1", profileID: "zebra-zd621d-300", darkness: 22, speedIPS: 4, reason: "new stock", at: .start)
        let raised = try store.recordScanAdjustment(
            adjustment(.qrModule, from: nil, to: 6, at: .start.plus(10)),
            tuning: PrinterTuning(
                printerKey: "p1", profileID: "zebra-zd621d-300", darkness: 22, speedIPS: 4, qrModuleDots: 6, reason: "scan quality",
                recordedAt: .start.plus(10)),
            details: ["change": "qr_module"])
        #expect(try store.currentTuning(printerKey: "p1")?.qrModuleDots == 6)
        let audit = try #require(try store.latestAuditEntry(action: "scan_quality.adjusted", subject: "printer:p1"))
        #expect(audit.details["adjustment"] == "\(raised.id)" && audit.actor == "system")
        #expect(try store.scanAdjustments(printerKey: "p1").map(\.status) == [.pending])

        // A technician changes the speed meanwhile; the revert undoes only the loop's change.
        try store.recordTuning(printerKey: "p1", profileID: nil, darkness: nil, speedIPS: 3, reason: "smudges", at: .start.plus(20))
        let (decided, tuning) = try store.decideScanAdjustment(
            id: raised.id, printerKey: "p1", decision: .revert, actor: "Tomás", at: .start.plus(30))
        #expect(decided.status == .reverted && decided.reviewedBy == "Tomás" && decided.reviewedAt == .start.plus(30))
        let now = try #require(try store.currentTuning(printerKey: "p1"))
        #expect(tuning == now)
        #expect(now.qrModuleDots == nil && now.darkness == 22 && now.speedIPS == 3)
        #expect(try store.latestAuditEntry(action: "scan_quality.reverted", subject: "printer:p1")?.actor == "Tomás")
        expectStoreError(.adjustmentDecided) { () throws(StoreError) in
            try store.decideScanAdjustment(id: raised.id, printerKey: "p1", decision: .keep, actor: "Tomás")
        }
        expectStoreError(.notFound) { () throws(StoreError) in
            try store.decideScanAdjustment(id: raised.id, printerKey: "p2", decision: .keep, actor: "Tomás")
        }
    }

    @Test func aRevertedDarknessStepGoesBackAndAKeptOneStays() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.recordScanAdjustment(
            adjustment(.darkness, from: 20, to: 21, at: .start),
            tuning: PrinterTuning(printerKey: "p1", darkness: 21, speedIPS: nil, reason: "scan quality", recordedAt: .start), details: [:])
        let (kept, none) = try store.decideScanAdjustment(
            id: first.id, printerKey: "p1", decision: .keep, actor: "tech", at: .start.plus(1))
        #expect(kept.status == .kept && none == nil)
        #expect(try store.currentTuning(printerKey: "p1")?.darkness == 21)
        #expect(try store.latestAuditEntry(action: "scan_quality.kept", subject: "printer:p1") != nil)

        let second = try store.recordScanAdjustment(
            adjustment(.darkness, from: 21, to: 22, at: .start.plus(2)),
            tuning: PrinterTuning(printerKey: "p1", darkness: 22, speedIPS: nil, reason: "scan quality", recordedAt: .start.plus(2)),
            details: [:])
        _ = try store.decideScanAdjustment(id: second.id, printerKey: "p1", decision: .revert, actor: "tech", at: .start.plus(3))
        #expect(try store.currentTuning(printerKey: "p1")?.darkness == 21)
        #expect(try store.tuningHistory(printerKey: "p1").map(\.darkness) == [21, 22, 21], "the history keeps every change")
    }

    @Test func nothingLeftToChangeIsRecordedAndNotDecided() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let exhausted = try store.recordScanAdjustment(adjustment(.none, from: nil, to: nil, at: .start), tuning: nil, details: [:])
        #expect(exhausted.status == .exhausted)
        #expect(try store.currentTuning(printerKey: "p1") == nil, "no tuning was written")
        #expect(try store.latestAuditEntry(action: "scan_quality.exhausted", subject: "printer:p1") != nil)
        expectStoreError(.adjustmentDecided) { () throws(StoreError) in
            try store.decideScanAdjustment(id: exhausted.id, printerKey: "p1", decision: .revert, actor: "tech")
        }
    }
}
