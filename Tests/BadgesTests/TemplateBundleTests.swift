import Badges
import Foundation
import LanyardSupport
import Testing

@Suite struct TemplateBundleTests {
    @Test(arguments: ["standard", "vip", "speaker", "staff"])
    func shippedBundlesVerifyAndLoad(name: String) throws {
        let bundle = try TemplateBundle.load(directory: templatesRoot.appending(path: name))
        #expect(bundle.template.name == name)
        #expect(bundle.manifest.files.keys.contains("template.yaml"))
        #expect(bundle.manifest.digest == BundleManifest.digest(of: bundle.manifest.files))
        #expect(bundle.manifest.files.values.allSatisfy { $0.count == 64 })
    }

    @Test func digestIsIndependentOfListingOrderButNotOfContent() {
        let a = BundleManifest(files: ["a": String(repeating: "1", count: 64), "b": String(repeating: "2", count: 64)])
        let b = BundleManifest(files: ["b": String(repeating: "2", count: 64), "a": String(repeating: "1", count: 64)])
        let c = BundleManifest(files: ["a": String(repeating: "1", count: 64), "b": String(repeating: "3", count: 64)])
        #expect(a.digest == b.digest)
        #expect(a.digest != c.digest)
    }

    @Test func aFlippedByteIsRefusedNamingTheFile() throws {
        let scratch = try ScratchBundle(template: templateYAML(elements: "  - { type: rect, box: [2, 2, 10, 10], fill: black }"))
        defer { scratch.remove() }
        _ = try scratch.load()
        let font = scratch.directory.appending(path: "fonts/NotoSans-Bold.ttf")
        var bytes = try Data(contentsOf: font)
        bytes[1000] ^= 0x01
        try bytes.write(to: font)
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .checksumMismatch)
        #expect(error.location?.hasSuffix("fonts/NotoSans-Bold.ttf") == true)
    }

    @Test func filesOutsideTheManifestAndMissingManifestsAreRefused() throws {
        let scratch = try ScratchBundle(template: templateYAML(elements: "  - { type: rect, box: [2, 2, 10, 10] }"))
        defer { scratch.remove() }
        try Data("surprise".utf8).write(to: scratch.directory.appending(path: "extra.txt"))
        #expect(throws: BadgeError.self) { try scratch.load() }
        #expect((try? scratch.load()) == nil)
        let unlisted = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(unlisted.code == .unlistedFile)
        try FileManager.default.removeItem(at: scratch.directory.appending(path: "manifest.json"))
        let missing = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(missing.code == .manifestMissing)
    }

    @Test func aMissingAssetIsNamed() throws {
        let scratch = try ScratchBundle(template: templateYAML(elements: "  - { type: image, file: assets/logo.png, box: [2, 2, 20, 10] }"))
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .assetMissing)
        #expect(error.message.contains("assets/logo.png"))
        #expect(error.location?.contains("elements[0].file") == true)
    }

    /// Malformed templates name the file and the YAML path of the problem.
    @Test(arguments: [
        ("  - { type: text, text: x, box: [1, 1, 10, 5], font: { families: [Noto Sans], size: [20, 10] } }", "elements[0].font.size"),
        ("  - { type: hologram, box: [1, 1, 10, 5] }", "elements[0].type"),
        ("  - { type: rect, box: [1, 1, 10] }", "elements[0].box"),
        ("  - { type: qr, payload: x, box: [1, 1, 20, 20], error_correction: Z }", "elements[0].error_correction"),
        ("  - { type: text, box: [1, 1, 10, 5], font: { families: [Noto Sans], size: 9 } }", "elements[0].text"),
        ("  - { type: rect, box: [1, 1, 10, 5], when: { field: access_tier } }", "elements[0].when"),
    ])
    func malformedTemplatesNameThePath(elements: String, path: String) throws {
        let scratch = try ScratchBundle(template: templateYAML(elements: elements))
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .templateMalformed)
        #expect(error.location?.contains("template.yaml") == true, "\(error)")
        #expect(error.location?.contains(path) == true, "expected \(path) in \(error)")
    }

    /// A misspelt key is refused, never skipped: `colour: white` on white text would otherwise
    /// print black, and a misspelt condition would draw a VIP band on every badge.
    @Test(arguments: [
        (
            templateYAML(
                elements: "  - { type: text, text: x, box: [1, 1, 10, 5], font: { families: [Noto Sans], size: 9 }, colour: white }"),
            "elements[0].colour", "color"
        ),
        (
            templateYAML(elements: "  - { type: qr, payload: x, box: [1, 1, 20, 20], error-correction: H }"),
            "elements[0].error-correction", "error_correction"
        ),
        (
            templateYAML(elements: "  - { type: rect, box: [1, 1, 10, 5], when: { feild: access_tier, equals: vip } }"),
            "elements[0].when.feild", "field"
        ),
        (
            templateYAML(elements: "  - { type: rect, box: [1, 1, 10, 5], when: [ { field: access_tier, equal: vip } ] }"),
            "elements[0].when[0].equal", "equals"
        ),
        (
            templateYAML(
                elements: "  - { type: text, text: x, box: [1, 1, 10, 5], font: { families: [Noto Sans], size: 9, wieght: bold } }"),
            "elements[0].font.wieght", "weight"
        ),
        (
            templateYAML(stock: "size: 4x3in, safe_margin: 2", elements: "  - { type: rect, box: [1, 1, 2, 2] }"), "stock.safe_margin",
            "safe_margin_mm"
        ),
        (templateYAML(fields: "descripton: a badge", elements: "  - { type: rect, box: [1, 1, 2, 2] }"), "descripton", "description"),
        (
            templateYAML(
                fields: "fields:\n  - { name: shown, first_of: [preferred_name], defualt: guest }",
                elements: "  - { type: rect, box: [1, 1, 2, 2] }"),
            "fields[0].defualt", "default"
        ),
    ])
    func aMisspeltKeyIsRefusedWithTheKeyItMeant(template: String, path: String, meant: String) throws {
        let scratch = try ScratchBundle(template: template)
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .templateMalformed)
        #expect(error.location?.hasSuffix("template.yaml: \(path)") == true || error.location?.contains(path) == true, "\(error)")
        #expect(error.message.contains("unknown setting; did you mean '\(meant)'?"), "\(error)")
    }

    @Test func anEditedBundleSaysToRunTemplatesManifest() throws {
        let scratch = try ScratchBundle(template: templateYAML(elements: "  - { type: rect, box: [2, 2, 10, 10] }"))
        defer { scratch.remove() }
        try Data(templateYAML(elements: "  - { type: rect, box: [2, 2, 12, 10] }").utf8).write(
            to: scratch.directory.appending(path: TemplateBundle.templateFile))
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .checksumMismatch)
        #expect(error.message.contains("run 'lanyard templates manifest \(scratch.directory.path)'"), "\(error)")
    }

    @Test func wrongFormatMarkerAndBrokenYAMLAreRefused() throws {
        let wrongFormat = try ScratchBundle(template: "format: something-else/9\nname: x\nversion: 1\nstock: {size: 4x3in}\nelements: []\n")
        defer { wrongFormat.remove() }
        let formatError = try #require(throws: BadgeError.self) { try wrongFormat.load() }
        #expect(formatError.location?.contains("format") == true)

        let broken = try ScratchBundle(template: "format: lanyard-template/1\nelements: [ { type: rect\n")
        defer { broken.remove() }
        let yamlError = try #require(throws: BadgeError.self) { try broken.load() }
        #expect(yamlError.code == .templateMalformed)

        let unknownStock = try ScratchBundle(
            template: templateYAML(stock: "size: 9x9in", elements: "  - { type: rect, box: [1, 1, 2, 2] }"))
        defer { unknownStock.remove() }
        let stockError = try #require(throws: BadgeError.self) { try unknownStock.load() }
        #expect(stockError.location?.contains("stock.size") == true)
        #expect(stockError.message.contains("4x3in"))
    }
}

@Suite struct FieldMappingTests {
    func rules(_ yaml: String) throws -> [FieldRule] {
        let scratch = try ScratchBundle(
            template: templateYAML(fields: "fields:\n" + yaml, elements: "  - { type: rect, box: [1, 1, 2, 2] }"))
        defer { scratch.remove() }
        return try scratch.load().template.fields
    }

    @Test func firstOfFormatLookupDefaultAndTransform() throws {
        let rules = try rules(
            """
              - { name: display_name, first_of: [preferred_name, first_name, last_name] }
              - { name: full_name, format: "{display_name} {middle} {last_name}" }
              - { name: tier_label, lookup: access_tier, table: { VIP: Very Important }, default: Guest }
              - { name: shout, format: "{display_name}", transform: upper }
              - { name: company_line, first_of: [company, job_title], default: "" }
            """)
        let resolved = FieldMapper.resolve(
            rules,
            fields: [
                "first_name": "Ada", "preferred_name": "", "last_name": "Lovelace", "access_tier": "vip", "job_title": "Analyst",
            ])
        #expect(resolved["display_name"] == "Ada")
        #expect(resolved["full_name"] == "Ada Lovelace", "empty placeholders leave no double spaces")
        #expect(resolved["tier_label"] == "Very Important", "lookups ignore case")
        #expect(resolved["shout"] == "ADA")
        #expect(resolved["company_line"] == "Analyst")
        let mononym = FieldMapper.resolve(rules, fields: ["last_name": "Sukarno", "access_tier": "student"])
        #expect(mononym["display_name"] == "Sukarno")
        #expect(mononym["tier_label"] == "Guest")
    }

    @Test func placeholdersAndEscapedBraces() {
        #expect(FieldMapper.fill("{{literal}} {a}-{missing}", with: ["a": "x"]) == "{literal} x-")
        #expect(FieldMapper.placeholders(in: "{a} {{b}} {c}") == ["a", "c"])
        #expect(FieldMapper.fill("{unclosed", with: [:]) == "{unclosed")
    }

    @Test func rulesNeedExactlyOneSource() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                fields: "fields:\n  - { name: x, first_of: [a], format: \"{b}\" }", elements: "  - { type: rect, box: [1, 1, 2, 2] }"))
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.location?.contains("fields[0]") == true, "\(error)")
    }

    @Test func conditionsCompareCaseInsensitively() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: rect, box: [1, 1, 2, 2], when: { field: access_tier, equals: VIP } }
                      - { type: rect, box: [1, 1, 2, 2], when: { field: access_tier, in: [speaker, staff] } }
                      - { type: rect, box: [1, 1, 2, 2], when: { field: access_tier, not_in: [general] } }
                      - { type: rect, box: [1, 1, 2, 2], when: [{ field: company, present: true }, { field: access_tier, equals: vip }] }
                    """))
        defer { scratch.remove() }
        let conditions = try scratch.load().template.elements.map(\.when)
        let vip = ["access_tier": " vip ", "company": "ACME"]
        #expect(conditions.map { $0.allSatisfy { $0.holds(for: vip) } } == [true, false, true, true])
        let general = ["access_tier": "general"]
        #expect(conditions.map { $0.allSatisfy { $0.holds(for: general) } } == [false, false, false, false])
    }
}
