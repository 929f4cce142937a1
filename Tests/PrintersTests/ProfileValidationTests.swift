import Foundation
import Printers
import Testing

/// Each case writes a broken profile to a scratch directory and checks that loading names the
/// file, the YAML field path and the reason.
@Suite("Profile validation")
struct ProfileValidationTests {
    static let valid = """
        id: test-printer
        manufacturer: Test
        model: T1
        languages: [zpl, epl]
        dpi: 203
        max_print_width_dots: 832
        speed: {min: 2, max: 6, default: 4}
        darkness: {min: 0, max: 30, default: 20}
        epl_density: {min: 0, max: 15, default: 10}
        epl_speed_codes: {2: 2, 3: 3, 4: 4}
        media_type: direct_thermal
        media_tracking: gap
        print_mode: tear_off
        usb:
          vendor_id: "0x0A5F"
          product_ids: ["0x0187", 391]
          device_id_model_patterns: ["T1-203dpi"]
        quirks: [no-z64]
        notes: test profile
        """

    /// Loads `yaml` as `<dir>/<name>` and returns the error's problems.
    func problems(_ yaml: String, name: String = "test-printer.yaml") throws -> (file: String, error: ProfileError) {
        let directory = try TemporaryDirectory()
        let file = try directory.write(name, yaml)
        let error = try #require(throws: ProfileError.self) { try ProfileLibrary.load(file: file) }
        return (file, error)
    }

    func replacing(_ old: String, with new: String) -> String {
        #expect(Self.valid.contains(old), "fixture does not contain \(old)")
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    @Test func validProfileLoadsWithEveryField() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("test-printer.yaml", Self.valid)
        let profile = try ProfileLibrary.load(file: file)
        #expect(profile.id == "test-printer")
        #expect(profile.speed == SettingRange(min: 2, max: 6, defaultValue: 4))
        #expect(profile.eplSpeedCodes == [2: 2, 3: 3, 4: 4])
        #expect(profile.usb?.productIds == [0x0187, 391])
        #expect(profile.quirks == [.noZ64])
    }

    @Test func darknessDefaultOutsideRange() throws {
        let (file, error) = try problems(replacing("default: 20}", with: "default: 40}"))
        #expect(error.code == .invalid)
        #expect(error.problems.count == 1)
        #expect(error.problems[0].fieldPath == "darkness.default")
        #expect(error.problems[0].description == "\(file): darkness.default: 40 is outside 0...30")
    }

    @Test func widthProblemUsesTheYAMLName() throws {
        let (file, error) = try problems(replacing("max_print_width_dots: 832", with: "max_print_width_dots: 0"))
        #expect(error.problems.map(\.description) == ["\(file): max_print_width_dots: 0 must be greater than 0"])
    }

    /// Profiles written before the switch to snake_case fail with the new name in the message.
    @Test(arguments: [
        ("max_print_width_dots: 832", "maxPrintWidthDots: 832", "maxPrintWidthDots", "max_print_width_dots"),
        ("epl_density:", "eplDensity:", "eplDensity", "epl_density"),
        ("vendor_id:", "vendorId:", "usb.vendorId", "vendor_id"),
        ("media_type: direct_thermal", "media_type: directThermal", "media_type", "direct_thermal"),
        ("print_mode: tear_off", "print_mode: tearOff", "print_mode", "tear_off"),
    ])
    func camelCaseSpellingsAreRejected(old: String, new: String, path: String, hint: String) throws {
        let (_, error) = try problems(replacing(old, with: new))
        #expect(error.problems.map(\.fieldPath) == [path], "\(error)")
        #expect(error.problems[0].message.contains(hint), "\(error)")
    }

    @Test func usbWithoutAnyMatcherNamesBothFields() throws {
        let yaml = replacing("product_ids: [\"0x0187\", 391]", with: "product_ids: []")
            .replacingOccurrences(of: "  device_id_model_patterns: [\"T1-203dpi\"]\n", with: "")
        let (_, error) = try problems(yaml)
        #expect(error.problems.map(\.fieldPath) == ["usb"])
        #expect(error.problems[0].message == "needs product_ids or device_id_model_patterns to recognise the printer")
    }

    @Test(arguments: [
        ("dpi: 203", "dpi: 250", ["dpi"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 6, max: 2, default: 4}", ["speed"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 2, max: 20, default: 4}", ["speed.max"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 2, max: 6, default: 7}", ["speed.default"]),
        ("darkness: {min: 0, max: 30, default: 20}", "darkness: {min: -1, max: 30, default: 20}", ["darkness.min"]),
        ("epl_density: {min: 0, max: 15, default: 10}", "epl_density: {min: 0, max: 16, default: 10}", ["epl_density.max"]),
        ("max_print_width_dots: 832", "max_print_width_dots: 0", ["max_print_width_dots"]),
        ("max_print_width_dots: 832", "max_print_width_dots: 5100", ["max_print_width_dots"]),
        ("languages: [zpl, epl]", "languages: []", ["languages", "epl_density", "epl_speed_codes"]),
        ("languages: [zpl, epl]", "languages: [epl, epl]", ["languages"]),
        ("epl_speed_codes: {2: 2, 3: 3, 4: 4}", "epl_speed_codes: {2: 2, 12: 3}", ["epl_speed_codes.12"]),
        ("epl_speed_codes: {2: 2, 3: 3, 4: 4}", "epl_speed_codes: {2: 0}", ["epl_speed_codes.2"]),
        ("epl_density: {min: 0, max: 15, default: 10}\n", "", ["epl_density"]),
        ("epl_speed_codes: {2: 2, 3: 3, 4: 4}\n", "", ["epl_speed_codes"]),
        ("quirks: [no-z64]", "quirks: [no-z64, no-z64]", ["quirks"]),
        ("manufacturer: Test", "manufacturer: \"  \"", ["manufacturer"]),
    ])
    func validationNamesTheField(old: String, new: String, paths: [String]) throws {
        let (file, error) = try problems(replacing(old, with: new))
        #expect(error.code == .invalid)
        #expect(error.problems.map(\.fieldPath) == paths, "\(error)")
        #expect(error.problems.allSatisfy { $0.file == file })
    }

    @Test func eplFieldsWithoutEPLAreRejected() throws {
        let (_, error) = try problems(replacing("languages: [zpl, epl]", with: "languages: [zpl]"))
        #expect(Set(error.problems.compactMap(\.fieldPath)) == ["epl_density", "epl_speed_codes"])
    }

    @Test func eplOnlyGraphicsNeedsEPL() throws {
        let yaml = replacing("languages: [zpl, epl]", with: "languages: [zpl]")
            .replacingOccurrences(of: "epl_density: {min: 0, max: 15, default: 10}\n", with: "")
            .replacingOccurrences(of: "epl_speed_codes: {2: 2, 3: 3, 4: 4}\n", with: "")
            .replacingOccurrences(of: "quirks: [no-z64]", with: "quirks: [epl-only-graphics]")
        let (_, error) = try problems(yaml)
        #expect(error.problems.map(\.fieldPath) == ["quirks"])
        #expect(error.problems[0].message.contains("epl-only-graphics"))
    }

    @Test func unknownQuirkIsRejectedWithTheKnownOnes() throws {
        let (file, error) = try problems(replacing("quirks: [no-z64]", with: "quirks: [no-z64, no-foo]"))
        #expect(error.problems.count == 1)
        let problem = error.problems[0]
        #expect(problem.file == file)
        #expect(problem.fieldPath == "quirks[1]")
        #expect(problem.message.contains("unknown value \"no-foo\""))
        #expect(problem.message.contains("epl-only-graphics"))
    }

    @Test func unknownEnumValueIsRejected() throws {
        let (_, error) = try problems(replacing("media_type: direct_thermal", with: "media_type: ribbon"))
        #expect(error.problems.map(\.fieldPath) == ["media_type"])
        #expect(error.problems[0].message.contains("thermal_transfer"))
    }

    @Test func fileStemMustEqualId() throws {
        let (file, error) = try problems(Self.valid, name: "other-name.yaml")
        #expect(error.problems.map(\.fieldPath) == ["id"])
        #expect(error.problems[0].file == file)
        #expect(error.problems[0].message.contains("other-name"))
    }

    @Test func missingFieldIsNamed() throws {
        let (_, error) = try problems(replacing("dpi: 203\n", with: ""))
        #expect(error.problems.map(\.fieldPath) == ["dpi"])
        #expect(error.problems[0].message == "is required but missing")
    }

    @Test func missingNestedFieldIsNamed() throws {
        let (_, error) = try problems(replacing("speed: {min: 2, max: 6, default: 4}", with: "speed: {min: 2, max: 6}"))
        #expect(error.problems.map(\.fieldPath) == ["speed.default"])
    }

    @Test func wrongTypeIsNamed() throws {
        let (_, error) = try problems(replacing("dpi: 203", with: "dpi: high"))
        #expect(error.problems.map(\.fieldPath) == ["dpi"])
        #expect(error.problems[0].message.contains("expected a whole number"))
    }

    @Test func misspeltFieldIsRejected() throws {
        let (_, error) = try problems(replacing("quirks: [no-z64]", with: "quirk: [no-z64]"))
        #expect(error.problems.map(\.fieldPath) == ["quirk"])
        #expect(error.problems[0].message.contains("unknown setting; did you mean 'quirks'?"))
    }

    @Test func misspeltNestedFieldIsRejected() throws {
        let (_, error) = try problems(replacing("{min: 0, max: 30, default: 20}", with: "{min: 0, max: 30, default: 20, defualt: 3}"))
        #expect(error.problems.map(\.fieldPath) == ["darkness.defualt"])
    }

    @Test func yamlSyntaxErrorCarriesTheParserPosition() throws {
        let (file, error) = try problems(replacing("languages: [zpl, epl]", with: "languages: [zpl, epl"))
        #expect(error.code == .invalid)
        #expect(error.problems.count == 1)
        #expect(error.problems[0].file == file)
        #expect(error.problems[0].fieldPath == nil)
        let cause = try #require(error.problems[0].cause)
        #expect(cause.firstMatch(of: /^[0-9]+:[0-9]+/) != nil, "cause should start with line:column, got \(cause)")
    }

    @Test func nonMappingDocumentIsRejected() throws {
        let (_, error) = try problems("- just\n- a list\n")
        #expect(error.code == .invalid)
        #expect(error.problems.count == 1)
    }

    @Test(arguments: [
        ("vendor_id: \"0x0A5F\"", "vendor_id: \"0xZZ\"", "usb.vendor_id"),
        ("vendor_id: \"0x0A5F\"", "vendor_id: 0120", "usb.vendor_id"),
        ("vendor_id: \"0x0A5F\"", "vendor_id: 70000", "usb.vendor_id"),
        ("product_ids: [\"0x0187\", 391]", "product_ids: [\"0x0187\", \"xyz\"]", "usb.product_ids[1]"),
        ("device_id_model_patterns: [\"T1-203dpi\"]", "device_id_model_patterns: [\" \"]", "usb.device_id_model_patterns[0]"),
    ])
    func badUSBIdentity(old: String, new: String, path: String) throws {
        let (_, error) = try problems(replacing(old, with: new))
        #expect(error.problems.map(\.fieldPath) == [path], "\(error)")
    }

    @Test func usbIdForms() throws {
        let directory = try TemporaryDirectory()
        let yaml = replacing("vendor_id: \"0x0A5F\"", with: "vendor_id: 0x0A5F")
            .replacingOccurrences(of: "product_ids: [\"0x0187\", 391]", with: "product_ids: [\"0187\", 2655, \"0a5f\"]")
        let profile = try ProfileLibrary.load(file: directory.write("test-printer.yaml", yaml))
        #expect(profile.usb?.vendorId == 0x0A5F)
        #expect(profile.usb?.productIds == [0x0187, 2655, 0x0A5F])
    }

    @Test func directoryLoadCollectsProblemsOfEveryFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("test-printer.yaml", Self.valid)
        try directory.write(
            "bad-one.yaml",
            Self.valid.replacingOccurrences(of: "id: test-printer", with: "id: bad-one")
                .replacingOccurrences(of: "dpi: 203", with: "dpi: 204"))
        try directory.write(
            "bad-two.yml",
            Self.valid.replacingOccurrences(of: "id: test-printer", with: "id: bad-two")
                .replacingOccurrences(of: "default: 20}", with: "default: 31}"))
        try directory.write("README.md", "not a profile")
        let error = try #require(throws: ProfileError.self) { try ProfileLibrary.load(directory: directory.path) }
        #expect(error.code == .invalid)
        #expect(error.problems.map(\.file) == [directory.path + "/bad-one.yaml", directory.path + "/bad-two.yml"])
        #expect(error.problems.map(\.fieldPath) == ["dpi", "darkness.default"])
        #expect(error.description.contains("bad-two.yml: darkness.default: 31 is outside 0...30"))
    }

    @Test func duplicateIdsAcrossExtensionsAreRejected() throws {
        let directory = try TemporaryDirectory()
        try directory.write("test-printer.yaml", Self.valid)
        try directory.write("test-printer.yml", Self.valid)
        let error = try #require(throws: ProfileError.self) { try ProfileLibrary.load(directory: directory.path) }
        #expect(error.code == .duplicateId)
        #expect(error.problems.count == 1)
        #expect(error.problems[0].file.hasSuffix("test-printer.yml"))
    }

    @Test func emptyAndMissingDirectories() throws {
        let directory = try TemporaryDirectory()
        let empty = try #require(throws: ProfileError.self) { try ProfileLibrary.load(directory: directory.path) }
        #expect(empty.code == .empty)
        let missing = try #require(throws: ProfileError.self) {
            try ProfileLibrary.load(directory: directory.path + "/does-not-exist")
        }
        #expect(missing.code == .unreadable)
        #expect(missing.problems[0].cause != nil)
    }

    @Test func missingFileIsUnreadable() throws {
        let error = try #require(throws: ProfileError.self) { try ProfileLibrary.load(file: "/nonexistent/x.yaml") }
        #expect(error.code == .unreadable)
        #expect(error.problems[0].file == "/nonexistent/x.yaml")
    }
}
