import Attendees
import Badges
import Foundation
import LanyardSupport
import Testing

@Suite("Event configuration")
struct IntakeConfigurationTests {
    let minimal = """
        slug: devcon-2026
        name: DevCon 2026
        check_in_secret: "0123456789abcdef-secret"
        """

    @Test("Minimal YAML gets the default tables")
    func defaults() throws {
        let configuration = try EventConfiguration.parse(yaml: minimal, file: "event.yaml")
        #expect(configuration.slug == "devcon-2026")
        #expect(configuration.name == "DevCon 2026")
        #expect(configuration.checkInSecret == "0123456789abcdef-secret")
        #expect(configuration.tierMapping == EventConfiguration.defaultTierMapping)
        #expect(configuration.csvColumns == EventConfiguration.defaultCSVColumns)
        #expect(configuration.csvSource == "csv")
        #expect(configuration.acceptOtherEvents)
        #expect(configuration.tierMapping.count == 7)
        #expect(configuration.tier(forTicketType: "  general   ADMISSION ") == .general)
        #expect(configuration.tier(forTicketType: "Platinum++") == nil)
    }

    @Test("All settings are read from YAML")
    func fullFile() throws {
        let yaml =
            minimal + """

                accept_other_events: false
                csv_source: eventbrite
                tier_mapping:
                  Early Bird: general
                  Gold: vip
                csv_columns:
                  "Ticket #": source_id
                  E-mail: email
                  Shirt: custom.tshirt
                """
        let configuration = try EventConfiguration.parse(yaml: yaml, file: "event.yaml")
        #expect(!configuration.acceptOtherEvents)
        #expect(configuration.csvSource == "eventbrite")
        #expect(configuration.tierMapping == ["Early Bird": .general, "Gold": .vip])
        #expect(configuration.csvColumns == ["Ticket #": "source_id", "E-mail": "email", "Shirt": "custom.tshirt"])
    }

    @Test("Loads from a file and names the file in errors")
    func loadFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lanyard-intake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("event.yaml")
        try minimal.write(to: good, atomically: true, encoding: .utf8)
        #expect(try EventConfiguration.load(file: good).slug == "devcon-2026")

        let bad = directory.appendingPathComponent("bad.yaml")
        try (minimal + "\ntier_mapping:\n  Gold: platinum\n").write(to: bad, atomically: true, encoding: .utf8)
        do throws(EventConfigurationError) {
            _ = try EventConfiguration.load(file: bad)
            Issue.record("expected an invalid tier error")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.file == bad.path)
            #expect(error.fieldPath == "tier_mapping.Gold")
            #expect(
                error.description.hasPrefix("event_config.invalid_value: 'platinum' is not an access tier")
                    && error.description.hasSuffix("(\(bad.path)) (at tier_mapping.Gold)"), "\(error)")
        }
        let missing = directory.appendingPathComponent("missing.yaml")
        do throws(EventConfigurationError) {
            _ = try EventConfiguration.load(file: missing)
            Issue.record("expected a missing-file error")
        } catch {
            // Foundation's sentence, not `Error Domain=NSCocoaErrorDomain Code=260`.
            #expect(error.code == .unreadable && error.exitStatus == .inputMissing)
            #expect(!error.description.contains("NSCocoaErrorDomain"), "\(error)")
            #expect(error.description.contains("missing.yaml"), "\(error)")
        }
    }

    @Test(
        "Errors name the field path",
        arguments: [
            ("name: x\ncheck_in_secret: 0123456789abcdef", EventConfigurationErrorCode.missingField, "slug"),
            ("slug: a\nname: x\ncheck_in_secret: short", .invalidValue, "check_in_secret"),
            ("slug: has space\nname: x\ncheck_in_secret: 0123456789abcdef", .invalidValue, "slug"),
            ("slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\ncheck_in_secrte: y", .unknownField, "check_in_secrte"),
            ("slug: a\nname: [x]\ncheck_in_secret: 0123456789abcdef", .wrongType, "name"),
            (
                "slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\naccept_other_events: maybe", .wrongType,
                "accept_other_events"
            ),
            (
                "slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\ncsv_columns:\n  Mail: e_mail", .invalidValue,
                "csv_columns.Mail"
            ),
            (
                "slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\ncsv_columns:\n  A: email\n  B: email", .invalidValue,
                "csv_columns.B"
            ),
            (
                "slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\ntier_mapping:\n  VIP: vip\n  Vip: staff",
                .invalidValue, "tier_mapping.Vip"
            ),
            (
                "slug: a\nname: x\ncheck_in_secret: 0123456789abcdef\ncsv_columns:\n  Email: email\n  email: first_name",
                .invalidValue, "csv_columns.email"
            ),
            ("- just\n- a list", .wrongType, "$"),
            ("slug: [unclosed", .invalidYAML, "$"),
        ])
    func errors(_ yaml: String, _ code: EventConfigurationErrorCode, _ path: String) {
        do throws(EventConfigurationError) {
            _ = try EventConfiguration.parse(yaml: yaml, file: "conf/event.yaml")
            Issue.record("expected \(code.rawValue) at \(path)")
        } catch {
            #expect(error.code == code)
            #expect(error.fieldPath == path)
            #expect(error.file == "conf/event.yaml")
        }
    }

    @Test("The programmatic initialiser validates too")
    func programmatic() {
        #expect(throws: EventConfigurationError.self) {
            try EventConfiguration(slug: "", name: "x", checkInSecret: "0123456789abcdef")
        }
    }

    @Test("Codable decoding applies defaults and validation")
    func codable() throws {
        let json = #"{"slug": "devcon-2026", "name": "DevCon", "check_in_secret": "0123456789abcdef"}"#
        let configuration = try JSONDecoder().decode(EventConfiguration.self, from: Data(json.utf8))
        #expect(configuration.tierMapping == EventConfiguration.defaultTierMapping)
        let encoded = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(EventConfiguration.self, from: encoded) == configuration)
        let weak = #"{"slug": "devcon-2026", "name": "DevCon", "check_in_secret": "short"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(EventConfiguration.self, from: Data(weak.utf8)) }
    }
}
