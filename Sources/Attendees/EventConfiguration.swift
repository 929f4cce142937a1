public import Foundation
public import LanyardSupport
import YAMLReading
import Yams

/// Per-event intake settings: which event this kiosk serves, the check-in signing key, how
/// ticket types map to access tiers and how CSV exports map to the attendee contract.
///
/// YAML form (keys in snake_case like the attendee contract; only `slug`, `name` and
/// `check_in_secret` are required). A given `tier_mapping` or `csv_columns` replaces the default
/// table entirely, so an event can also remove entries.
/// ```yaml
/// slug: devcon-2026
/// name: DevCon 2026
/// check_in_secret: "at least 16 bytes of secret"
/// accept_other_events: true
/// name_corrections: false   # true: attendees may rewrite their name's case and accents at the kiosk
/// csv_source: csv
/// tier_mapping:
///   General Admission: general
///   VIP: vip
/// csv_columns:
///   "Attendee #": source_id   # quoted: " #" starts a YAML comment
///   T-Shirt: custom.tshirt
/// ```
public struct EventConfiguration: Codable, Sendable, Equatable {
    public var slug: String
    public var name: String
    /// HMAC key for check-in tokens (its UTF-8 bytes). Shared with every kiosk of the event.
    public var checkInSecret: String
    /// Ticket type -> tier. Looked up case-insensitively after whitespace normalisation.
    public var tierMapping: [String: AccessTier]
    /// CSV header -> canonical field name (`AttendeeField` raw value or `custom.<key>`).
    public var csvColumns: [String: String]
    /// The `source` given to CSV rows when no column maps to `source`.
    public var csvSource: String
    /// When false, records whose event_slug differs from `slug` are rejected (intake.wrong_event).
    public var acceptOtherEvents: Bool
    /// Whether an attendee at the kiosk may change how their name is written on the badge
    /// (`NameCorrection`: case, accents, spacing; the registration stays as it came).
    public var nameCorrections: Bool

    /// Shortest accepted check-in secret, in UTF-8 bytes: shorter keys make the 128-bit tokens
    /// guessable by brute force over the key instead of the tag.
    public static let minimumSecretLength = 16

    public static let defaultTierMapping: [String: AccessTier] = [
        "General Admission": .general,
        "VIP": .vip,
        "Speaker": .speaker,
        "Staff": .staff,
        "Sponsor": .sponsor,
        "Press": .press,
        "Student": .student,
    ]

    /// Matches the registration platform's attendee export.
    public static let defaultCSVColumns: [String: String] = [
        "Attendee #": "source_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Company": "company",
        "Job Title": "job_title",
        "Ticket Type": "ticket_type",
        "Track": "track",
        "Dietary Requirements": "dietary",
        "Pronouns": "pronouns",
        "Order Date": "registered_at",
    ]

    public init(
        slug: String,
        name: String,
        checkInSecret: String,
        tierMapping: [String: AccessTier] = EventConfiguration.defaultTierMapping,
        csvColumns: [String: String] = EventConfiguration.defaultCSVColumns,
        csvSource: String = "csv",
        acceptOtherEvents: Bool = true,
        nameCorrections: Bool = false
    ) throws(EventConfigurationError) {
        self.slug = slug
        self.name = name
        self.checkInSecret = checkInSecret
        self.tierMapping = tierMapping
        self.csvColumns = csvColumns
        self.csvSource = csvSource
        self.acceptOtherEvents = acceptOtherEvents
        self.nameCorrections = nameCorrections
        try validate(file: "<code>")
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, name
        case checkInSecret = "check_in_secret"
        case tierMapping = "tier_mapping"
        case csvColumns = "csv_columns"
        case csvSource = "csv_source"
        case acceptOtherEvents = "accept_other_events"
        case nameCorrections = "name_corrections"
    }

    /// Decodes from any Codable format with the same defaults and validation as the YAML loader.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            unvalidatedSlug: try container.decode(String.self, forKey: .slug),
            name: try container.decode(String.self, forKey: .name),
            checkInSecret: try container.decode(String.self, forKey: .checkInSecret))
        tierMapping =
            try container.decodeIfPresent([String: AccessTier].self, forKey: .tierMapping)
            ?? Self.defaultTierMapping
        csvColumns =
            try container.decodeIfPresent([String: String].self, forKey: .csvColumns)
            ?? Self.defaultCSVColumns
        csvSource = try container.decodeIfPresent(String.self, forKey: .csvSource) ?? "csv"
        acceptOtherEvents = try container.decodeIfPresent(Bool.self, forKey: .acceptOtherEvents) ?? true
        nameCorrections = try container.decodeIfPresent(Bool.self, forKey: .nameCorrections) ?? false
        do {
            try validate(file: "<decoded>")
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    /// Reads and validates a YAML configuration file.
    public static func load(file: URL) throws(EventConfigurationError) -> EventConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw EventConfigurationError(
                code: .unreadable, message: "cannot read the file", file: file.path, fieldPath: "$", underlying: error)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EventConfigurationError(
                code: .unreadable, message: "the file is not valid UTF-8", file: file.path, fieldPath: "$")
        }
        return try parse(yaml: text, file: file.path)
    }

    /// Parses and validates YAML text; `file` names its origin in errors.
    public static func parse(yaml: String, file: String) throws(EventConfigurationError) -> EventConfiguration {
        let reader = ConfigurationNodeReader(file: file)
        let root: Node?
        do {
            root = try YAMLReader.compose(yaml)
        } catch {
            throw EventConfigurationError(code: .invalidYAML, message: "\(error)", file: file, fieldPath: "$")
        }
        guard let root, let mapping = root.mapping else {
            throw reader.error(.wrongType, "the document must be a mapping of settings", path: "$")
        }
        var values: [CodingKeys: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            guard let codingKey = CodingKeys(rawValue: key) else {
                let known = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(.unknownField, "unknown setting (known: \(known))", path: key)
            }
            values[codingKey] = value
        }
        var configuration = EventConfiguration(
            unvalidatedSlug: try reader.requiredString(values[.slug], path: CodingKeys.slug.rawValue),
            name: try reader.requiredString(values[.name], path: CodingKeys.name.rawValue),
            checkInSecret: try reader.requiredString(values[.checkInSecret], path: CodingKeys.checkInSecret.rawValue))
        if let node = values[.tierMapping] {
            configuration.tierMapping = try reader.tierMapping(node, path: CodingKeys.tierMapping.rawValue)
        }
        if let node = values[.csvColumns] {
            configuration.csvColumns = try reader.stringMapping(node, path: CodingKeys.csvColumns.rawValue)
        }
        if let node = values[.csvSource] {
            configuration.csvSource = try reader.requiredString(node, path: CodingKeys.csvSource.rawValue)
        }
        if let node = values[.acceptOtherEvents] {
            configuration.acceptOtherEvents = try reader.bool(node, path: CodingKeys.acceptOtherEvents.rawValue)
        }
        if let node = values[.nameCorrections] {
            configuration.nameCorrections = try reader.bool(node, path: CodingKeys.nameCorrections.rawValue)
        }
        try configuration.validate(file: file)
        return configuration
    }

    private init(unvalidatedSlug slug: String, name: String, checkInSecret: String) {
        self.slug = slug
        self.name = name
        self.checkInSecret = checkInSecret
        self.tierMapping = Self.defaultTierMapping
        self.csvColumns = Self.defaultCSVColumns
        self.csvSource = "csv"
        self.acceptOtherEvents = true
        self.nameCorrections = false
    }

    /// Checks the invariants intake and check-in rely on.
    public func validate(file: String) throws(EventConfigurationError) {
        func invalid(_ path: String, _ message: String) -> EventConfigurationError {
            EventConfigurationError(code: .invalidValue, message: message, file: file, fieldPath: path)
        }
        guard !slug.isEmpty, slug.unicodeScalars.allSatisfy(Self.isSlugCharacter) else {
            throw invalid(CodingKeys.slug.rawValue, "must be non-empty ASCII letters, digits, '-', '_' or '.'")
        }
        guard !TextNormalization.normalize(name).value.isEmpty else {
            throw invalid(CodingKeys.name.rawValue, "must not be empty")
        }
        guard checkInSecret.utf8.count >= Self.minimumSecretLength else {
            throw invalid(
                CodingKeys.checkInSecret.rawValue,
                "must be at least \(Self.minimumSecretLength) bytes long")
        }
        guard !TextNormalization.normalize(csvSource).value.isEmpty else {
            throw invalid(CodingKeys.csvSource.rawValue, "must not be empty")
        }
        var seenTicketTypes: [String: String] = [:]
        for ticketType in tierMapping.keys.sorted() {
            let key = Self.matchKey(ticketType)
            let path = "\(CodingKeys.tierMapping.rawValue).\(ticketType)"
            guard !key.isEmpty else { throw invalid(path, "ticket type must not be empty") }
            if let other = seenTicketTypes[key] {
                throw invalid(path, "ticket type is the same as '\(other)' ignoring case and spaces")
            }
            seenTicketTypes[key] = ticketType
        }
        var seenTargets: [String: String] = [:]
        var seenColumns: [String: String] = [:]
        for column in csvColumns.keys.sorted() {
            let target = csvColumns[column] ?? ""
            let path = "\(CodingKeys.csvColumns.rawValue).\(column)"
            let columnKey = Self.matchKey(column)
            guard !columnKey.isEmpty else { throw invalid(path, "column name must not be empty") }
            if let other = seenColumns[columnKey] {
                throw invalid(path, "column name is the same as '\(other)' ignoring case and spaces")
            }
            seenColumns[columnKey] = column
            guard AttendeeField.isMappable(target) else {
                throw invalid(path, "'\(target)' is not an attendee field (use a contract field name or custom.<key>)")
            }
            if let other = seenTargets[target] {
                throw invalid(path, "'\(target)' is already mapped from column '\(other)'")
            }
            seenTargets[target] = column
        }
    }

    /// The tier for a ticket type as written in a record, or nil when the type is unknown.
    public func tier(forTicketType ticketType: String) -> AccessTier? {
        let key = Self.matchKey(ticketType)
        return tierMapping.first { Self.matchKey($0.key) == key }?.value
    }

    /// The comparison form of ticket types and CSV header names: normalised text, lower-cased.
    static func matchKey(_ ticketType: String) -> String {
        TextNormalization.normalize(ticketType).value.lowercased()
    }

    private static func isSlugCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }
}

/// Turns YAML nodes into typed settings with errors that name the field and its line.
private struct ConfigurationNodeReader {
    let file: String

    func error(
        _ code: EventConfigurationErrorCode, _ message: String, path: String, node: Node? = nil
    )
        -> EventConfigurationError
    {
        let location = node?.mark.map { " (line \($0.line))" } ?? ""
        return EventConfigurationError(code: code, message: message + location, file: file, fieldPath: path)
    }

    func requiredString(_ node: Node?, path: String) throws(EventConfigurationError) -> String {
        guard let node, node.null == nil else {
            throw error(.missingField, "is required", path: path)
        }
        guard case .scalar = node, let value = node.string else {
            throw error(.wrongType, "must be a string", path: path, node: node)
        }
        return value
    }

    func bool(_ node: Node, path: String) throws(EventConfigurationError) -> Bool {
        guard let value = node.bool else {
            throw error(.wrongType, "must be true or false", path: path, node: node)
        }
        return value
    }

    func stringMapping(_ node: Node, path: String) throws(EventConfigurationError) -> [String: String] {
        guard let mapping = node.mapping else {
            throw error(.wrongType, "must be a mapping", path: path, node: node)
        }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar = keyNode, let key = keyNode.string else {
                throw error(.wrongType, "keys must be strings", path: path, node: keyNode)
            }
            result[key] = try requiredString(valueNode, path: "\(path).\(key)")
        }
        return result
    }

    func tierMapping(_ node: Node, path: String) throws(EventConfigurationError) -> [String: AccessTier] {
        var result: [String: AccessTier] = [:]
        for (key, value) in try stringMapping(node, path: path) {
            guard let tier = AccessTier(rawValue: value) else {
                let known = AccessTier.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(.invalidValue, "'\(value)' is not an access tier (known: \(known))", path: "\(path).\(key)")
            }
            result[key] = tier
        }
        return result
    }
}
