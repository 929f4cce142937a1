public import Foundation
public import LanyardSupport
public import Logging
public import Sync

/// Where the registry keeps its state (check-ins and their winners, print results, the agents
/// and their reports, the events' attendee lists and change log), whichever database holds it:
/// SQLite in the state directory for one venue (`SQLiteRegistryStore`), PostgreSQL shared by
/// any number of server replicas for a fleet (`PostgresRegistryStore`). Both keep the same
/// contract, which `RegistryStoreContractTests` runs against each.
///
/// Every method is one transaction. Failures are `RegistryError`s: `storage` when the database
/// cannot be read or written, or the request's own error (a cursor ahead, a report replayed).
public protocol RegistryStore: Sendable {
    /// True when other processes write the same state: their changes reach this server's
    /// waiting kiosks through notifications, and the durable state is read again at each poll.
    var isShared: Bool { get }

    /// Stores a batch of check-ins from one agent. A nonce already stored (from an earlier batch
    /// or earlier in this one) is a duplicate and changes nothing. For each new check-in the
    /// attendee's winner is the earliest scan (ties: the smaller nonce, by bytes); whenever the
    /// winner is set or replaced, a change is recorded at the event's next cursor. The answer
    /// names, for every attendee of the batch, the check-in that counts once the batch is stored.
    func recordCheckIns(_ items: [CheckInUpload], agentID: String, receivedAt: Date) async throws(RegistryError) -> CheckInBatchResult

    /// The changes of an event's check-in winners after `cursor`, oldest first.
    func checkInResolutions(event: String, after cursor: Int64, limit: Int) async throws(RegistryError) -> [CheckInBatchResult.Resolved]

    /// The check-in that counts for an attendee, and the cursor at which it was decided.
    func checkInWinner(event: String, attendeeID: String) async throws(RegistryError) -> CheckInBatchResult.Resolved?

    /// The event's latest check-in change cursor (0 before its first check-in).
    func checkInCursor(event: String) async throws(RegistryError) -> Int64

    /// How many check-ins are stored for an event, winners or not.
    func checkInCount(event: String) async throws(RegistryError) -> Int

    /// Stores a batch of print results from one agent; a nonce already stored is a duplicate.
    func recordPrintResults(
        _ items: [PrintResultUpload], agentID: String, receivedAt: Date
    ) async throws(RegistryError)
        -> UploadBatchResult

    /// Print results stored for an agent, by final state (`printed`, `dead_letter`, ...).
    func printResultCounts(agentID: String) async throws(RegistryError) -> [String: Int]

    /// Records a report already verified by `AgentReport.verify`, with the checks that need the
    /// agent's record (`ReportRules`): its key must be the one first seen, and it must not be
    /// older than the last one accepted.
    func recordReport(_ report: AgentReport, payload: Data, receivedAt: Date) async throws(RegistryError) -> ReportOutcome

    /// Forgets an agent's key and report (its uploads stay), recording `audit` with it. False
    /// when it was not known (and nothing is recorded).
    func forgetAgent(_ agentID: String, audit: AuditEntry?) async throws(RegistryError) -> Bool

    /// Every agent that has reported, by id.
    func fleet() async throws(RegistryError) -> [FleetAgent]

    /// Applies pushed changes to an event's attendee list, each real change recorded in the log
    /// at the event's next cursor, in the order given.
    /// `audit`, when given, is recorded in the same transaction with the push's result.
    func recordAttendeeChanges(
        _ changes: [AttendeePush], event: String, at now: Date, audit: AuditEntry?
    ) async throws(RegistryError)
        -> AttendeePushResult

    /// The event's changes after `since`, oldest first, at most `limit`: attendee upserts and
    /// removals and check-in winners, by cursor, with no change missing below the last one
    /// given. A cursor beyond the last one the store gave out is refused (`cursorAhead`).
    func attendeeChanges(event: String, since: Int64, limit: Int) async throws(RegistryError) -> AttendeeChangePage

    /// The event's attendee list as one consistent read, and the cursor it stands at: a kiosk
    /// that applies it at that cursor then follows the log from there.
    func attendeeSnapshot(event: String) async throws(RegistryError) -> AttendeeSnapshot

    /// The latest change cursor of an event (0 before its first change).
    func eventCursor(event: String) async throws(RegistryError) -> Int64

    /// Per event, its latest change cursor: what the notification hub starts from.
    func eventCursors() async throws(RegistryError) -> [String: Int64]

    // MARK: Tokens and the audit log

    /// Stores a new token (its secret only as `secretHash`) and the audit entry of its making.
    func createToken(_ record: TokenRecord, secretHash: String, audit: AuditEntry) async throws(RegistryError)

    /// A token by id, with the hash its secret must match.
    func token(id: String) async throws(RegistryError) -> StoredToken?

    /// Every token ever made, revoked and expired ones too, oldest first.
    func tokens() async throws(RegistryError) -> [TokenRecord]

    /// Stores `replacement` and lets the token `id` be used until `overlapEnds` (`StoreRules.rotated`).
    /// Answers the rotated token's record.
    func rotateToken(
        id: String, replacement: TokenRecord, secretHash: String, overlapEnds: Date, audit: AuditEntry
    ) async throws(RegistryError)
        -> TokenRecord

    /// Refuses the token from `now` on. Answers its record.
    func revokeToken(id: String, at now: Date, audit: AuditEntry) async throws(RegistryError) -> TokenRecord

    /// The roles of the tokens accepted at `now`: a kind of request needs a token only once
    /// some token could make it.
    func tokenRolesInUse(at now: Date) async throws(RegistryError) -> Set<AccessRole>

    /// Appends an entry to the audit log; answers its id.
    func recordAudit(_ entry: AuditEntry) async throws(RegistryError) -> Int64

    /// The newest entries first, those with an id below `before` when it is given.
    func auditLog(before: Int64?, limit: Int) async throws(RegistryError) -> [AuditEntry]

    /// Ends the store's connections; nothing may be asked of it afterwards.
    func close() async
}

/// An event's attendee list at a cursor.
public struct AttendeeSnapshot: Sendable, Equatable {
    public var cursor: Int64
    /// Each registration's JSON text, by attendee id.
    public var registrations: [String]

    public init(cursor: Int64, registrations: [String]) {
        self.cursor = cursor
        self.registrations = registrations
    }
}

extension RegistryStore {
    /// At most 1,000 at a time, as the HTTP API pages them.
    public func checkInResolutions(event: String, after cursor: Int64) async throws(RegistryError) -> [CheckInBatchResult.Resolved] {
        try await checkInResolutions(event: event, after: cursor, limit: 1_000)
    }

    /// A push no one is accountable for: tests and tools that write the store directly.
    public func recordAttendeeChanges(
        _ changes: [AttendeePush], event: String, at now: Date
    ) async throws(RegistryError)
        -> AttendeePushResult
    {
        try await recordAttendeeChanges(changes, event: event, at: now, audit: nil)
    }

    public func forgetAgent(_ agentID: String) async throws(RegistryError) -> Bool {
        try await forgetAgent(agentID, audit: nil)
    }

    public func attendeeChanges(event: String, since: Int64) async throws(RegistryError) -> AttendeeChangePage {
        try await attendeeChanges(event: event, since: since, limit: 1_000)
    }
}

/// Opening the store a configuration names.
public enum RegistryStores {
    /// The store, its schema created or migrated.
    public static func open(
        _ state: RegistryConfiguration.State, lastSeenInterval: TimeInterval = 30, logger: Logger
    ) async throws(RegistryError) -> any RegistryStore {
        switch state {
        case .sqlite(let directory): SQLiteRegistryStore(database: try RegistryDatabase(stateDirectory: directory))
        case .postgres(let location): try await PostgresRegistryStore.connect(location, lastSeenInterval: lastSeenInterval, logger: logger)
        }
    }
}
