public import Foundation
internal import GRDB
public import LanyardSupport

/// Replay protection for webhooks: every (source, delivery id) is accepted once. Entries are
/// pruned after a while to keep the table small, so the webhook layer must also refuse
/// deliveries whose signed timestamp is older than the pruning age; together the two close the
/// window for a replayed request.
extension LanyardStore {
    /// Records a delivery; false when the same source already delivered that id (a replay or a
    /// sender's retry), in which case the caller must not process it again.
    public func recordDelivery(source: String, deliveryID: String, at date: Date = Date()) throws(StoreError) -> Bool {
        guard !source.isEmpty, !deliveryID.isEmpty else {
            throw StoreError(.invalidValue, "a webhook delivery needs its source and its delivery id")
        }
        return try write { db in
            try db.execute(
                sql: "INSERT INTO webhook_delivery (source, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [source, deliveryID, StoredDate(date)])
            return db.changesCount == 1
        }
    }

    /// Whether the source already delivered that id.
    public func isDeliveryKnown(source: String, deliveryID: String) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_delivery WHERE source = ? AND delivery_id = ?)",
                arguments: [source, deliveryID]) ?? false
        }
    }

    /// Forgets deliveries received more than `age` seconds before `now`; returns how many.
    @discardableResult
    public func pruneDeliveries(olderThan age: TimeInterval, now: Date = Date()) throws(StoreError) -> Int {
        guard age >= 0 else { throw StoreError(.invalidValue, "a pruning age cannot be negative") }
        let cutoff = now.addingTimeInterval(-age)
        return try write { db in
            try db.execute(sql: "DELETE FROM webhook_delivery WHERE received_at < ?", arguments: [StoredDate(cutoff)])
            return db.changesCount
        }
    }
}
