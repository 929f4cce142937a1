public import Foundation
internal import GRDB
public import LanyardSupport

/// Something to tell the registry, kept until the registry has acknowledged it. The nonce is
/// random per item and travels with it, so the registry can drop an item it already has when a
/// batch is re-sent after a lost acknowledgement.
public struct OutboxItem: Sendable, Equatable, Identifiable {
    public var id: Int64
    /// What the payload is ("job.outcome", "check_in"...): the sync layer picks the endpoint.
    public var kind: String
    public var payload: Data
    public var nonce: String
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: Int64, kind: String, payload: Data, nonce: String, createdAt: Date, deliveredAt: Date?) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.nonce = nonce
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

struct OutboxRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "outbox"

    var id: Int64?
    var kind: String
    var payload: Data
    var nonce: String
    var createdAt: Date
    var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, nonce, createdAt = "created_at", deliveredAt = "delivered_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var item: OutboxItem {
        OutboxItem(id: id ?? 0, kind: kind, payload: payload, nonce: nonce, createdAt: createdAt, deliveredAt: deliveredAt)
    }
}

extension LanyardStore {
    /// Queues an item for the registry; durable when this returns.
    @discardableResult
    public func appendOutbox(kind: String, payload: Data, now: Date = Date()) throws(StoreError) -> OutboxItem {
        guard !kind.isEmpty else { throw StoreError(.invalidValue, "an outbox item needs a kind") }
        return try write { db in try Self.appendOutbox(db, kind: kind, payload: payload, now: now) }
    }

    /// Items not yet acknowledged, oldest first (the order they happened in).
    public func pendingOutbox(limit: Int) throws(StoreError) -> [OutboxItem] {
        try read { db in
            try OutboxRow.filter(Column(OutboxRow.CodingKeys.deliveredAt) == nil)
                .order(Column(OutboxRow.CodingKeys.id))
                .limit(max(0, limit))
                .fetchAll(db)
                .map(\.item)
        }
    }

    /// Records the registry's acknowledgement. Ids already delivered or unknown are ignored, so
    /// a repeated acknowledgement is harmless. Returns how many items were newly marked.
    @discardableResult
    public func markOutboxDelivered(ids: [Int64], now: Date = Date()) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try write { db in
            try OutboxRow
                .filter(ids.contains(Column(OutboxRow.CodingKeys.id)) && Column(OutboxRow.CodingKeys.deliveredAt) == nil)
                .updateAll(db, Column(OutboxRow.CodingKeys.deliveredAt).set(to: StoredDate(now)))
        }
    }

    /// Inside a caller's transaction, so an item commits together with the change it reports.
    static func appendOutbox(_ db: Database, kind: String, payload: Data, now: Date) throws -> OutboxItem {
        var row = OutboxRow(kind: kind, payload: payload, nonce: UUID().uuidString.lowercased(), createdAt: now)
        try row.insert(db)
        return try OutboxRow.fetchOne(db, key: row.id)?.item ?? row.item
    }
}
