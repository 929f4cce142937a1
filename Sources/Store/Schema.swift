internal import GRDB

/// Every schema change, in order. A migration never changes once released: new needs get a new
/// migration, so any older database upgrades step by step.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-printer-tuning") { db in
            try db.create(table: "printer_tuning") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("printer_key", .text).notNull().indexed()
                table.column("profile_id", .text)
                table.column("darkness", .integer)
                table.column("speed_ips", .integer)
                table.column("reason", .text)
                table.column("recorded_at", .datetime).notNull()
            }
        }
        return migrator
    }
}
