internal import GRDB

/// Every schema change, in order. A migration never changes once released: new needs get a new
/// migration, so any older database upgrades step by step. Migration bodies spell out their
/// values (state names, for instance) instead of reading them from today's Swift types, so a
/// later change to a type cannot silently change what an old migration did.
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
        migrator.registerMigration("v2-print-jobs", migrate: createPrintJobs)
        migrator.registerMigration("v3-dead-letters", migrate: createDeadLetters)
        migrator.registerMigration("v4-outbox", migrate: createOutbox)
        migrator.registerMigration("v5-audit-trail", migrate: createAuditTrail)
        migrator.registerMigration("v6-attendee-cache", migrate: createAttendeeCache)
        migrator.registerMigration("v7-webhook-deliveries", migrate: createWebhookDeliveries)
        migrator.registerMigration("v8-manual-review-decisions", migrate: createManualReviewDecisions)
        migrator.registerMigration("v9-attendee-search-by-field", migrate: searchAttendeesByField)
        migrator.registerMigration("v10-attendee-sync", migrate: createAttendeeSync)
        migrator.registerMigration("v11-search-index-memory", migrate: sizeSearchIndexMemory)
        migrator.registerMigration("v12-job-template-release", migrate: recordTemplateRelease)
        migrator.registerMigration("v13-job-state-time-index", migrate: indexJobsByStateAndTime)
        migrator.registerMigration("v14-name-corrections", migrate: createNameCorrections)
        migrator.registerMigration("v15-destinations", migrate: createDestinationRecords)
        migrator.registerMigration("v16-scan-quality", migrate: createScanQuality)
        return migrator
    }

    private static func createPrintJobs(_ db: Database) throws {
        try db.create(table: "print_job") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("idempotency_key", .text).notNull().unique()
            table.column("correlation_id", .text).notNull()
            table.column("attendee_id", .text).indexed()
            table.column("printer_id", .text).notNull()
            table.column("state", .text).notNull()
                .check(sql: "state IN ('queued', 'sending', 'sent', 'printed', 'manualReview', 'deadLettered', 'cancelled')")
            table.column("payload", .blob).notNull()
            table.column("attempts", .integer).notNull().defaults(to: 0)
            table.column("next_attempt_at", .datetime)
            table.column("last_error", .text)
            table.column("diagnostic", .blob)
            table.column("template_tier", .text)
            table.column("template_version", .text)
            table.column("reprint_of", .integer).references("print_job").indexed()
            table.column("created_at", .datetime).notNull()
            table.column("updated_at", .datetime).notNull()
        }
        // The worker's claim: one printer's queued jobs, oldest first.
        try db.create(index: "print_job_claim", on: "print_job", columns: ["printer_id", "state", "id"])
        try db.create(index: "print_job_state", on: "print_job", columns: ["state"])
        try db.create(table: "print_job_transition") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("job_id", .integer).notNull().references("print_job", onDelete: .cascade).indexed()
            table.column("from_state", .text)
            table.column("to_state", .text).notNull()
            table.column("at", .datetime).notNull()
            table.column("note", .text)
        }
    }

    private static func createDeadLetters(_ db: Database) throws {
        try db.create(table: "dead_letter") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("payload", .blob).notNull()
            table.column("stage", .text).notNull()
            table.column("code", .text).notNull()
            table.column("reason", .text).notNull()
            table.column("field_path", .text)
            table.column("correlation_id", .text).notNull().indexed()
            table.column("job_id", .integer).references("print_job", onDelete: .setNull).indexed()
            table.column("created_at", .datetime).notNull()
            table.column("replayed_at", .datetime)
        }
    }

    private static func createOutbox(_ db: Database) throws {
        try db.create(table: "outbox") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("kind", .text).notNull()
            table.column("payload", .blob).notNull()
            table.column("nonce", .text).notNull().unique()
            table.column("created_at", .datetime).notNull()
            table.column("delivered_at", .datetime)
        }
        // Only the undelivered items are ever scanned; delivered ones stay out of the index.
        try db.execute(sql: "CREATE INDEX outbox_pending ON outbox(id) WHERE delivered_at IS NULL")
    }

    private static func createAuditTrail(_ db: Database) throws {
        try db.create(table: "audit_entry") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("at", .datetime).notNull()
            table.column("action", .text).notNull()
            table.column("actor", .text).notNull()
            table.column("subject", .text).notNull().indexed()
            table.column("details", .text).notNull()
        }
    }

    /// The attendee cache: the whole record as JSON, plus folded copies of the searched fields.
    /// `family_given_folded` and `given_family_folded` hold the two name parts joined without a
    /// space, in both orders, for names in scripts written that way ("王伟"), and are empty
    /// otherwise: they let a two-character query find a whole two-character name by index.
    /// `id` is an explicit integer primary key because the full-text index refers to rows by
    /// rowid, and only an aliased rowid is guaranteed to survive a VACUUM.
    ///
    /// The folded name columns use NOCASE so that `LIKE 'prefix%'` (the short-query path) can use
    /// their indexes (SQLite's LIKE optimisation needs a NOCASE index while LIKE is
    /// case-insensitive); their text is already lower-cased, so NOCASE changes no result.
    private static func createAttendeeCache(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE attendee (
                    id INTEGER PRIMARY KEY,
                    attendee_id TEXT NOT NULL UNIQUE,
                    event_slug TEXT NOT NULL,
                    record BLOB NOT NULL,
                    first_folded TEXT NOT NULL COLLATE NOCASE,
                    last_folded TEXT NOT NULL COLLATE NOCASE,
                    preferred_folded TEXT NOT NULL COLLATE NOCASE,
                    email_folded TEXT NOT NULL COLLATE NOCASE,
                    company_folded TEXT NOT NULL COLLATE NOCASE,
                    family_given_folded TEXT NOT NULL COLLATE NOCASE,
                    given_family_folded TEXT NOT NULL COLLATE NOCASE,
                    name_text TEXT NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE INDEX attendee_first_folded ON attendee(first_folded);
                CREATE INDEX attendee_last_folded ON attendee(last_folded);
                CREATE INDEX attendee_preferred_folded ON attendee(preferred_folded);
                CREATE INDEX attendee_email_folded ON attendee(email_folded);
                CREATE INDEX attendee_company_folded ON attendee(company_folded);
                CREATE INDEX attendee_family_given_folded ON attendee(family_given_folded);
                CREATE INDEX attendee_given_family_folded ON attendee(given_family_folded);
                CREATE VIRTUAL TABLE attendee_search USING fts5(
                    name_text, email_folded, company_folded,
                    content = 'attendee', content_rowid = 'id', tokenize = 'trigram'
                );
                CREATE TRIGGER attendee_search_insert AFTER INSERT ON attendee BEGIN
                    INSERT INTO attendee_search(rowid, name_text, email_folded, company_folded)
                    VALUES (new.id, new.name_text, new.email_folded, new.company_folded);
                END;
                CREATE TRIGGER attendee_search_delete AFTER DELETE ON attendee BEGIN
                    INSERT INTO attendee_search(attendee_search, rowid, name_text, email_folded, company_folded)
                    VALUES ('delete', old.id, old.name_text, old.email_folded, old.company_folded);
                END;
                CREATE TRIGGER attendee_search_update AFTER UPDATE ON attendee BEGIN
                    INSERT INTO attendee_search(attendee_search, rowid, name_text, email_folded, company_folded)
                    VALUES ('delete', old.id, old.name_text, old.email_folded, old.company_folded);
                    INSERT INTO attendee_search(rowid, name_text, email_folded, company_folded)
                    VALUES (new.id, new.name_text, new.email_folded, new.company_folded);
                END;
                """)
    }

    private static func createWebhookDeliveries(_ db: Database) throws {
        try db.create(table: "webhook_delivery") { table in
            table.column("source", .text).notNull()
            table.column("delivery_id", .text).notNull()
            table.column("received_at", .datetime).notNull().indexed()
            table.primaryKey(["source", "delivery_id"])
        }
    }

    private static func createManualReviewDecisions(_ db: Database) throws {
        try db.create(table: "manual_review_decision") { table in
            table.primaryKey("job_id", .integer).references("print_job")
            table.column("decision", .text).notNull()
            table.column("actor", .text).notNull()
            table.column("reason", .text).notNull()
            table.column("decided_at", .datetime).notNull()
            table.column("reprint_job_id", .integer).references("print_job")
        }
    }

    /// The search answers each ranking tier with a lookup that stops at the limit (see
    /// `LanyardStore.searchAttendees`), which takes one trigram index per field: with name,
    /// email and company in one index, finding the first names that contain "example.com" meant
    /// reading through every email that does. So:
    ///
    /// - `attendee_name_search` indexes the name document (`SearchFolding.nameDocument`), whose
    ///   line and word marks let a lookup ask for a whole name or the start of one; `name_text`
    ///   is rewritten in that form.
    /// - `attendee_email_search` and `attendee_company_search` index their field behind two line
    ///   breaks, so that a short query can ask for the start of it.
    /// - The three are contentless (`content = ''`): the search reads only rowids from them, and
    ///   the triggers hand the old text back on delete, as a contentless table needs.
    ///   `columnsize = 0`: the ranking uses no full-text relevance, so the per-row sizes it would
    ///   need are not kept.
    /// - The indexes on the folded name, email and company columns and the two joined-name
    ///   columns go: the name document and the new indexes answer everything they did, and an
    ///   upsert no longer pays for seven B-trees.
    ///
    /// `name_text` is rewritten with today's `SearchFolding.nameDocument`. A later change to
    /// that format must come with a migration that rewrites the column again, so writing
    /// today's form here is harmless.
    private static func searchAttendeesByField(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TRIGGER attendee_search_insert;
                DROP TRIGGER attendee_search_delete;
                DROP TRIGGER attendee_search_update;
                DROP TABLE attendee_search;
                DROP INDEX attendee_first_folded;
                DROP INDEX attendee_last_folded;
                DROP INDEX attendee_preferred_folded;
                DROP INDEX attendee_email_folded;
                DROP INDEX attendee_company_folded;
                DROP INDEX attendee_family_given_folded;
                DROP INDEX attendee_given_family_folded;
                ALTER TABLE attendee DROP COLUMN family_given_folded;
                ALTER TABLE attendee DROP COLUMN given_family_folded;
                """)
        // Read first, then write: updating rows while a statement is still reading them is
        // left undefined by SQLite.
        let names = try Row.fetchAll(db, sql: "SELECT id, first_folded, last_folded, preferred_folded FROM attendee")
        let update = try db.makeStatement(sql: "UPDATE attendee SET name_text = ? WHERE id = ?")
        for row in names {
            let document = SearchFolding.nameDocument(first: row[1], last: row[2], preferred: row[3])
            let id: Int64 = row[0]
            try update.execute(arguments: [document, id])
        }
        var statements = ""
        for (table, document) in [
            ("attendee_name_search", "name_text"),
            ("attendee_email_search", "char(10, 10) || email_folded"),
            ("attendee_company_search", "char(10, 10) || company_folded"),
        ] {
            statements += """
                CREATE VIRTUAL TABLE \(table) USING fts5(document, tokenize = 'trigram', content = '', columnsize = 0);
                INSERT INTO \(table)(rowid, document) SELECT id, \(document) FROM attendee;

                """
        }
        try db.execute(
            sql: statements + """
                CREATE TRIGGER attendee_search_insert AFTER INSERT ON attendee BEGIN
                    INSERT INTO attendee_name_search(rowid, document) VALUES (new.id, new.name_text);
                    INSERT INTO attendee_email_search(rowid, document) VALUES (new.id, char(10, 10) || new.email_folded);
                    INSERT INTO attendee_company_search(rowid, document) VALUES (new.id, char(10, 10) || new.company_folded);
                END;
                CREATE TRIGGER attendee_search_delete AFTER DELETE ON attendee BEGIN
                    INSERT INTO attendee_name_search(attendee_name_search, rowid, document)
                    VALUES ('delete', old.id, old.name_text);
                    INSERT INTO attendee_email_search(attendee_email_search, rowid, document)
                    VALUES ('delete', old.id, char(10, 10) || old.email_folded);
                    INSERT INTO attendee_company_search(attendee_company_search, rowid, document)
                    VALUES ('delete', old.id, char(10, 10) || old.company_folded);
                END;
                CREATE TRIGGER attendee_name_search_update AFTER UPDATE OF name_text ON attendee
                WHEN old.name_text IS NOT new.name_text BEGIN
                    INSERT INTO attendee_name_search(attendee_name_search, rowid, document)
                    VALUES ('delete', old.id, old.name_text);
                    INSERT INTO attendee_name_search(rowid, document) VALUES (new.id, new.name_text);
                END;
                CREATE TRIGGER attendee_email_search_update AFTER UPDATE OF email_folded ON attendee
                WHEN old.email_folded IS NOT new.email_folded BEGIN
                    INSERT INTO attendee_email_search(attendee_email_search, rowid, document)
                    VALUES ('delete', old.id, char(10, 10) || old.email_folded);
                    INSERT INTO attendee_email_search(rowid, document) VALUES (new.id, char(10, 10) || new.email_folded);
                END;
                CREATE TRIGGER attendee_company_search_update AFTER UPDATE OF company_folded ON attendee
                WHEN old.company_folded IS NOT new.company_folded BEGIN
                    INSERT INTO attendee_company_search(attendee_company_search, rowid, document)
                    VALUES ('delete', old.id, char(10, 10) || old.company_folded);
                    INSERT INTO attendee_company_search(rowid, document) VALUES (new.id, char(10, 10) || new.company_folded);
                END;
                """)
        // One segment per index, as a bulk upsert leaves them (`LanyardStore.optimizeSearchIndexes`).
        for table in ["attendee_name_search", "attendee_email_search", "attendee_company_search"] {
            try db.execute(sql: "INSERT INTO \(table)(\(table)) VALUES ('optimize')")
        }
    }

    /// Sync with the central registry (`AttendeeSync.swift`, `CheckIns.swift`):
    ///
    /// - `attendee_sync_cursor`: per event, the registry's cursor the attendee list is at; a
    ///   delta applies only on top of the cursor it was computed from.
    /// - `check_in`: every check-in made at this kiosk, by its nonce (also the nonce of the
    ///   outbox item that carries it upstream, so a re-sent batch is recognised there).
    /// - `check_in_resolution`: per attendee, the check-in the registry kept when several kiosks
    ///   checked the same attendee in (the earliest), as the last delta told it. No foreign key
    ///   to `attendee`: a resolution may arrive for an attendee this kiosk never saw checked in,
    ///   and both kinds of rows are history that outlives an attendee's removal.
    ///
    /// Scan instants are whole milliseconds since 1970 (`scanned_at_ms`): the registry orders
    /// check-ins by them, and an integer keeps every millisecond exactly (`ScanTime`).
    ///
    /// The CHECKs refuse empty identifiers in the database itself, so a bad change inside a
    /// delta fails its transaction rather than being stored.
    private static func createAttendeeSync(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE attendee_sync_cursor (
                    event_slug TEXT PRIMARY KEY NOT NULL CHECK (event_slug <> ''),
                    cursor INTEGER NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE check_in (
                    id INTEGER PRIMARY KEY,
                    nonce TEXT NOT NULL UNIQUE CHECK (nonce <> ''),
                    attendee_id TEXT NOT NULL CHECK (attendee_id <> ''),
                    event_slug TEXT NOT NULL CHECK (event_slug <> ''),
                    kiosk_id TEXT NOT NULL CHECK (kiosk_id <> ''),
                    scanned_at_ms INTEGER NOT NULL,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX check_in_attendee ON check_in(attendee_id, scanned_at_ms);
                CREATE TABLE check_in_resolution (
                    attendee_id TEXT PRIMARY KEY NOT NULL CHECK (attendee_id <> ''),
                    event_slug TEXT NOT NULL CHECK (event_slug <> ''),
                    nonce TEXT NOT NULL CHECK (nonce <> ''),
                    kiosk_id TEXT NOT NULL CHECK (kiosk_id <> ''),
                    scanned_at_ms INTEGER NOT NULL,
                    received_at DATETIME NOT NULL
                );
                """)
    }

    /// Each full-text index gets a `hashsize` of 32 MiB: FTS5 turns its pending index data into
    /// a new segment whenever it grows past that (1 MiB by default), and a snapshot copies its
    /// attendees into the cache with one statement (`applyAttendeeSnapshot`). 100,000 attendees
    /// make 10-15 MiB per index, so they land as one segment and the merge that follows has
    /// nothing to do, where 1 MiB left a dozen segments and a full rewrite of each index. The
    /// memory is taken only while such a statement runs; smaller writes flush long before.
    /// Which registry release rendered a badge, beside the template's own version.
    private static func recordTemplateRelease(_ db: Database) throws {
        try db.alter(table: "print_job") { table in table.add(column: "template_release", .text) }
    }

    private static func sizeSearchIndexMemory(_ db: Database) throws {
        for table in ["attendee_name_search", "attendee_email_search", "attendee_company_search"] {
            try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES ('hashsize', 33554432)")
        }
    }

    /// The operator page asks every two seconds how the jobs of the last hours ended
    /// (`jobOutcomes`): jobs in a terminal state by the time they got there. Over `state` alone
    /// that read every printed job of the event each time; `(state, updated_at)` reads only the
    /// window. It also answers everything `print_job_state` did (its first column is `state`),
    /// so that index goes and a job's state change still updates one index, not two.
    private static func indexJobsByStateAndTime(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX print_job_state;
                CREATE INDEX print_job_state_updated ON print_job(state, updated_at);
                """)
    }

    /// How attendees asked their names to be shown (`NameCorrections.swift`): history, newest
    /// last, beside the registration rather than in it. No foreign key: a correction is a record
    /// of what was asked and by whom, kept when the registry removes the attendee.
    private static func createNameCorrections(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE name_correction (
                    id INTEGER PRIMARY KEY,
                    attendee_id TEXT NOT NULL CHECK (attendee_id <> ''),
                    first_name TEXT NOT NULL CHECK (first_name <> ''),
                    last_name TEXT NOT NULL CHECK (last_name <> ''),
                    actor TEXT NOT NULL CHECK (actor <> ''),
                    reason TEXT,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX name_correction_attendee ON name_correction(attendee_id, id);
                """)
    }

    /// Each job's priority (`JobPriority`, 1 high, 0 normal, -1 low), and what a badge printed off
    /// the box needs beside its job: the handing side's record of where
    /// the badge went (the peer's or the IPP printer's job, and where and when it printed), and
    /// the receiving side's record of which peer handed a job over and which offers it withdrew.
    private static func createDestinationRecords(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE job_destination (
                    job_id INTEGER PRIMARY KEY REFERENCES print_job(id) ON DELETE CASCADE,
                    destination TEXT NOT NULL CHECK (destination <> ''),
                    offer_uncertain INTEGER NOT NULL DEFAULT 0,
                    remote_ref TEXT,
                    remote_state TEXT,
                    remote_place TEXT,
                    printed_at DATETIME,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE peer_receipt (
                    job_id INTEGER PRIMARY KEY REFERENCES print_job(id) ON DELETE CASCADE,
                    from_agent TEXT NOT NULL CHECK (from_agent <> ''),
                    received_at DATETIME NOT NULL
                );
                ALTER TABLE print_job ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE peer_withdrawal (
                    idempotency_key TEXT PRIMARY KEY CHECK (idempotency_key <> ''),
                    from_agent TEXT NOT NULL CHECK (from_agent <> ''),
                    withdrawn_at DATETIME NOT NULL
                );
                """)
    }

    /// The scan-quality loop (`ScanQuality.swift`): every kiosk read with its kind and the printer
    /// and template version it is counted against (none: unattributed), the loop's adjustments
    /// with what they changed and how a technician decided, and the QR module floor a printer's
    /// tuning now carries beside darkness and speed.
    private static func createScanQuality(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE printer_tuning ADD COLUMN qr_module_dots INTEGER;
                CREATE TABLE scan_record (
                    id INTEGER PRIMARY KEY,
                    scanned_at DATETIME NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('success', 'unverified', 'garbled', 'unparseable')),
                    printer_key TEXT CHECK (printer_key <> ''),
                    template_version TEXT CHECK (template_version <> ''),
                    attendee_id TEXT CHECK (attendee_id <> '')
                );
                CREATE INDEX scan_record_printer ON scan_record(printer_key, scanned_at);
                CREATE INDEX scan_record_time ON scan_record(scanned_at);
                CREATE TABLE scan_adjustment (
                    id INTEGER PRIMARY KEY,
                    printer_key TEXT NOT NULL CHECK (printer_key <> ''),
                    template_version TEXT,
                    change TEXT NOT NULL CHECK (change IN ('qr_module', 'darkness', 'none')),
                    from_value INTEGER,
                    to_value INTEGER,
                    current_module_dots INTEGER,
                    qr_level TEXT,
                    qr_downgraded_from TEXT,
                    scans INTEGER NOT NULL,
                    failures INTEGER NOT NULL,
                    window_seconds INTEGER NOT NULL,
                    through_scan_id INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'kept', 'reverted', 'exhausted')),
                    reviewed_by TEXT,
                    reviewed_at DATETIME,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX scan_adjustment_printer ON scan_adjustment(printer_key, id);
                """)
    }
}
