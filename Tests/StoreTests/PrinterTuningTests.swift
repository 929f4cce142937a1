import Foundation
import LanyardSupport
import Store
import Testing

@Suite struct PrinterTuningTests {
    func temporaryStore() throws -> (LanyardStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-store-\(UUID().uuidString)")
        return (try LanyardStore(path: directory.appending(path: "state/lanyard.sqlite").path), directory)
    }

    @Test func changesAccumulateAndTheLatestIsInForce() throws {
        let (store, directory) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try store.currentTuning(printerKey: "D4J123") == nil)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try store.recordTuning(
            printerKey: "D4J123", profileID: "zebra-zd621d-300", darkness: 22, speedIPS: nil,
            reason: "faded QR", at: start)
        let now = try store.recordTuning(
            printerKey: "D4J123", profileID: nil, darkness: nil, speedIPS: 3,
            reason: "smudging at 4 ips", at: start.addingTimeInterval(60))
        #expect(now.darkness == 22 && now.speedIPS == 3 && now.profileID == "zebra-zd621d-300")
        #expect(try store.currentTuning(printerKey: "D4J123") == now)
        let history = try store.tuningHistory(printerKey: "D4J123")
        #expect(history.map(\.reason) == ["faded QR", "smudging at 4 ips"])
        #expect(history.map(\.darkness) == [22, 22] && history.map(\.speedIPS) == [nil, 3])
        #expect(try store.currentTuning(printerKey: "OTHER") == nil, "tuning is per printer")
    }

    /// Every change leaves an audit entry with the values before and after, in its transaction.
    @Test func eachChangeIsAudited() throws {
        let (store, directory) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.recordTuning(
            printerKey: "D4J123", profileID: "zebra-zd621d-300", darkness: 22, speedIPS: 4, reason: "glossy", actor: "tech-12")
        try store.recordTuning(printerKey: "D4J123", profileID: nil, darkness: 25, speedIPS: nil, reason: "still faded", actor: "tech-12")
        let entries = try store.auditEntries(limit: 10).filter { $0.action == "printer.tuning" }
        #expect(entries.count == 2)
        let latest = try #require(entries.first)
        #expect(latest.actor == "tech-12")
        #expect(latest.subject == "printer:D4J123")
        #expect(latest.details["darkness"] == "25" && latest.details["previous_darkness"] == "22")
        #expect(latest.details["speed_ips"] == "4" && latest.details["previous_speed_ips"] == "4")
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.recordTuning(printerKey: "D4J123", profileID: nil, darkness: nil, speedIPS: nil, reason: nil)
        }
        #expect(try store.auditEntries(limit: 10).count == 2, "a refused change leaves no entry")
    }

    @Test func tuningSurvivesReopening() throws {
        let (store, directory) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.recordTuning(printerKey: "tcp://10.0.0.7:9100", profileID: nil, darkness: 18, speedIPS: 5, reason: nil)
        let reopened = try LanyardStore(path: store.path)
        #expect(try reopened.currentTuning(printerKey: "tcp://10.0.0.7:9100")?.darkness == 18)
        #expect(try reopened.appliedMigrations() == LanyardStore.knownMigrations)
    }

    @Test func emptyChangesAndKeysAreRefused() throws {
        let (store, directory) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: StoreError.self) {
            try store.recordTuning(printerKey: "X", profileID: nil, darkness: nil, speedIPS: nil, reason: "nothing")
        }
        #expect(throws: StoreError.self) {
            try store.recordTuning(printerKey: "", profileID: nil, darkness: 10, speedIPS: nil, reason: nil)
        }
        #expect(try store.tuningHistory(printerKey: "X").isEmpty)
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appending(path: "garbage.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(filePath: path))
        do {
            _ = try LanyardStore(path: path)
            Issue.record("opening garbage must fail")
        } catch {
            #expect(error.code == .openFailed || error.code == .migrationFailed)
            #expect(error.path == path)
        }
    }
}
