import Attendees
import Badges
import Foundation
import Testing

/// Shared builders for the intake tests.
enum IntakeTestSupport {
    static let secret = "test-secret-for-lanyard-check-ins"

    static func configuration(acceptOtherEvents: Bool = true) throws -> EventConfiguration {
        try EventConfiguration(
            slug: "devcon-2026", name: "DevCon 2026", checkInSecret: secret,
            acceptOtherEvents: acceptOtherEvents)
    }

    static func intake(acceptOtherEvents: Bool = true) throws -> Intake {
        Intake(event: try configuration(acceptOtherEvents: acceptOtherEvents))
    }

    /// A JSON string literal for `text`, escaped by JSONEncoder.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A valid record's fields as raw JSON fragments.
    static let baseFields: [String: String] = [
        "source": quoted("ticketing"),
        "source_id": quoted("REG-900001"),
        "event_slug": quoted("devcon-2026"),
        "first_name": quoted("Ada"),
        "last_name": quoted("Lovelace"),
        "email": quoted("ada@example.org"),
        "company": quoted("Analytical Engines Ltd"),
        "job_title": quoted("Mathematician"),
        "ticket_type": quoted("Speaker"),
        "track": quoted("engineering"),
        "sessions": #"["KEY-01", "WS-02"]"#,
        "dietary": #"["vegetarian"]"#,
        "accessibility": "[]",
        "pronouns": quoted("she/her"),
        "locale": quoted("en-GB"),
        "registered_at": quoted("2026-10-20T09:30:00+02:00"),
        "custom": #"{"tshirt": "M"}"#,
    ]

    /// The base record with fields replaced (raw JSON fragments) or removed (nil).
    static func record(_ changes: [String: String?] = [:]) -> Data {
        var fields = baseFields
        for (key, value) in changes {
            fields[key] = value
        }
        let body = fields.keys.sorted().compactMap { key in fields[key].map { "\(quoted(key)): \($0)" } }
        return Data(("{" + body.joined(separator: ", ") + "}").utf8)
    }

    /// Validates one record on its own.
    static func outcome(_ changes: [String: String?] = [:], acceptOtherEvents: Bool = true) throws -> IntakeOutcome {
        try intake(acceptOtherEvents: acceptOtherEvents).validate(jsonObject: record(changes), line: 7)
    }

    static func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
    }
}

extension IntakeOutcome {
    /// True when an issue with this code exists at this path.
    func has(_ code: IntakeIssueCode, at path: String) -> Bool {
        issues.contains { $0.code == code && $0.fieldPath == path }
    }

    var errorCodes: Set<IntakeIssueCode> { Set(errors.map(\.code)) }
}
