public import Foundation
public import LanyardSupport
import YAMLReading

/// Decodes and validates registration records (JSON objects, CSV rows) into `Attendee`s.
///
/// Policy — every record ends as exactly one `IntakeOutcome`:
///
/// Rejected (an error issue):
/// - `intake.malformed_json` at `$`: bytes that are not UTF-8, not JSON, or whose top-level value
///   is not an object. `intake.malformed_csv` at `$`: a CSV row whose field count differs from
///   the header's, or a row the CSV reader could not parse.
/// - `intake.too_long` at `$`: a JSON record over `maximumRecordBytes` (checked before parsing).
/// - `intake.missing_field` at `source` / `source_id`: without both there is no stable id —
///   unless the record gives an explicit `attendee_id` (a UUID; otherwise `intake.invalid_value`).
///   A `source` containing ':' is `intake.invalid_value` (':' separates the id's name parts).
/// - `intake.missing_field` at `email` when absent, null or empty; `intake.invalid_email` when it
///   does not have the shape local@domain.tld (one @, non-empty local part, dotted domain
///   without empty labels, no spaces).
/// - `intake.empty_name` at `$`: first_name, last_name and preferred_name all empty after
///   normalisation. One of them is enough (mononyms are valid).
/// - `intake.missing_field` at `ticket_type` when absent or null; `intake.unknown_ticket_type`
///   when empty or not in the tier mapping (matched case-insensitively after whitespace
///   normalisation, so "vip " and "SPEAKER" map).
/// - `intake.duplicate` at `source_id` (or `attendee_id`): the session already accepted a
///   record with the same (source, source_id) or the same attendee id. Only accepted records
///   are remembered, so a rejected record never shadows a later good one.
/// - `intake.wrong_type` where a value cannot be coerced: a name that is an object, a list that
///   is a number, a custom field that is an array...
/// - `intake.too_long`: a string longer than 512 characters (Unicode scalars) after
///   normalisation, 256 for company and job_title, more than 256 list entries or custom
///   fields; strings over 64 KiB are refused before normalisation. So a 10 MB string never
///   reaches the renderer.
/// - `intake.invalid_value`: registered_at that is not ISO 8601, a custom field name that is
///   empty or longer than 64 characters.
/// - `intake.wrong_event` at `event_slug`, only when the configuration sets
///   `acceptOtherEvents: false` and the record names another event. A record without
///   event_slug belongs to the configured event.
///
/// Accepted with warnings:
/// - `intake.stripped_characters`: padding trimmed, whitespace collapsed, control, zero-width or
///   bidi formatting characters removed (see `TextNormalization`).
/// - `intake.recased`: an ALL-CAPS or all-lower Latin name re-cased (see `NameCasing`), or an
///   email domain lower-cased (the local part is kept as given).
/// - `intake.coerced`: a number where a string belongs (source_id 123456 -> "123456"), a
///   delimited string where a list belongs ("WS-01,KEY-02" -> ["WS-01", "KEY-02"]), a null list
///   (-> []), a boolean custom value, a numeric registered_at (seconds since 1970).
/// - `intake.naive_timestamp`: registered_at without offset, taken as UTC with the offset
///   recorded as unknown.
/// - `intake.unknown_field`: a key outside the contract, ignored. Keys starting with "_" are
///   the sender's metadata and are ignored silently.
///
/// The attendee id is the record's `attendee_id` (lower-cased) when given, else the UUIDv5 of
/// "<source>:<source_id>" in `StableAttendeeID.lanyardNamespace`.
///
/// Issue reasons never quote names or email addresses: issues are written to logs and dead
/// letters, which must carry ids only.
public struct Intake: Sendable {
    public let event: EventConfiguration
    /// Normalised ticket type -> tier, built once from the configuration.
    let tierTable: [String: AccessTier]

    /// JSON records larger than this are refused unparsed: no legitimate registration is near it.
    public static let maximumRecordBytes = 1 << 20

    public init(event: EventConfiguration) {
        self.event = event
        var table: [String: AccessTier] = [:]
        for (ticketType, tier) in event.tierMapping {
            table[EventConfiguration.matchKey(ticketType)] = tier
        }
        self.tierTable = table
    }

    public func makeSession() -> IntakeSession {
        IntakeSession(intake: self)
    }

    /// Validates one JSON record on its own, without duplicate detection.
    public func validate(jsonObject bytes: Data, line: Int?) -> IntakeOutcome {
        let recordID = line.map { "line \($0)" } ?? "record"
        func malformed(_ code: IntakeIssueCode, _ reason: String) -> IntakeOutcome {
            .rejected([IntakeIssue(recordID: recordID, line: line, fieldPath: "$", code: code, reason: reason)])
        }
        if bytes.count > Self.maximumRecordBytes {
            return malformed(.tooLong, "the record is \(bytes.count) bytes; the limit is \(Self.maximumRecordBytes)")
        }
        switch JSONValue.parse(bytes) {
        case .failure(.invalidUTF8(let offset)):
            return malformed(.malformedJSON, "the record is not valid UTF-8 (first bad byte at offset \(offset))")
        case .failure(.syntax(let detail)):
            return malformed(.malformedJSON, "the record is not valid JSON: \(detail)")
        case .success(.object(let object)):
            var validator = RecordValidator(configuration: event, tierTable: tierTable, line: line, origin: .json)
            return finish(validator.validate(object), validator)
        case .success(let other):
            return malformed(.malformedJSON, "the record is \(other.typeName), not a JSON object")
        }
    }

    /// Maps a CSV header row onto the contract through the configuration's `csvColumns`
    /// (header names compared case-insensitively after whitespace normalisation).
    public func csvHeader(_ names: [String], line: Int = 1) -> CSVHeader {
        var lookup: [String: String] = [:]
        for (column, field) in event.csvColumns {
            lookup[EventConfiguration.matchKey(column)] = field
        }
        var fieldsByColumn: [Int: String] = [:]
        var issues: [IntakeIssue] = []
        var claimed: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            let label = TextNormalization.normalize(name).value
            func issue(_ code: IntakeIssueCode, _ reason: String) -> IntakeIssue {
                IntakeIssue(
                    recordID: "header", line: line, fieldPath: label.isEmpty ? "column \(index + 1)" : label,
                    code: code, reason: reason)
            }
            guard let field = lookup[EventConfiguration.matchKey(name)] else {
                let guess = closestKey(to: EventConfiguration.matchKey(name), among: event.csvColumns.keys.map(EventConfiguration.matchKey))
                    .flatMap { match in event.csvColumns.keys.first { EventConfiguration.matchKey($0) == match } }
                issues.append(
                    issue(
                        .unknownField,
                        "column is not mapped to an attendee field; ignored"
                            + (guess.map { " (did you mean '\($0)'?)" } ?? "")))
                continue
            }
            if let first = claimed[field] {
                issues.append(
                    issue(
                        .malformedCSV,
                        "column maps to \(field), like column \(first + 1); every row would be ambiguous"))
                continue
            }
            claimed[field] = index
            fieldsByColumn[index] = field
        }
        // Without a column for each field every record needs, every row would be rejected for the
        // same reason: say it once, at the header, with the headers this event's mapping expects.
        let mapped = Set(fieldsByColumn.values)
        var missing: [String] = []
        if !mapped.contains("source_id"), !mapped.contains("attendee_id") { missing.append("source_id (or attendee_id)") }
        if !mapped.contains("email") { missing.append("email") }
        if !mapped.contains("ticket_type") { missing.append("ticket_type") }
        if mapped.isDisjoint(with: ["first_name", "last_name", "preferred_name"]) {
            missing.append("a name (first_name, last_name or preferred_name)")
        }
        if !missing.isEmpty {
            let expected = event.csvColumns.sorted { $0.key < $1.key }.map { "'\($0.key)' -> \($0.value)" }.joined(separator: ", ")
            issues.append(
                IntakeIssue(
                    recordID: "header", line: line, fieldPath: "$", code: .malformedCSV,
                    reason: "no column maps to \(missing.joined(separator: ", ")), so no row can be accepted; the event's "
                        + "csv_columns expect these headers: \(expected)"))
        }
        return CSVHeader(columnCount: names.count, fieldsByColumn: fieldsByColumn, issues: issues)
    }

    /// Validates one CSV row on its own, without duplicate detection.
    public func validate(csvRecord record: CSVRecord, header: CSVHeader) -> IntakeOutcome {
        let recordID = "line \(record.line)"
        func malformed(_ reason: String) -> IntakeOutcome {
            .rejected([
                IntakeIssue(
                    recordID: recordID, line: record.line, fieldPath: "$", code: .malformedCSV,
                    reason: reason)
            ])
        }
        if let headerError = header.issues.first(where: { $0.severity == .error }) {
            return malformed("the header is unusable: \(headerError.reason)")
        }
        guard record.fields.count == header.columnCount else {
            return malformed("the row has \(record.fields.count) fields; the header has \(header.columnCount)")
        }
        var object: [String: JSONValue] = [:]
        var custom: [String: JSONValue] = [:]
        for (index, field) in header.fieldsByColumn {
            let cell = record.fields[index]
            guard !cell.isEmpty else { continue }
            if field.hasPrefix("custom.") {
                custom[String(field.dropFirst("custom.".count))] = .string(cell)
            } else {
                object[field] = .string(cell)
            }
        }
        if !custom.isEmpty { object[AttendeeField.custom.rawValue] = .object(custom) }
        if object[AttendeeField.source.rawValue] == nil {
            object[AttendeeField.source.rawValue] = .string(event.csvSource)
        }
        var validator = RecordValidator(configuration: event, tierTable: tierTable, line: record.line, origin: .csv)
        return finish(validator.validate(object), validator)
    }

    private func finish(_ attendee: Attendee?, _ validator: RecordValidator) -> IntakeOutcome {
        if let attendee, !validator.hasErrors {
            return .accepted(attendee, warnings: validator.issues)
        }
        return .rejected(validator.issues)
    }
}

/// A CSV header resolved against the event's column mapping.
public struct CSVHeader: Sendable, Equatable {
    public let columnCount: Int
    /// Column index -> canonical field name (`AttendeeField` raw value or `custom.<key>`).
    public let fieldsByColumn: [Int: String]
    /// Warnings for unmapped columns; errors for columns that make every row ambiguous.
    public let issues: [IntakeIssue]
}

/// A problem opening an input file (as opposed to a problem inside one record).
public typealias IntakeFileError = CodedError<IntakeFileErrorCode>

extension CodedError where Code == IntakeFileErrorCode {
    public init(code: Code, message: String, file: String, underlying: (any Error)? = nil) {
        self.init(code, message, context: file, underlying: underlying)
    }

    public var file: String { context ?? "" }

    static func reading(_ url: URL) throws(IntakeFileError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw IntakeFileError(code: .unreadable, message: "cannot read the file", file: url.path, underlying: error)
        }
    }
}

/// The outcomes of one input file, in input order.
public struct IntakeBatch: Sendable, Equatable {
    /// One outcome per record (for CSV, rows the reader could not parse are rejected outcomes).
    public var outcomes: [IntakeOutcome]
    /// Issues about the file rather than a record: unmapped CSV columns.
    public var fileIssues: [IntakeIssue]
}

/// Intake over a batch of records: remembers what it accepted so that a second record with the
/// same (source, source_id) or attendee id is rejected as `intake.duplicate`.
public struct IntakeSession: Sendable {
    public let intake: Intake
    private var acceptedKeys: Set<String> = []
    private var acceptedAttendeeIDs: Set<String> = []

    public init(intake: Intake) {
        self.intake = intake
    }

    /// Validates one JSON object (one JSONL line's bytes); `line` is its 1-based line number.
    public mutating func accept(jsonObject bytes: Data, line: Int?) -> IntakeOutcome {
        remember(intake.validate(jsonObject: bytes, line: line), line: line)
    }

    public mutating func accept(csvRecord record: CSVRecord, header: CSVHeader) -> IntakeOutcome {
        remember(intake.validate(csvRecord: record, header: header), line: record.line)
    }

    /// Every non-blank line of a JSON Lines file.
    public mutating func acceptJSONLines(in file: URL) throws(IntakeFileError) -> IntakeBatch {
        var outcomes: [IntakeOutcome] = []
        forEachJSONLine(in: try IntakeFileError.reading(file)) { outcomes.append($0) }
        return IntakeBatch(outcomes: outcomes, fileIssues: [])
    }

    /// Every row of a CSV file whose first record is the header.
    public mutating func acceptCSV(in file: URL) throws(IntakeFileError) -> IntakeBatch {
        acceptCSV(data: try IntakeFileError.reading(file))
    }

    public mutating func acceptCSV(data: Data) -> IntakeBatch {
        var outcomes: [IntakeOutcome] = []
        let fileIssues = forEachCSVRecord(in: data) { outcomes.append($0) }
        return IntakeBatch(outcomes: outcomes, fileIssues: fileIssues)
    }

    /// Hands each line's outcome to `body` as soon as it is decided, so a batch of any length
    /// holds one record at a time rather than all of them.
    public mutating func forEachJSONLine<E: Error>(in data: Data, _ body: (IntakeOutcome) throws(E) -> Void) throws(E) {
        for line in JSONLReader(data: data) {
            try body(accept(jsonObject: line.bytes, line: line.number))
        }
    }

    /// The CSV counterpart of `forEachJSONLine`; returns the header's issues (unmapped columns).
    @discardableResult
    public mutating func forEachCSVRecord<E: Error>(
        in data: Data, _ body: (IntakeOutcome) throws(E) -> Void
    ) throws(E) -> [IntakeIssue] {
        try forEachCSVRow(in: data) { (outcome, _) throws(E) in try body(outcome) }
    }

    /// `forEachCSVRecord` that also hands over each row as a registration object (the header's
    /// field names to the row's cells, `custom.*` columns under `custom`): what a caller keeps
    /// as a rejected row's original payload, in the shape a JSON registration has, so it can be
    /// fixed and submitted again. Nil for a row the reader could not split into fields.
    @discardableResult
    public mutating func forEachCSVRow<E: Error>(
        in data: Data, _ body: (IntakeOutcome, Data?) throws(E) -> Void
    ) throws(E) -> [IntakeIssue] {
        var reader = CSVReader(data: data)
        var header: CSVHeader?
        while true {
            let outcome: IntakeOutcome
            var row: Data?
            do throws(CSVError) {
                guard let record = try reader.next() else { break }
                guard let known = header else {
                    header = intake.csvHeader(record.fields, line: record.line)
                    continue
                }
                outcome = accept(csvRecord: record, header: known)
                row = Self.registrationObject(record, header: known)
            } catch {
                outcome = .rejected([
                    IntakeIssue(
                        recordID: "line \(error.line)", line: error.line, fieldPath: "$", code: .malformedCSV,
                        reason: error.message)
                ])
            }
            try body(outcome, row)
        }
        return header?.issues ?? []
    }

    private static func registrationObject(_ record: CSVRecord, header: CSVHeader) -> Data? {
        var object: [String: Any] = [:]
        var custom: [String: String] = [:]
        for (column, cell) in record.fields.enumerated() {
            guard let field = header.fieldsByColumn[column] else { continue }
            if field.hasPrefix("custom.") {
                custom[String(field.dropFirst("custom.".count))] = cell
            } else {
                object[field] = cell
            }
        }
        if !custom.isEmpty { object["custom"] = custom }
        return try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    private mutating func remember(_ outcome: IntakeOutcome, line: Int?) -> IntakeOutcome {
        guard case .accepted(let attendee, let warnings) = outcome else { return outcome }
        let key = attendee.sourceID.isEmpty ? nil : "\(attendee.source)\u{0}\(attendee.sourceID)"
        var duplicatePath: String?
        if let key, acceptedKeys.contains(key) {
            duplicatePath = AttendeeField.sourceID.rawValue
        } else if acceptedAttendeeIDs.contains(attendee.attendeeID) {
            duplicatePath = AttendeeField.attendeeID.rawValue
        }
        if let duplicatePath {
            let duplicate = IntakeIssue(
                recordID: attendee.sourceID.isEmpty ? (line.map { "line \($0)" } ?? "record") : attendee.sourceID,
                line: line,
                fieldPath: duplicatePath, code: .duplicate,
                reason: duplicatePath == AttendeeField.sourceID.rawValue
                    ? "an attendee with this source and source_id was already accepted in this batch"
                    : "an attendee with this attendee_id was already accepted in this batch")
            return .rejected(warnings + [duplicate])
        }
        if let key { acceptedKeys.insert(key) }
        acceptedAttendeeIDs.insert(attendee.attendeeID)
        return outcome
    }
}
