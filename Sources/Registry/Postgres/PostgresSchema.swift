internal import Logging
internal import PostgresNIO

/// The registry's tables in PostgreSQL, one migration per change, never edited once released.
/// `registry_schema` lists the versions applied. Every replica migrates on start, inside one
/// transaction holding a transaction-level advisory lock: two replicas starting at once take
/// turns, and the second finds the work done.
///
/// Differences from the SQLite schema, for many writers at once:
/// - `event_cursor` holds each event's last cursor. A transaction that records a change locks
///   its event's row and writes the row back before it commits, so the next writer of that
///   event waits and takes the following number: cursors commit in their own order, and a
///   kiosk reading "after N" never skips a number committed later (which a sequence, handed out
///   before commit, would allow). Cursors are therefore counted per event.
/// - One `attendee_change` table holds the whole log (upserts, removals, check-in winners).
/// - Identifiers and nonces use the "C" collation: byte order, as the winner's tie-break and
///   SQLite's `BINARY` sort them.
/// - Instants that are compared are integer microseconds, the others `timestamptz`.
enum PostgresSchema {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// An arbitrary constant naming the registry's migration lock among the database's advisory locks.
    static let migrationLock: Int64 = 0x4C41_4E59_4152_4431

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "registry",
            statements: [
                """
                CREATE TABLE event_cursor (
                    event text COLLATE "C" PRIMARY KEY CHECK (event <> ''),
                    cursor bigint NOT NULL CHECK (cursor >= 0)
                )
                """,
                """
                CREATE TABLE check_in (
                    nonce text COLLATE "C" PRIMARY KEY,
                    agent_id text COLLATE "C" NOT NULL,
                    event text COLLATE "C" NOT NULL,
                    attendee_id text COLLATE "C" NOT NULL,
                    kiosk_id text NOT NULL,
                    scanned_at_us bigint NOT NULL,
                    received_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX check_in_attendee ON check_in (event, attendee_id)",
                """
                CREATE TABLE check_in_winner (
                    event text COLLATE "C" NOT NULL,
                    attendee_id text COLLATE "C" NOT NULL,
                    nonce text COLLATE "C" NOT NULL,
                    kiosk_id text NOT NULL,
                    scanned_at_us bigint NOT NULL,
                    cursor bigint NOT NULL,
                    PRIMARY KEY (event, attendee_id)
                )
                """,
                """
                CREATE TABLE attendee (
                    event text COLLATE "C" NOT NULL CHECK (event <> ''),
                    attendee_id text COLLATE "C" NOT NULL CHECK (attendee_id <> ''),
                    registration text NOT NULL,
                    cursor bigint NOT NULL,
                    PRIMARY KEY (event, attendee_id)
                )
                """,
                """
                CREATE TABLE attendee_change (
                    event text COLLATE "C" NOT NULL,
                    cursor bigint NOT NULL,
                    op text NOT NULL CHECK (op IN ('upsert', 'remove', 'check_in_resolved')),
                    attendee_id text COLLATE "C" NOT NULL,
                    registration text CHECK ((op = 'upsert') = (registration IS NOT NULL)),
                    nonce text COLLATE "C" CHECK ((op = 'check_in_resolved') = (nonce IS NOT NULL)),
                    kiosk_id text,
                    scanned_at_us bigint,
                    recorded_at timestamptz NOT NULL,
                    PRIMARY KEY (event, cursor)
                )
                """,
                """
                CREATE TABLE print_result (
                    nonce text COLLATE "C" PRIMARY KEY,
                    agent_id text COLLATE "C" NOT NULL,
                    job_id text NOT NULL,
                    attendee_id text,
                    state text NOT NULL CHECK (state IN ('printed', 'dead_letter', 'manual_review', 'cancelled')),
                    template text,
                    template_version text,
                    tier text,
                    finished_at_us bigint NOT NULL,
                    received_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX print_result_agent ON print_result (agent_id, state)",
                """
                CREATE TABLE agent (
                    agent_id text COLLATE "C" PRIMARY KEY,
                    public_key text NOT NULL,
                    first_seen timestamptz NOT NULL,
                    last_seen timestamptz NOT NULL,
                    sent_at_us bigint NOT NULL,
                    report bytea NOT NULL,
                    reports_received bigint NOT NULL DEFAULT 1
                )
                """,
            ]),
        // Tokens and the audit log, as in SQLite's v5 (docs/registry-server.md, "Tokens and roles").
        Migration(
            version: 2, name: "access",
            statements: [
                """
                CREATE TABLE access_token (
                    id text COLLATE "C" PRIMARY KEY CHECK (length(id) = 16),
                    holder text NOT NULL CHECK (holder <> ''),
                    roles text NOT NULL CHECK (roles <> ''),
                    secret_sha256 text NOT NULL UNIQUE CHECK (length(secret_sha256) = 64),
                    created_at_us bigint NOT NULL,
                    expires_at_us bigint,
                    revoked_at_us bigint,
                    replaced_by text REFERENCES access_token(id)
                )
                """,
                """
                CREATE TABLE audit_log (
                    id bigserial PRIMARY KEY,
                    at_us bigint NOT NULL,
                    actor text NOT NULL,
                    token_id text,
                    action text NOT NULL,
                    subject text NOT NULL,
                    reason text,
                    detail text NOT NULL,
                    correlation_id text
                )
                """,
            ]),
    ]

    /// Applies the migrations this database lacks; refuses a database migrated by a newer server.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS registry_schema (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM registry_schema", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            let known = Set(migrations.map(\.version))
            if let newer = applied.subtracting(known).max() {
                throw RegistryError(
                    .configurationInvalid, "the database's schema version \(newer) is newer than this server knows (\(known.max() ?? 0))",
                    detail: "registry_schema")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO registry_schema (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
                logger.notice("registry database migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }
}
