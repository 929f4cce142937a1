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
        migrator.registerMigration("v4-attendee-changes", migrate: createAttendeeChanges)
        migrator.registerMigration("v5-access", migrate: createAccess)
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

    /// The events' attendee lists and one change log for everything kiosks apply in order.
    ///
    /// - `change_cursor`: the one row holding the last cursor given out. Every change (an
    ///   attendee upserted or removed, a check-in winner set) takes the next one, so cursors
    ///   order all changes of all events; v1 numbered check-in changes per event, and the
    ///   sequence starts above the highest of them so no event's cursors go back.
    /// - `attendee`: per event, each attendee's registration (JSON text) as last pushed.
    /// - `attendee_change`: every upsert (with the registration) and removal, at its cursor.
    private static func createAttendeeChanges(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE change_cursor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    cursor INTEGER NOT NULL
                );
                INSERT INTO change_cursor (id, cursor) VALUES (1, COALESCE((SELECT MAX(cursor) FROM check_in_change), 0));
                CREATE TABLE attendee (
                    event TEXT NOT NULL CHECK (event <> ''),
                    attendee_id TEXT NOT NULL CHECK (attendee_id <> ''),
                    registration TEXT NOT NULL,
                    cursor INTEGER NOT NULL,
                    PRIMARY KEY (event, attendee_id)
                ) WITHOUT ROWID;
                CREATE TABLE attendee_change (
                    cursor INTEGER PRIMARY KEY,
                    event TEXT NOT NULL CHECK (event <> ''),
                    attendee_id TEXT NOT NULL CHECK (attendee_id <> ''),
                    op TEXT NOT NULL CHECK (op IN ('upsert', 'remove')),
                    registration TEXT CHECK ((op = 'upsert') = (registration IS NOT NULL)),
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX attendee_change_event ON attendee_change(event, cursor);
                """)
    }

    /// Tokens and the audit log (docs/registry-server.md, "Tokens and roles").
    ///
    /// - `access_token`: each token's holder, roles (comma separated), the SHA-256 of its secret
    ///   and its life; rows are never deleted, so the audit log's token ids keep their holder.
    /// - `audit_log`: who changed what and why, in the order it happened; only ever appended.
    private static func createAccess(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE access_token (
                    id TEXT PRIMARY KEY CHECK (length(id) = 16),
                    holder TEXT NOT NULL CHECK (holder <> ''),
                    roles TEXT NOT NULL CHECK (roles <> ''),
                    secret_sha256 TEXT NOT NULL UNIQUE CHECK (length(secret_sha256) = 64),
                    created_at_us INTEGER NOT NULL,
                    expires_at_us INTEGER,
                    revoked_at_us INTEGER,
                    replaced_by TEXT REFERENCES access_token(id)
                );
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_us INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    token_id TEXT,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    reason TEXT,
                    detail TEXT NOT NULL,
                    correlation_id TEXT
                );
                """)
    }
}
