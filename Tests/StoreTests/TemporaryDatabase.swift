import Foundation
import LanyardSupport
import Store
import Testing

/// A database path in its own temporary directory, removed when the value goes away. Each
/// `open()` is a fresh connection pool, as a restarted agent has; a store released before the
/// next `open()` is closed.
final class TemporaryDatabase {
    let directory: URL
    let path: String

    init() {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-store-\(UUID().uuidString)")
        path = directory.appending(path: "state/lanyard.sqlite").path
    }

    func open(migratingUpTo lastMigration: String? = nil) throws -> LanyardStore {
        try LanyardStore(path: path, migratingUpTo: lastMigration)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

extension Date {
    /// Whole seconds, which the database keeps exactly.
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    func plus(_ seconds: TimeInterval) -> Date { addingTimeInterval(seconds) }
}

func newJob(
    _ key: String, printer: String = "zd621-front", attendee: String? = "3f1c5b8e-0000-4000-8000-000000000001",
    payload: String = #"{"attendee_id":"3f1c5b8e-0000-4000-8000-000000000001"}"#
) -> NewPrintJob {
    NewPrintJob(
        idempotencyKey: key, correlationID: "corr-\(key)", attendeeID: attendee, printerID: printer,
        payload: Data(payload.utf8))
}

/// Runs `body`, records an issue unless it throws a `StoreError` with `code`, and returns the error.
@discardableResult
func expectStoreError<T>(
    _ code: StoreErrorCode, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(StoreError) -> T
) -> StoreError? {
    do {
        let value = try body()
        Issue.record("expected \(code.rawValue), got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}
