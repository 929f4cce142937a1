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
        maxPrintWidthDots: 832
        speed: {min: 2, max: 6, default: 4}
        darkness: {min: 0, max: 30, default: 20}
        eplDensity: {min: 0, max: 15, default: 10}
        eplSpeedCodes: {2: 2, 3: 3, 4: 4}
        mediaType: directThermal
        mediaTracking: gap
        printMode: tearOff
        usb:
          vendorId: "0x0A5F"
          productIds: ["0x0187", 391]
          deviceIdModelPatterns: ["T1-203dpi"]
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

    @Test(arguments: [
        ("dpi: 203", "dpi: 250", ["dpi"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 6, max: 2, default: 4}", ["speed"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 2, max: 20, default: 4}", ["speed.max"]),
        ("speed: {min: 2, max: 6, default: 4}", "speed: {min: 2, max: 6, default: 7}", ["speed.default"]),
        ("darkness: {min: 0, max: 30, default: 20}", "darkness: {min: -1, max: 30, default: 20}", ["darkness.min"]),
        ("eplDensity: {min: 0, max: 15, default: 10}", "eplDensity: {min: 0, max: 16, default: 10}", ["eplDensity.max"]),
        ("maxPrintWidthDots: 832", "maxPrintWidthDots: 0", ["maxPrintWidthDots"]),
        ("maxPrintWidthDots: 832", "maxPrintWidthDots: 5100", ["maxPrintWidthDots"]),
        ("languages: [zpl, epl]", "languages: []", ["languages", "eplDensity", "eplSpeedCodes"]),
        ("languages: [zpl, epl]", "languages: [epl, epl]", ["languages"]),
        ("eplSpeedCodes: {2: 2, 3: 3, 4: 4}", "eplSpeedCodes: {2: 2, 12: 3}", ["eplSpeedCodes.12"]),
        ("eplSpeedCodes: {2: 2, 3: 3, 4: 4}", "eplSpeedCodes: {2: 0}", ["eplSpeedCodes.2"]),
        ("eplDensity: {min: 0, max: 15, default: 10}\n", "", ["eplDensity"]),
        ("eplSpeedCodes: {2: 2, 3: 3, 4: 4}\n", "", ["eplSpeedCodes"]),
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
        #expect(Set(error.problems.compactMap(\.fieldPath)) == ["eplDensity", "eplSpeedCodes"])
    }

    @Test func eplOnlyGraphicsNeedsEPL() throws {
        let yaml = replacing("languages: [zpl, epl]", with: "languages: [zpl]")
            .replacingOccurrences(of: "eplDensity: {min: 0, max: 15, default: 10}\n", with: "")
            .replacingOccurrences(of: "eplSpeedCodes: {2: 2, 3: 3, 4: 4}\n", with: "")
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
        let (_, error) = try problems(replacing("mediaType: directThermal", with: "mediaType: ribbon"))
        #expect(error.problems.map(\.fieldPath) == ["mediaType"])
        #expect(error.problems[0].message.contains("thermalTransfer"))
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
        #expect(error.problems[0].message.contains("expected an integer"))
    }

    @Test func misspeltFieldIsRejected() throws {
        let (_, error) = try problems(replacing("quirks: [no-z64]", with: "quirk: [no-z64]"))
        #expect(error.problems.map(\.fieldPath) == ["quirk"])
        #expect(error.problems[0].message.contains("unknown field"))
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
        ("vendorId: \"0x0A5F\"", "vendorId: \"0xZZ\"", "usb.vendorId"),
        ("vendorId: \"0x0A5F\"", "vendorId: 0120", "usb.vendorId"),
        ("vendorId: \"0x0A5F\"", "vendorId: 70000", "usb.vendorId"),
        ("productIds: [\"0x0187\", 391]", "productIds: [\"0x0187\", \"xyz\"]", "usb.productIds[1]"),
        ("deviceIdModelPatterns: [\"T1-203dpi\"]", "deviceIdModelPatterns: [\" \"]", "usb.deviceIdModelPatterns[0]"),
    ])
    func badUSBIdentity(old: String, new: String, path: String) throws {
        let (_, error) = try problems(replacing(old, with: new))
        #expect(error.problems.map(\.fieldPath) == [path], "\(error)")
    }

    @Test func usbIdForms() throws {
        let directory = try TemporaryDirectory()
        let yaml = replacing("vendorId: \"0x0A5F\"", with: "vendorId: 0x0A5F")
            .replacingOccurrences(of: "productIds: [\"0x0187\", 391]", with: "productIds: [\"0187\", 2655, \"0a5f\"]")
        let profile = try ProfileLibrary.load(file: directory.write("test-printer.yaml", yaml))
        #expect(profile.usb?.vendorId == 0x0A5F)
        #expect(profile.usb?.productIds == [0x0187, 2655, 0x0A5F])
    }

    @Test func directoryLoadCollectsProblemsOfEveryFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("test-printer.yaml", Self.valid)
        try directory.write("bad-one.yaml", Self.valid.replacingOccurrences(of: "id: test-printer", with: "id: bad-one")
            .replacingOccurrences(of: "dpi: 203", with: "dpi: 204"))
        try directory.write("bad-two.yml", Self.valid.replacingOccurrences(of: "id: test-printer", with: "id: bad-two")
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
