public import Foundation
public import LanyardSupport
public import Sync

/// The registry's state in SQLite (`<state>/registry.sqlite`, `RegistryDatabase`), for one
/// server process. GRDB's calls block (a write waits for its fsync), so each runs on the
/// project's one pool for blocking work (`Blocking`), never on the cooperative pool that serves
/// the HTTP API.
public struct SQLiteRegistryStore: RegistryStore {
    public let database: RegistryDatabase

    public init(database: RegistryDatabase) {
        self.database = database
    }

    public var isShared: Bool { false }

    public func recordCheckIns(
        _ items: [CheckInUpload], agentID: String, receivedAt: Date
    ) async throws(RegistryError)
        -> CheckInBatchResult
    {
        try await blocking { try database.recordCheckIns(items, agentID: agentID, receivedAt: receivedAt) }
    }

    public func checkInResolutions(
        event: String, after cursor: Int64, limit: Int
    ) async throws(RegistryError)
        -> [CheckInBatchResult.Resolved]
    {
        try await blocking { try database.checkInResolutions(event: event, after: cursor, limit: limit) }
    }

    public func checkInWinner(event: String, attendeeID: String) async throws(RegistryError) -> CheckInBatchResult.Resolved? {
        try await blocking { try database.checkInWinner(event: event, attendeeID: attendeeID) }
    }

    public func checkInCursor(event: String) async throws(RegistryError) -> Int64 {
        try await blocking { try database.checkInCursor(event: event) }
    }

    public func checkInCount(event: String) async throws(RegistryError) -> Int {
        try await blocking { try database.checkInCount(event: event) }
    }

    public func recordPrintResults(
        _ items: [PrintResultUpload], agentID: String, receivedAt: Date
    ) async throws(RegistryError)
        -> UploadBatchResult
    {
        try await blocking { try database.recordPrintResults(items, agentID: agentID, receivedAt: receivedAt) }
    }

    public func printResultCounts(agentID: String) async throws(RegistryError) -> [String: Int] {
        try await blocking { try database.printResultCounts(agentID: agentID) }
    }

    public func recordReport(_ report: AgentReport, payload: Data, receivedAt: Date) async throws(RegistryError) -> ReportOutcome {
        try await blocking { try database.recordReport(report, payload: payload, receivedAt: receivedAt) }
    }

    public func forgetAgent(_ agentID: String, audit: AuditEntry?) async throws(RegistryError) -> Bool {
        try await blocking { try database.forgetAgent(agentID, audit: audit) }
    }

    public func fleet() async throws(RegistryError) -> [FleetAgent] {
        try await blocking { try database.fleet() }
    }

    public func recordAttendeeChanges(
        _ changes: [AttendeePush], event: String, at now: Date, audit: AuditEntry?
    ) async throws(RegistryError)
        -> AttendeePushResult
    {
        try await blocking { try database.recordAttendeeChanges(changes, event: event, at: now, audit: audit) }
    }

    public func attendeeChanges(event: String, since: Int64, limit: Int) async throws(RegistryError) -> AttendeeChangePage {
        try await blocking { try database.attendeeChanges(event: event, since: since, limit: limit) }
    }

    public func attendeeSnapshot(event: String) async throws(RegistryError) -> AttendeeSnapshot {
        try await blocking { try database.attendeeSnapshot(event: event) }
    }

    public func eventCursor(event: String) async throws(RegistryError) -> Int64 {
        try await blocking { try database.eventCursor(event: event) }
    }

    public func eventCursors() async throws(RegistryError) -> [String: Int64] {
        try await blocking { try database.eventCursors() }
    }

    public func createToken(_ record: TokenRecord, secretHash: String, audit: AuditEntry) async throws(RegistryError) {
        try await blocking { try database.createToken(record, secretHash: secretHash, audit: audit) }
    }

    public func token(id: String) async throws(RegistryError) -> StoredToken? {
        try await blocking { try database.token(id: id) }
    }

    public func tokens() async throws(RegistryError) -> [TokenRecord] {
        try await blocking { try database.tokens() }
    }

    public func rotateToken(
        id: String, replacement: TokenRecord, secretHash: String, overlapEnds: Date, audit: AuditEntry
    ) async throws(RegistryError)
        -> TokenRecord
    {
        try await blocking {
            try database.rotateToken(id: id, replacement: replacement, secretHash: secretHash, overlapEnds: overlapEnds, audit: audit)
        }
    }

    public func revokeToken(id: String, at now: Date, audit: AuditEntry) async throws(RegistryError) -> TokenRecord {
        try await blocking { try database.revokeToken(id: id, at: now, audit: audit) }
    }

    public func tokenRolesInUse(at now: Date) async throws(RegistryError) -> Set<AccessRole> {
        try await blocking { try database.tokenRolesInUse(at: now) }
    }

    public func recordAudit(_ entry: AuditEntry) async throws(RegistryError) -> Int64 {
        try await blocking { try database.recordAudit(entry) }
    }

    public func auditLog(before: Int64?, limit: Int) async throws(RegistryError) -> [AuditEntry] {
        try await blocking { try database.auditLog(before: before, limit: limit) }
    }

    /// GRDB closes the pool when the last reference goes.
    public func close() async {}

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(RegistryError) -> T {
        let result: Result<T, any Error>
        do { result = .success(try await Blocking.run(body)) } catch { result = .failure(error) }
        switch result {
        case .success(let value): return value
        case .failure(let error as RegistryError): throw error
        case .failure(let error):
            throw RegistryError(.storage, "the registry database could not be reached", detail: "\(error)")
        }
    }
}
