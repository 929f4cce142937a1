import Foundation
import LanyardSupport

/// Validates one decoded record against the attendee contract and builds the `Attendee`.
/// Collects every issue rather than stopping at the first, so a dead letter explains the whole
/// record. Duplicate detection is the session's job, not this type's.
struct RecordValidator {
    /// Where the record came from; CSV cells are always text, so list cells written as
    /// "a; b" are the format there, not a repair worth a warning.
    enum Origin {
        case json, csv
    }

    /// Strings longer than this (in UTF-8 bytes) are refused before normalisation, so a 10 MB
    /// value costs no Unicode processing; far above every field's character limit.
    static let rawStringByteLimit = 64 * 1024
    /// Most entries in a list field or in `custom`.
    static let maximumEntries = 256

    let configuration: EventConfiguration
    let tierTable: [String: AccessTier]
    let line: Int?
    let origin: Origin
    private(set) var issues: [IntakeIssue] = []
    private(set) var recordID: String

    init(configuration: EventConfiguration, tierTable: [String: AccessTier], line: Int?, origin: Origin) {
        self.configuration = configuration
        self.tierTable = tierTable
        self.line = line
        self.origin = origin
        self.recordID = line.map { "line \($0)" } ?? "record"
    }

    mutating func note(_ code: IntakeIssueCode, _ path: String, _ reason: String) {
        issues.append(IntakeIssue(recordID: recordID, line: line, fieldPath: path, code: code, reason: reason))
    }

    var hasErrors: Bool { issues.contains { $0.severity == .error } }

    /// Validates `object`; returns the attendee only when no error was found.
    mutating func validate(_ object: [String: JSONValue]) -> Attendee? {
        let explicitSourceID = text(object, .sourceID)
        if let explicitSourceID {
            recordID = explicitSourceID
            // Issues noted while reading source_id were labelled before its value was known.
            for index in issues.indices { issues[index].recordID = explicitSourceID }
        }
        reportUnknownFields(object)

        let attendeeID = explicitAttendeeID(object)
        let source = text(object, .source)
        if let source, source.contains(":") {
            note(
                .invalidValue, AttendeeField.source.rawValue,
                "source must not contain ':', which separates source and source_id in the stable id")
        }
        if attendeeID == nil && !hasIssue(at: AttendeeField.attendeeID.rawValue) {
            if source == nil && !hasIssue(at: AttendeeField.source.rawValue) {
                note(
                    .missingField, AttendeeField.source.rawValue,
                    "source is required to derive a stable attendee id (or give attendee_id)")
            }
            if explicitSourceID == nil && !hasIssue(at: AttendeeField.sourceID.rawValue) {
                note(
                    .missingField, AttendeeField.sourceID.rawValue,
                    "source_id is required to derive a stable attendee id (or give attendee_id)")
            }
        }

        let eventSlug = text(object, .eventSlug) ?? configuration.slug
        if !configuration.acceptOtherEvents && eventSlug != configuration.slug {
            note(
                .wrongEvent, AttendeeField.eventSlug.rawValue,
                "the record is for another event and this configuration accepts only '\(configuration.slug)'")
        }

        let locale = text(object, .locale)
        let firstName = name(object, .firstName, position: .leading, locale: locale)
        let preferredName = name(object, .preferredName, position: .leading, locale: locale)
        let lastNamePosition: NameCasing.Position = (firstName ?? preferredName) == nil ? .leading : .following
        let lastName = name(object, .lastName, position: lastNamePosition, locale: locale)
        let nameFieldsReadable = ![AttendeeField.firstName, .lastName, .preferredName]
            .contains { hasIssue(at: $0.rawValue, severity: .error) }
        if firstName == nil && lastName == nil && preferredName == nil && nameFieldsReadable {
            note(.emptyName, "$", "first_name, last_name and preferred_name are all empty")
        }

        let email = emailAddress(object)
        let (ticketType, accessTier) = ticket(object)
        let company = text(object, .company)
        let jobTitle = text(object, .jobTitle)
        let track = text(object, .track)
        let pronouns = text(object, .pronouns)
        let sessions = list(object, .sessions)
        let dietary = list(object, .dietary)
        let accessibility = list(object, .accessibility)
        let registered = timestamp(object)
        let custom = customFields(object)

        guard !hasErrors, let email, let ticketType, let accessTier else { return nil }
        let resolvedSource = source ?? ""
        let resolvedSourceID = explicitSourceID ?? ""
        return Attendee(
            attendeeID: attendeeID
                ?? StableAttendeeID.derive(source: resolvedSource, sourceID: resolvedSourceID),
            source: resolvedSource,
            sourceID: resolvedSourceID,
            eventSlug: eventSlug,
            firstName: firstName,
            lastName: lastName,
            preferredName: preferredName,
            email: email,
            company: company,
            jobTitle: jobTitle,
            ticketType: ticketType,
            accessTier: accessTier,
            track: track,
            sessions: sessions,
            dietary: dietary,
            accessibility: accessibility,
            pronouns: pronouns,
            locale: locale,
            registeredAt: registered?.date,
            registeredAtUTCOffsetSeconds: registered?.utcOffsetSeconds,
            custom: custom)
    }

    private func hasIssue(at path: String, severity: IntakeIssue.Severity? = nil) -> Bool {
        issues.contains { $0.fieldPath == path && (severity == nil || $0.severity == severity) }
    }

    private mutating func reportUnknownFields(_ object: [String: JSONValue]) {
        for key in object.keys.sorted() where AttendeeField(rawValue: key) == nil && !key.hasPrefix("_") {
            note(.unknownField, key, "not part of the attendee contract; ignored")
        }
    }

    // MARK: Scalars

    /// A normalised string field; nil when absent, null or empty after normalisation.
    private mutating func text(_ object: [String: JSONValue], _ field: AttendeeField) -> String? {
        guard let value = object[field.rawValue] else { return nil }
        return scalarText(value, path: field.rawValue, maximumLength: field.maximumLength)
    }

    private mutating func scalarText(_ value: JSONValue, path: String, maximumLength: Int) -> String? {
        switch value {
        case .null:
            return nil
        case .string(let raw):
            return normalizedText(raw, path: path, maximumLength: maximumLength)
        case .integer, .double:
            guard let number = value.numberText else {
                note(.wrongType, path, "expected a string, found a number that cannot be written as text")
                return nil
            }
            note(.coerced, path, "expected a string, found a number; used its decimal text")
            return number
        case .bool, .array, .object:
            note(.wrongType, path, "expected a string, found \(value.typeName)")
            return nil
        }
    }

    private mutating func normalizedText(_ raw: String, path: String, maximumLength: Int) -> String? {
        if raw.utf8.count > Self.rawStringByteLimit {
            note(.tooLong, path, "is \(raw.utf8.count) bytes long; the limit is \(maximumLength) characters")
            return nil
        }
        let normalized = TextNormalization.normalize(raw)
        if normalized.removedCharacterCount > 0 {
            note(
                .strippedCharacters, path,
                "removed \(normalized.removedCharacterCount) control, zero-width or bidi formatting character(s)")
        }
        if normalized.whitespaceAdjusted {
            note(.strippedCharacters, path, "trimmed padding or collapsed internal whitespace")
        }
        let length = normalized.value.unicodeScalars.count
        if length > maximumLength {
            note(.tooLong, path, "is \(length) characters long; the limit is \(maximumLength)")
            return nil
        }
        return normalized.value.isEmpty ? nil : normalized.value
    }

    private mutating func explicitAttendeeID(_ object: [String: JSONValue]) -> String? {
        guard let raw = text(object, .attendeeID) else { return nil }
        guard let canonical = StableAttendeeID.canonical(raw) else {
            note(.invalidValue, AttendeeField.attendeeID.rawValue, "attendee_id must be a UUID (8-4-4-4-12 hex digits)")
            return nil
        }
        return canonical
    }

    private mutating func name(
        _ object: [String: JSONValue], _ field: AttendeeField, position: NameCasing.Position, locale: String?
    ) -> String? {
        guard let value = text(object, field) else { return nil }
        let recased = NameCasing.normalizeCasing(value, position: position, locale: locale)
        if recased != value {
            let style = value.unicodeScalars.contains { $0.properties.isLowercase } ? "all lower case" : "all capitals"
            note(.recased, field.rawValue, "written in \(style); re-cased to title case")
        }
        return recased
    }

    private mutating func emailAddress(_ object: [String: JSONValue]) -> String? {
        let path = AttendeeField.email.rawValue
        guard let value = object[path], value != .null else {
            note(.missingField, path, "email is required")
            return nil
        }
        let errorsBefore = issues.count { $0.severity == .error }
        let text = scalarText(value, path: path, maximumLength: AttendeeField.email.maximumLength)
        if issues.count(where: { $0.severity == .error }) > errorsBefore { return nil }
        guard let text else {
            note(.missingField, path, "email is empty")
            return nil
        }
        switch EmailAddress.normalize(text) {
        case .success(let email):
            if email.domainRecased {
                note(.recased, path, "lower-cased the email domain")
            }
            return email.value
        case .failure(let problem):
            note(.invalidEmail, path, "the email address \(problem.reason)")
            return nil
        }
    }

    private mutating func ticket(_ object: [String: JSONValue]) -> (String?, AccessTier?) {
        let path = AttendeeField.ticketType.rawValue
        guard let value = object[path], value != .null else {
            note(.missingField, path, "ticket_type is required")
            return (nil, nil)
        }
        let errorsBefore = issues.count { $0.severity == .error }
        let text = scalarText(value, path: path, maximumLength: AttendeeField.ticketType.maximumLength)
        if issues.count(where: { $0.severity == .error }) > errorsBefore { return (nil, nil) }
        guard let text else {
            note(.unknownTicketType, path, "ticket_type is empty")
            return (nil, nil)
        }
        guard let tier = tierTable[EventConfiguration.matchKey(text)] else {
            let known = configuration.tierMapping.keys.sorted().joined(separator: ", ")
            note(.unknownTicketType, path, "ticket type '\(text)' is not in the event's tier mapping (known: \(known))")
            return (nil, nil)
        }
        return (text, tier)
    }

    private mutating func timestamp(_ object: [String: JSONValue]) -> RegistrationTimestamp? {
        let path = AttendeeField.registeredAt.rawValue
        guard let value = object[path] else { return nil }
        switch value {
        case .null:
            return nil
        case .integer, .double:
            let seconds: Double =
                switch value {
                case .integer(let integer): Double(integer)
                case .double(let double): double
                default: .nan
                }
            guard seconds.isFinite, abs(seconds) < 253_402_300_800 else {
                note(.invalidValue, path, "is a number outside the range of dates")
                return nil
            }
            note(.coerced, path, "expected an ISO 8601 string, found a number; read it as seconds since 1970 UTC")
            return RegistrationTimestamp(date: Date(timeIntervalSince1970: seconds), utcOffsetSeconds: nil)
        case .string:
            guard let text = scalarText(value, path: path, maximumLength: AttendeeField.registeredAt.maximumLength)
            else { return nil }
            guard let parsed = RegistrationTimestamp.parse(text) else {
                note(.invalidValue, path, "is not an ISO 8601 date-time (expected like 2026-10-20T09:30:00+02:00)")
                return nil
            }
            if parsed.utcOffsetSeconds == nil {
                note(.naiveTimestamp, path, "has no UTC offset; taken as UTC, offset unknown")
            }
            return parsed
        case .bool, .array, .object:
            note(.wrongType, path, "expected an ISO 8601 string, found \(value.typeName)")
            return nil
        }
    }

    // MARK: Lists and custom fields

    private mutating func list(_ object: [String: JSONValue], _ field: AttendeeField) -> [String] {
        let path = field.rawValue
        guard let value = object[path] else { return [] }
        var result: [String] = []
        switch value {
        case .null:
            note(.coerced, path, "was null; taken as an empty list")
        case .string(let raw):
            if origin == .json {
                note(.coerced, path, "expected an array, found a delimited string; split it on commas and semicolons")
            }
            if raw.utf8.count > Self.rawStringByteLimit {
                note(.tooLong, path, "is \(raw.utf8.count) bytes long")
                return []
            }
            let parts = raw.split(whereSeparator: { $0 == "," || $0 == ";" })
            for (index, part) in parts.enumerated() {
                if let item = normalizedText(String(part), path: "\(path)[\(index)]", maximumLength: field.maximumLength) {
                    result.append(item)
                }
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let item = scalarText(element, path: "\(path)[\(index)]", maximumLength: field.maximumLength) {
                    result.append(item)
                }
            }
        case .bool, .integer, .double, .object:
            note(.wrongType, path, "expected an array of strings, found \(value.typeName)")
        }
        if result.count > Self.maximumEntries {
            note(.tooLong, path, "has \(result.count) entries; the limit is \(Self.maximumEntries)")
            return []
        }
        return result
    }

    private mutating func customFields(_ object: [String: JSONValue]) -> [String: String] {
        let path = AttendeeField.custom.rawValue
        guard let value = object[path] else { return [:] }
        let entries: [String: JSONValue]
        switch value {
        case .null: return [:]
        case .object(let object): entries = object
        default:
            note(.wrongType, path, "expected an object of strings, found \(value.typeName)")
            return [:]
        }
        if entries.count > Self.maximumEntries {
            note(.tooLong, path, "has \(entries.count) entries; the limit is \(Self.maximumEntries)")
            return [:]
        }
        var result: [String: String] = [:]
        for rawKey in entries.keys.sorted() {
            guard let entry = entries[rawKey] else { continue }
            let key = TextNormalization.normalize(rawKey).value
            let entryPath = "\(path).\(rawKey)"
            guard !key.isEmpty, key.unicodeScalars.count <= 64 else {
                note(.invalidValue, entryPath, "custom field names must be 1 to 64 characters")
                continue
            }
            switch entry {
            case .bool(let flag):
                note(.coerced, entryPath, "expected a string, found a boolean; used \(flag)")
                result[key] = String(flag)
            default:
                if let text = scalarText(entry, path: entryPath, maximumLength: 512) {
                    result[key] = text
                }
            }
        }
        return result
    }
}
