internal import GRDB

/// The registry's tables, one migration per change, never edited once released (as the agent's
/// own schema). Instants that are compared (scan times, report times) are stored as integer
/// microseconds so ordering is exact; the others as GRDB dates.
enum RegistrySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-check-ins", migrate: createCheckIns)
        migrator.registerMigration("v2-print-results", migrate: createPrintResults)
        migrator.registerMigration("v3-agents", migrate: createAgents)
        return migrator
    }

    private static func createCheckIns(_ db: Database) throws {
        // Every check-in ever uploaded, winner or not.
        try db.create(table: "check_in") { table in
            table.primaryKey("nonce", .text)
            table.column("agent_id", .text).notNull()
            table.column("event", .text).notNull()
            table.column("attendee_id", .text).notNull()
            table.column("kiosk_id", .text).notNull()
            table.column("scanned_at_us", .integer).notNull()
            table.column("received_at", .datetime).notNull()
        }
        try db.create(index: "check_in_attendee", on: "check_in", columns: ["event", "attendee_id"])
        // The check-in that counts for each attendee, and the cursor of the change that made it so.
        try db.create(table: "check_in_winner", options: .withoutRowID) { table in
            table.column("event", .text).notNull()
            table.column("attendee_id", .text).notNull()
            table.column("nonce", .text).notNull()
            table.column("kiosk_id", .text).notNull()
            table.column("scanned_at_us", .integer).notNull()
            table.column("cursor", .integer).notNull()
            table.primaryKey(["event", "attendee_id"])
        }
        // Each time a winner is set or replaced, at the event's next cursor: what attendee
        // deltas carry to kiosks.
        try db.create(table: "check_in_change", options: .withoutRowID) { table in
            table.column("event", .text).notNull()
            table.column("cursor", .integer).notNull()
            table.column("attendee_id", .text).notNull()
            table.column("nonce", .text).notNull()
            table.column("kiosk_id", .text).notNull()
            table.column("scanned_at_us", .integer).notNull()
            table.column("recorded_at", .datetime).notNull()
            table.primaryKey(["event", "cursor"])
        }
    }

    private static func createPrintResults(_ db: Database) throws {
        try db.create(table: "print_result") { table in
            table.primaryKey("nonce", .text)
            table.column("agent_id", .text).notNull()
            table.column("job_id", .text).notNull()
            table.column("attendee_id", .text)
            table.column("state", .text).notNull().check(sql: "state IN ('printed', 'dead_letter', 'manual_review', 'cancelled')")
            table.column("template", .text)
            table.column("template_version", .text)
            table.column("tier", .text)
            table.column("finished_at_us", .integer).notNull()
            table.column("received_at", .datetime).notNull()
        }
        try db.create(index: "print_result_agent", on: "print_result", columns: ["agent_id", "state"])
    }

    private static func createAgents(_ db: Database) throws {
        // One row per agent: the key its first report carried and its latest accepted report
        // (the exact signed payload bytes).
        try db.create(table: "agent") { table in
            table.primaryKey("agent_id", .text)
            table.column("public_key", .text).notNull()
            table.column("first_seen", .datetime).notNull()
            table.column("last_seen", .datetime).notNull()
            table.column("sent_at_us", .integer).notNull()
            table.column("report", .blob).notNull()
            table.column("reports_received", .integer).notNull().defaults(to: 1)
        }
    }
}
