/// Stable identifiers for everything intake can say about a record; dead letters and dashboards
/// key on these, so the raw values never change.
public enum IntakeIssueCode: String, Sendable, Codable, CaseIterable {
    case missingField = "intake.missing_field"
    case invalidEmail = "intake.invalid_email"
    case unknownTicketType = "intake.unknown_ticket_type"
    case duplicate = "intake.duplicate"
    case emptyName = "intake.empty_name"
    case malformedJSON = "intake.malformed_json"
    case malformedCSV = "intake.malformed_csv"
    case wrongType = "intake.wrong_type"
    case invalidValue = "intake.invalid_value"
    case tooLong = "intake.too_long"
    case wrongEvent = "intake.wrong_event"
    case unknownField = "intake.unknown_field"
    case recased = "intake.recased"
    case strippedCharacters = "intake.stripped_characters"
    case coerced = "intake.coerced"
    case naiveTimestamp = "intake.naive_timestamp"

    /// The severity an issue with this code always has.
    public var severity: IntakeIssue.Severity {
        switch self {
        case .unknownField, .recased, .strippedCharacters, .coerced, .naiveTimestamp: .warning
        default: .error
        }
    }
}

/// One finding about one record: an error rejects the record, a warning only explains a repair.
/// Reasons never quote the attendee's name or email, because issues go to logs and dead letters.
public struct IntakeIssue: Error, Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Hashable {
        case warning, error
    }

    /// The record's source_id when known, otherwise "line N" (or "record" when there is no line).
    public var recordID: String
    /// 1-based line in the input file, when the record came from one.
    public var line: Int?
    /// JSON-path-like location: "email", "sessions[2]", "custom.tshirt", or "$" for the record.
    public var fieldPath: String
    public var code: IntakeIssueCode
    /// A human sentence.
    public var reason: String
    public var severity: Severity

    public init(recordID: String, line: Int?, fieldPath: String, code: IntakeIssueCode, reason: String) {
        self.recordID = recordID
        self.line = line
        self.fieldPath = fieldPath
        self.code = code
        self.reason = reason
        self.severity = code.severity
    }

    /// The same text as `reason`, under the name the project's other errors use.
    public var message: String { reason }

    public var description: String {
        let location = line.map { "line \($0), " } ?? ""
        return "\(severity.rawValue) \(code.rawValue) [\(location)record \(recordID), \(fieldPath)]: \(reason)"
    }
}

/// What intake decided about one record.
public enum IntakeOutcome: Sendable, Equatable {
    /// The record is valid; the warnings say what was repaired on the way.
    case accepted(Attendee, warnings: [IntakeIssue])
    /// The record is refused: at least one issue is an error; warnings found on the way are kept
    /// so a dead letter explains everything at once.
    case rejected([IntakeIssue])

    public var attendee: Attendee? {
        if case .accepted(let attendee, _) = self { return attendee }
        return nil
    }

    /// Every issue, warnings and errors.
    public var issues: [IntakeIssue] {
        switch self {
        case .accepted(_, let warnings): warnings
        case .rejected(let issues): issues
        }
    }

    public var errors: [IntakeIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [IntakeIssue] { issues.filter { $0.severity == .warning } }
    public var isAccepted: Bool { attendee != nil }
}
