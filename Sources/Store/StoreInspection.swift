import Foundation
internal import GRDB
import LanyardSupport

extension LanyardStore {
    /// Every row of one table, every column rendered as text (blobs as UTF-8 where they are),
    /// for tests that must see what is really stored rather than what the API chooses to return.
    package func tableContents(_ table: String) throws(StoreError) -> [[String: String]] {
        try read { db in
            guard try db.tableExists(table) else { throw StoreError(.notFound, "there is no table '\(table)'") }
            return try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)").map { row in
                var values: [String: String] = [:]
                for (column, value) in row {
                    switch value.storage {
                    case .null: values[column] = nil
                    case let .int64(number): values[column] = String(number)
                    case let .double(number): values[column] = String(number)
                    case let .string(text): values[column] = text
                    case let .blob(data): values[column] = String(decoding: data, as: UTF8.self)
                    }
                }
                return values
            }
        }
    }
}

extension LanyardStore {
    /// The journal mode and synchronous level a connection of this store runs with, so a test
    /// can guard the durability settings invariant 2 relies on.
    package func durabilitySettings() throws(StoreError) -> (journalMode: String, synchronous: Int) {
        try read { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            return (mode, synchronous)
        }
    }
}
