import Attendees
import Foundation
import Testing

@Suite("Intake policy per record")
struct IntakeRecordTests {
    typealias Support = IntakeTestSupport
    let q = IntakeTestSupport.quoted

    @Test("A complete record is accepted without issues and every field is carried")
    func completeRecord() throws {
        let outcome = try Support.outcome()
        let attendee = try #require(outcome.attendee)
        #expect(outcome.issues.isEmpty)
        #expect(attendee.attendeeID == StableAttendeeID.derive(source: "ticketing", sourceID: "REG-900001"))
        #expect(attendee.source == "ticketing")
        #expect(attendee.sourceID == "REG-900001")
        #expect(attendee.eventSlug == "devcon-2026")
        #expect(attendee.firstName == "Ada")
        #expect(attendee.lastName == "Lovelace")
        #expect(attendee.preferredName == nil)
        #expect(attendee.email == "ada@example.org")
        #expect(attendee.company == "Analytical Engines Ltd")
        #expect(attendee.jobTitle == "Mathematician")
        #expect(attendee.ticketType == "Speaker")
        #expect(attendee.accessTier == .speaker)
        #expect(attendee.track == "engineering")
        #expect(attendee.sessions == ["KEY-01", "WS-02"])
        #expect(attendee.dietary == ["vegetarian"])
        #expect(attendee.accessibility == [])
        #expect(attendee.pronouns == "she/her")
        #expect(attendee.locale == "en-GB")
        #expect(attendee.registeredAt == Date(timeIntervalSince1970: 1_792_481_400))
        #expect(attendee.registeredAtUTCOffsetSeconds == 7200)
        #expect(attendee.custom == ["tshirt": "M"])
    }

    @Test("The fields view uses the snake_case placeholder names")
    func fieldsView() throws {
        let attendee = try #require(try Support.outcome(["preferred_name": q("Countess")]).attendee)
        let fields = attendee.fields
        #expect(fields["first_name"] == "Ada")
        #expect(fields["last_name"] == "Lovelace")
        #expect(fields["preferred_name"] == "Countess")
        #expect(fields["email"] == "ada@example.org")
        #expect(fields["company"] == "Analytical Engines Ltd")
        #expect(fields["job_title"] == "Mathematician")
        #expect(fields["ticket_type"] == "Speaker")
        #expect(fields["access_tier"] == "speaker")
        #expect(fields["track"] == "engineering")
        #expect(fields["pronouns"] == "she/her")
        #expect(fields["locale"] == "en-GB")
        #expect(fields["event_slug"] == "devcon-2026")
        #expect(fields["attendee_id"] == attendee.attendeeID)
        #expect(fields["source"] == "ticketing")
        #expect(fields["source_id"] == "REG-900001")
        #expect(fields["sessions"] == "KEY-01,WS-02")
        #expect(fields["custom.tshirt"] == "M")
        #expect(fields["registered_at"] == "2026-10-20T09:30:00+02:00")
        let bare = try #require(try Support.outcome(["company": "null", "track": nil]).attendee)
        #expect(bare.fields["company"] == nil)
        #expect(bare.fields["track"] == nil)
    }

    @Test("Attendee round-trips through Codable with contract key names")
    func codableRoundTrip() throws {
        let attendee = try #require(try Support.outcome().attendee)
        let data = try JSONEncoder().encode(attendee)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"attendee_id\""))
        #expect(text.contains("\"access_tier\":\"speaker\""))
        #expect(try JSONDecoder().decode(Attendee.self, from: data) == attendee)
    }

    // MARK: Rejections

    @Test("Missing source or source_id is rejected unless attendee_id is given")
    func missingSourceIdentity() throws {
        let noSourceID = try Support.outcome(["source_id": nil])
        #expect(noSourceID.attendee == nil)
        #expect(noSourceID.has(.missingField, at: "source_id"))
        #expect(noSourceID.errors.first?.recordID == "line 7")

        let noSource = try Support.outcome(["source": "null"])
        #expect(noSource.has(.missingField, at: "source"))

        let explicit = try Support.outcome([
            "source": nil, "source_id": nil,
            "attendee_id": q("6BA7B810-9DAD-11D1-80B4-00C04FD430C8"),
        ])
        let attendee = try #require(explicit.attendee)
        #expect(attendee.attendeeID == "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        #expect(attendee.source.isEmpty && attendee.sourceID.isEmpty)

        let badID = try Support.outcome(["attendee_id": q("not-a-uuid")])
        #expect(badID.has(.invalidValue, at: "attendee_id"))
        #expect(try Support.outcome(["source": q("crm:eu")]).has(.invalidValue, at: "source"))
    }

    @Test(
        "Missing, empty or malformed email is rejected",
        arguments: [
            (String?.none, IntakeIssueCode.missingField),
            ("null", .missingField),
            (#""   ""#, .missingField),
            (#""ada at example.org""#, .invalidEmail),
            (#""ada@example""#, .invalidEmail),
            (#""a@b@example.org""#, .invalidEmail),
            ("42", .invalidEmail),
            (#"{"address": "ada@example.org"}"#, .wrongType),
        ])
    func badEmail(_ email: String?, _ code: IntakeIssueCode) throws {
        let outcome = try Support.outcome(["email": email])
        #expect(outcome.attendee == nil)
        #expect(outcome.errorCodes == [code])
        #expect(outcome.has(code, at: "email"))
        #expect(!outcome.errors.contains { $0.reason.contains("ada") }, "reasons must not quote the address")
    }

    @Test("No name at all is rejected; any one name is enough")
    func names() throws {
        let none = try Support.outcome(["first_name": q(""), "last_name": q("  \u{200B} ")])
        #expect(none.errorCodes == [.emptyName])
        #expect(none.has(.emptyName, at: "$"))
        #expect(try Support.outcome(["first_name": nil, "last_name": nil]).errorCodes == [.emptyName])
        #expect(try Support.outcome(["last_name": nil]).attendee?.firstName == "Ada")
        #expect(try Support.outcome(["first_name": nil]).attendee?.lastName == "Lovelace")
        let preferredOnly = try Support.outcome(["first_name": nil, "last_name": nil, "preferred_name": q("Prince")])
        #expect(preferredOnly.attendee?.preferredName == "Prince")
        let objectName = try Support.outcome(["first_name": #"{"given": "Ada"}"#])
        #expect(objectName.errorCodes == [.wrongType])
        #expect(objectName.has(.wrongType, at: "first_name"))
    }

    @Test(
        "Empty, missing or unknown ticket types are rejected",
        arguments: [
            (String?.none, IntakeIssueCode.missingField),
            (#""""#, .unknownTicketType),
            (#""Platinum++""#, .unknownTicketType),
            ("true", .wrongType),
        ])
    func badTicket(_ ticket: String?, _ code: IntakeIssueCode) throws {
        let outcome = try Support.outcome(["ticket_type": ticket])
        #expect(outcome.errorCodes == [code])
        #expect(outcome.has(code, at: "ticket_type"))
    }

    @Test(
        "Ticket types map case-insensitively after whitespace normalisation",
        arguments: [
            ("vip ", AccessTier.vip), ("SPEAKER", .speaker), ("general\u{00A0} admission", .general),
            ("Student", .student), ("press", .press), ("STAFF", .staff), ("sponsor", .sponsor),
        ])
    func ticketMapping(_ ticket: String, _ tier: AccessTier) throws {
        let attendee = try #require(try Support.outcome(["ticket_type": q(ticket)]).attendee)
        #expect(attendee.accessTier == tier)
        #expect(attendee.ticketType == TextNormalization.normalize(ticket).value)
    }

    @Test("Strings over the limits are rejected as too long")
    func tooLong() throws {
        let name512 = String(repeating: "a", count: 511) + "B"
        #expect(try Support.outcome(["first_name": q(name512)]).attendee?.firstName == name512)
        let name513 = try Support.outcome(["first_name": q(String(repeating: "x", count: 513))])
        #expect(name513.errorCodes == [.tooLong])
        #expect(name513.has(.tooLong, at: "first_name"))

        let company256 = String(repeating: "Acme ", count: 51) + "X"
        #expect(try Support.outcome(["company": q(company256)]).attendee?.company == company256)
        let company257 = try Support.outcome(["company": q(company256 + "Y")])
        #expect(company257.has(.tooLong, at: "company"))
        #expect(try Support.outcome(["job_title": q(String(repeating: "j", count: 257))]).has(.tooLong, at: "job_title"))

        // 200 KB: refused by the raw byte limit before any normalisation.
        let huge = try Support.outcome(["last_name": q(String(repeating: "L", count: 200_000))])
        #expect(huge.has(.tooLong, at: "last_name"))
        // 10 MB: refused before parsing.
        let tenMB = try Support.outcome(["company": q(String(repeating: "C", count: 10_000_000))])
        #expect(tenMB.has(.tooLong, at: "$"))
        // Padding does not count: the limit is after normalisation.
        let padded = "   " + String(repeating: "p", count: 512) + String(repeating: " ", count: 40)
        #expect(try Support.outcome(["first_name": q(padded)]).isAccepted)

        let manySessions = "[" + (0..<300).map { q("S-\($0)") }.joined(separator: ",") + "]"
        #expect(try Support.outcome(["sessions": manySessions]).has(.tooLong, at: "sessions"))
        #expect(
            try Support.outcome(["sessions": "[\(q(String(repeating: "s", count: 600)))]"])
                .has(.tooLong, at: "sessions[0]"))
    }

    @Test(
        "Malformed JSON and non-object records are rejected at $",
        arguments: [
            #"{"source": "ticketing", "#,
            "",
            "[1, 2, 3]",
            #""just a string""#,
            "42",
            "null",
            "{\"first_name\": \"a\u{0}b\"}",
            #"{"first_name": "\ud800"}"#,
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
            #"{"a": 1e400}"#,
        ])
    func malformed(_ text: String) throws {
        let outcome = try Support.intake().validate(jsonObject: Data(text.utf8), line: 3)
        #expect(outcome.attendee == nil)
        #expect(outcome.issues.count == 1)
        #expect(outcome.has(.malformedJSON, at: "$"))
        #expect(outcome.issues.first?.recordID == "line 3")
        #expect(outcome.issues.first?.line == 3)
    }

    @Test("JSON escapes decode; duplicate keys, bad escapes and deep nesting are refused")
    func jsonDetails() throws {
        let escaped = try Support.outcome([
            "first_name": #""Ren\u00e9e \ud83d\ude00""#, "last_name": #""O\u2019Brien \"Jr\"""#,
        ])
        #expect(escaped.attendee?.firstName == "Renée 😀")
        #expect(escaped.attendee?.lastName == "O’Brien \"Jr\"")
        let intake = try Support.intake()
        for text in [
            #"{"email": "a@example.org", "email": "b@example.org"}"#,
            #"{"first_name": "\ud800x"}"#,
            #"{"first_name": "\udc00"}"#,
            #"{"first_name": "\q"}"#,
            #"{"first_name": "\u12G4"}"#,
            #"{"n": 012}"#,
            #"{"n": -}"#,
            #"{"n": 1.}"#,
            #"{"n": tru}"#,
            #"{"a": 1,}"#,
            #"{"a": 1} x"#,
            String(repeating: #"{"a": "#, count: 40) + "1" + String(repeating: "}", count: 40),
        ] {
            let outcome = intake.validate(jsonObject: Data(text.utf8), line: 1)
            #expect(outcome.has(.malformedJSON, at: "$"), Comment(rawValue: text))
        }
        let nested = String(repeating: #"{"a": "#, count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(intake.validate(jsonObject: Data(nested.utf8), line: 1).errorCodes == [.missingField, .emptyName])
        let numbers = try Support.outcome(["custom": #"{"a": -0, "b": 1.5e3, "c": 12345678901234567890, "d": 0.25}"#])
        #expect(numbers.attendee?.custom == ["a": "0", "b": "1500", "c": "1.2345678901234567e+19", "d": "0.25"])
    }

    @Test("Invalid UTF-8 bytes are rejected cleanly with the offset")
    func invalidUTF8() throws {
        var bytes = Array(#"{"source": "crm", "source_id": "R-1", "first_name": "Zo"#.utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array(#"", "email": "z@example.org", "ticket_type": "VIP"}"#.utf8)
        let outcome = try Support.intake().validate(jsonObject: Data(bytes), line: 9)
        #expect(outcome.has(.malformedJSON, at: "$"))
        #expect(outcome.issues.first?.reason.contains("UTF-8") == true)
        #expect(outcome.issues.first?.reason.contains("offset 55") == true)
        for lone: [UInt8] in [[0xFF], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let data = Data(Array(#"{"first_name": ""#.utf8) + lone + Array(#""}"#.utf8))
            #expect(try Support.intake().validate(jsonObject: data, line: 1).has(.malformedJSON, at: "$"))
        }
    }

    @Test("Records for other events are rejected only when the configuration says so")
    func otherEvents() throws {
        let other = ["event_slug": q("medsummit-eu")]
        #expect(try Support.outcome(other).attendee?.eventSlug == "medsummit-eu")
        let strict = try Support.outcome(other, acceptOtherEvents: false)
        #expect(strict.errorCodes == [.wrongEvent])
        #expect(strict.has(.wrongEvent, at: "event_slug"))
        #expect(try Support.outcome(["event_slug": nil], acceptOtherEvents: false).attendee?.eventSlug == "devcon-2026")
    }

    @Test("Uncoercible list, custom and timestamp values are rejected")
    func wrongTypes() throws {
        #expect(try Support.outcome(["sessions": "7"]).has(.wrongType, at: "sessions"))
        #expect(try Support.outcome(["dietary": #"[{"x": 1}]"#]).has(.wrongType, at: "dietary[0]"))
        #expect(try Support.outcome(["custom": #"{"tshirt": ["M"]}"#]).has(.wrongType, at: "custom.tshirt"))
        #expect(try Support.outcome(["custom": q("M")]).has(.wrongType, at: "custom"))
        #expect(try Support.outcome(["registered_at": "[]"]).has(.wrongType, at: "registered_at"))
        #expect(try Support.outcome(["registered_at": q("20/10/2026")]).has(.invalidValue, at: "registered_at"))
        #expect(try Support.outcome(["registered_at": q("2026-02-30T10:00:00Z")]).has(.invalidValue, at: "registered_at"))
    }

    @Test("All problems of a record are reported together")
    func collectsEverything() throws {
        let outcome = try Support.outcome([
            "source_id": nil, "email": q("nope"), "ticket_type": q("Gold"), "first_name": nil, "last_name": nil,
        ])
        #expect(outcome.errorCodes == [.missingField, .invalidEmail, .unknownTicketType, .emptyName])
    }

    // MARK: Repairs with warnings

    @Test("Padding and control characters are stripped with a warning")
    func strippedWarnings() throws {
        let outcome = try Support.outcome([
            "first_name": q("  Mary \t"), "last_name": q("Evans\u{0007}\u{200B}"), "company": q("\u{202E}Tóth és Novák"),
        ])
        let attendee = try #require(outcome.attendee)
        #expect(attendee.firstName == "Mary")
        #expect(attendee.lastName == "Evans")
        #expect(attendee.company == "Tóth és Novák")
        for path in ["first_name", "last_name", "company"] {
            #expect(outcome.has(.strippedCharacters, at: path))
        }
        #expect(outcome.warnings.count == 3)
    }

    @Test("An upper-case email keeps its local part and lowers the domain, with a warning")
    func emailCase() throws {
        let outcome = try Support.outcome(["email": q(" 275E1A3869@GMAIL.COM ")])
        #expect(outcome.attendee?.email == "275E1A3869@gmail.com")
        #expect(outcome.has(.recased, at: "email"))
        #expect(outcome.has(.strippedCharacters, at: "email"))
    }

    @Test("Sessions as a delimited string or null are coerced with a warning")
    func sessionsCoercion() throws {
        let text = try Support.outcome(["sessions": q("WS-02,PAN-07, LAB-11;KEY-02")])
        #expect(text.attendee?.sessions == ["WS-02", "PAN-07", "LAB-11", "KEY-02"])
        #expect(text.has(.coerced, at: "sessions"))
        let null = try Support.outcome(["sessions": "null"])
        #expect(null.attendee?.sessions == [])
        #expect(null.has(.coerced, at: "sessions"))
        let missing = try Support.outcome(["sessions": nil])
        #expect(missing.attendee?.sessions == [])
        #expect(missing.issues.isEmpty)
    }

    @Test("A numeric source_id is coerced to text with a warning")
    func numericSourceID() throws {
        let outcome = try Support.outcome(["source_id": "123456"])
        let attendee = try #require(outcome.attendee)
        #expect(attendee.sourceID == "123456")
        #expect(attendee.attendeeID == StableAttendeeID.derive(source: "ticketing", sourceID: "123456"))
        #expect(outcome.has(.coerced, at: "source_id"))
        #expect(outcome.warnings.first?.recordID == "123456")
        #expect(try Support.outcome(["source_id": "true"]).has(.wrongType, at: "source_id"))
    }

    @Test("Unknown fields warn; underscore metadata is silent")
    func unknownFields() throws {
        let outcome = try Support.outcome(["favourite_colour": q("teal"), "_defect": q("unknown-field"), "_meta": "{}"])
        #expect(outcome.isAccepted)
        #expect(outcome.issues.map(\.fieldPath) == ["favourite_colour"])
        #expect(outcome.has(.unknownField, at: "favourite_colour"))
    }

    @Test("All-caps and all-lower Latin names are re-cased with a warning; others are not")
    func recasing() throws {
        let caps = try Support.outcome(["first_name": q("OLAVI"), "last_name": q("ANTTILA")])
        #expect(caps.attendee?.firstName == "Olavi")
        #expect(caps.attendee?.lastName == "Anttila")
        #expect(caps.has(.recased, at: "first_name") && caps.has(.recased, at: "last_name"))
        let lower = try Support.outcome(["first_name": nil, "last_name": q("de la cruz")])
        #expect(lower.attendee?.lastName == "De la Cruz", "a last name alone starts the name")
        let following = try Support.outcome(["last_name": q("DE LA CRUZ")])
        #expect(following.attendee?.lastName == "de la Cruz")
        let cyrillic = try Support.outcome(["first_name": q("ГРЕМИСЛАВ")])
        #expect(cyrillic.attendee?.firstName == "ГРЕМИСЛАВ")
        #expect(cyrillic.issues.isEmpty)
        let turkish = try Support.outcome(["first_name": q("ismail"), "locale": q("tr-TR")])
        #expect(turkish.attendee?.firstName == "İsmail")
    }

    @Test("A naive timestamp is taken as UTC with the offset unknown, with a warning")
    func naiveTimestamp() throws {
        let outcome = try Support.outcome(["registered_at": q("2026-09-05T14:07:09")])
        let attendee = try #require(outcome.attendee)
        #expect(attendee.registeredAt == Date(timeIntervalSince1970: 1_788_617_229))
        #expect(attendee.registeredAtUTCOffsetSeconds == nil)
        #expect(outcome.has(.naiveTimestamp, at: "registered_at"))
        #expect(attendee.fields["registered_at"] == "2026-09-05T14:07:09Z")
    }

    @Test("Custom values: numbers and booleans coerced, null dropped")
    func customValues() throws {
        let outcome = try Support.outcome(["custom": #"{"tshirt": "L", "table": 12, "vegan": true, "gone": null}"#])
        #expect(outcome.attendee?.custom == ["tshirt": "L", "table": "12", "vegan": "true"])
        #expect(outcome.has(.coerced, at: "custom.table"))
        #expect(outcome.has(.coerced, at: "custom.vegan"))
        #expect(outcome.attendee?.fields["custom.table"] == "12")
    }

    // MARK: Naughty strings

    /// Nothing is interpreted: "null" is a name like any other, markup and format strings are
    /// text. All-lower Latin input is still re-cased by the normal rule.
    @Test(
        "Naughty strings never crash and end in a clear outcome",
        arguments: [
            ("👩\u{200D}💻 Ada 🎉", "👩\u{200D}💻 Ada 🎉"),
            ("\u{202E}Ada", "Ada"),
            ("Ame\u{0301}lie", "Amélie"),
            ("null", "Null"),
            ("undefined", "Undefined"),
            ("NULL", "Null"),
            ("Robert'); DROP TABLE Students;--", "Robert'); DROP TABLE Students;--"),
            ("<script>alert(1)</script>", "<Script>alert(1)</script>"),
            ("Z\u{0000}oë", "Zoë"),
            ("%s%n{0}${name}", "%S%n{0}${name}"),
            ("Z̷̢͎̓a̸͉̿l̵̰̓g̶̗̾o̴̤͗", "Z̷̢͎̓a̸͉̿l̵̰̓g̶̗̾o̴̤͗"),
            ("\u{FEFF}\u{200B}\u{2060}", nil),
        ] as [(String, String?)])
    func naughty(_ input: String, _ expected: String?) throws {
        let outcome = try Support.outcome(["first_name": q(input), "last_name": nil])
        if let expected {
            #expect(outcome.attendee?.firstName == expected)
        } else {
            #expect(outcome.errorCodes == [.emptyName])
        }
    }

    @Test("Decoded names never contain controls, bidi or stray zero-width characters")
    func noInvisiblesSurvive() throws {
        let nasty = "\u{0001}\u{202D}Ma\u{200B}ry\u{2066}\u{0085}An\u{200F}ne\u{FEFF}\u{009C}"
        let attendee = try #require(try Support.outcome(["first_name": q(nasty)]).attendee)
        let name = try #require(attendee.firstName)
        #expect(name == "Mary Anne")
        #expect(!name.unicodeScalars.contains { TextNormalization.isControl($0) || TextNormalization.isBidiControl($0) })
    }
}

@Suite("Intake sessions")
struct IntakeSessionTests {
    typealias Support = IntakeTestSupport

    @Test("A second record with the same source and source_id is a duplicate")
    func duplicates() throws {
        var session = try Support.intake().makeSession()
        let first = session.accept(jsonObject: Support.record(), line: 1)
        #expect(first.isAccepted)
        let second = session.accept(jsonObject: Support.record(["first_name": Support.quoted("Augusta")]), line: 2)
        #expect(second.errorCodes == [.duplicate])
        #expect(second.has(.duplicate, at: "source_id"))
        #expect(second.errors.first?.recordID == "REG-900001")
        #expect(second.errors.first?.line == 2)
        let otherSource = session.accept(jsonObject: Support.record(["source": Support.quoted("crm")]), line: 3)
        #expect(otherSource.isAccepted)
    }

    @Test("Rejected records are not remembered")
    func rejectedNotRemembered() throws {
        var session = try Support.intake().makeSession()
        #expect(!session.accept(jsonObject: Support.record(["email": Support.quoted("bad")]), line: 1).isAccepted)
        #expect(session.accept(jsonObject: Support.record(), line: 2).isAccepted)
    }

    @Test("The same explicit attendee_id twice is a duplicate")
    func duplicateAttendeeID() throws {
        var session = try Support.intake().makeSession()
        let id = Support.quoted("2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(session.accept(jsonObject: Support.record(["attendee_id": id]), line: 1).isAccepted)
        let again = session.accept(
            jsonObject: Support.record(["attendee_id": id, "source_id": Support.quoted("REG-2")]), line: 2)
        #expect(again.has(.duplicate, at: "attendee_id"))
    }
}
