import Foundation
import Testing
import Yams

@testable import Printers
@testable import YAMLReading

/// `YAMLReader` against Yams' `YAMLDecoder`: the same value, or an error with the same text,
/// for every document, including the ones it hands to Yams (anchors, merge keys, tags).
@Suite struct YAMLReaderTests {
    struct Nested: Decodable, Equatable {
        var values: [Int]
        var label: String?
    }

    /// Optional fields of every scalar kind, so one document can try one field at a time.
    struct Fields: Decodable, Equatable {
        var int: Int?
        var uint8: UInt8?
        var double: Double?
        var bool: Bool?
        var string: String?
        var strings: [String]?
        var optionals: [Int?]?
        var map: [String: String]?
        var nested: Nested?
        var url: URL?

        /// NaN equals NaN here: the question is whether both decoders read the same thing.
        static func == (a: Fields, b: Fields) -> Bool {
            a.int == b.int && a.uint8 == b.uint8 && a.double?.bitPattern == b.double?.bitPattern && a.bool == b.bool
                && a.string == b.string && a.strings == b.strings && a.optionals == b.optionals && a.map == b.map
                && a.nested == b.nested && a.url == b.url
        }
    }

    struct Required: Decodable, Equatable {
        var name: String
        var count: Int
    }

    func expectSameAsYams<T: Decodable & Equatable>(_ type: T.Type, _ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let theirs = Result { try YAMLDecoder().decode(T.self, from: yaml) }
        let ours = Result { try YAMLReader.decode(T.self, from: yaml) }
        switch (theirs, ours) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(yaml)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(
                Swift.type(of: a) == Swift.type(of: b) && "\(a)" == "\(b)", "\(yaml)\nYams: \(a)\nours: \(b)",
                sourceLocation: sourceLocation)
        case (.success(let a), .failure(let b)):
            Issue.record("\(yaml)\nYams decoded \(a), ours threw \(b)", sourceLocation: sourceLocation)
        case (.failure(let a), .success(let b)):
            Issue.record("\(yaml)\nYams threw \(a), ours decoded \(b)", sourceLocation: sourceLocation)
        }
    }

    static let scalarDocuments = [
        // integers: bases, separators, signs, sexagesimal, quoted, null, empty, floats, overflow
        "int: 42", "int: -7", "int: +5", "int: 0x1F", "int: 0o17", "int: 017", "int: 0b101", "int: 1_000", "int: 1:30",
        "int: '42'", "int: \"42\"", "int: 4.0", "int: ~", "int: null", "int: NULL", "int:", "int: ''", "int: yes",
        "int: 99999999999999999999", "uint8: 255", "uint8: 256", "uint8: -1",
        // doubles
        "double: 1.5", "double: 1e3", "double: 1_000.5", "double: .inf", "double: -.Inf", "double: .NaN", "double: 7",
        "double: '1.5'", "double: 1:30.5", "double: ~", "double: abc",
        // booleans: YAML 1.1 words, quoted, numbers
        "bool: yes", "bool: No", "bool: ON", "bool: off", "bool: true", "bool: False", "bool: y", "bool: 'true'",
        "bool: \"yes\"", "bool: 1", "bool: ~", "bool:",
        // strings that look like other things, as a model that wants a string reads them
        "string: 2024", "string: 1.0", "string: 0x10", "string: 010", "string: true", "string: yes", "string: ~",
        "string: null", "string: 'null'", "string: ''", "string:", "string: \"2024\"", "string: 2024-01-01",
        "string: <<", "string: =", "string: 'a: b'", "string: |\n  two\n  lines\n", "string: >\n  folded\n  text\n",
        "string: [1, 2]", "string: {a: 1}", "string: !!str 12", "string: !!int 12",
        // collections
        "strings: [a, 1, true, ~, '', null]", "strings: []", "strings: a", "strings: {a: b}",
        "optionals: [1, ~, 3]", "optionals: [~, ~]", "optionals: [1, 2]",
        "map: {1: one, true: yes, ~: null, '': empty, 2024-01-01: date}", "map: {a: [1]}", "map: {yamlAnchor: a, yamlTag: b, c: d}",
        "map: {}", "map: []",
        "nested: {values: [1, 2, 3]}", "nested: {values: [1, x, 3]}", "nested: {values: 1}", "nested: {label: x}",
        "nested: {values: [], label: ~}", "nested: !!map {values: []}", "nested: ~",
        "url: https://example.com/a?b=c", "url: ''",
        // anchors, aliases and merge keys go to Yams itself
        "map: &m {a: b}\nnested: {values: [1]}", "nested: &n {values: [1]}\nmap: {a: b}",
        "base: &b {a: x, b: y}\nmap: {<<: *b, c: z}", "base: &b {a: x}\nmap:\n  <<: *b\n  a: override",
        "map: {'<<': a}", "map: {<<: a}", "values: &v [1, 2]\nnested: {values: *v}",
        // keys: duplicates, quoted and plain spellings of one key, tagged keys, non-scalar keys
        "map: {a: 1, a: 2}", "map: {'true': 1, true: 2}", "map: {1: a, '1': b}", "map: {!!str a: b}", "map: {? [a] : b}",
        "int: 1\nint: 2", "\"int\": 5", "'bool': yes",
        // documents that are not a mapping, or not YAML
        "", "~", "null", "- 1\n- 2", "just text", "a: [1, 2", "a: b\n---\nc: d", "---\nint: 3\n...\n", "int: 1 # comment",
        "\tint: 1", "int: @x", "int: 1\n  bad: indent",
    ]

    @Test(arguments: scalarDocuments)
    func decodesLikeYams(_ yaml: String) {
        expectSameAsYams(Fields.self, yaml)
        expectSameAsYams(Fields?.self, yaml)
        expectSameAsYams([String: String].self, yaml)
    }

    @Test(arguments: [
        "name: a\ncount: 1", "name: 2024\ncount: '1'", "count: 1", "name: a", "name: ~\ncount: 1",
        "name: a\ncount: ~", "- name: a", "name: a\ncount: 1\nextra: x",
    ])
    func reportsMissingAndMistypedFieldsLikeYams(_ yaml: String) {
        expectSameAsYams(Required.self, yaml)
        expectSameAsYams([Required].self, "- " + yaml.replacingOccurrences(of: "\n", with: "\n  "))
    }

    @Test func decodesTopLevelScalarsAndSequencesLikeYams() {
        for yaml in ["42", "'42'", "yes", "~", "", "[1, 2]", "- a\n- b", "{a: 1}", "0x10", ".inf"] {
            expectSameAsYams(Int.self, yaml)
            expectSameAsYams(String.self, yaml)
            expectSameAsYams(Bool?.self, yaml)
            expectSameAsYams([String].self, yaml)
            expectSameAsYams([Int?].self, yaml)
        }
    }

    /// A number where the model wants a string keeps its text: an event called 2024, a slug.
    @Test func numbersDecodeAsTheirTextWhereAStringIsWanted() throws {
        let fields = try YAMLReader.decode(Fields.self, from: "string: 2024\nstrings: [007, 1.50, 0x1F, yes]")
        #expect(fields.string == "2024")
        #expect(fields.strings == ["007", "1.50", "0x1F", "yes"])
        let null = try YAMLReader.decode(Fields.self, from: "string: ~\nint: null\nbool:")
        #expect(null.string == nil && null.int == nil && null.bool == nil)
        #expect(throws: DecodingError.self) { try YAMLReader.decode(Fields.self, from: "double: 'null'") }
        #expect(try YAMLReader.decode(Fields.self, from: "bool: yes").bool == true)
        #expect(throws: DecodingError.self) { try YAMLReader.decode(Fields.self, from: "bool: 'yes'") }
    }

    /// Profiles read the same through both decoders, and none of them needs Yams' resolver.
    @Test func shippedProfilesDecodeWithoutRegexAndLikeYams() throws {
        let directory = URL(filePath: Fixtures.profilesDirectory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: directory.appending(path: file), encoding: .utf8)
            #expect(YAMLReader.decodesWithoutRegex(text), "\(file)")
            expectSameAsYams(PrinterProfile.self, text)
        }
    }

    @Test func theSampleAgentConfigurationAndAPrinterListDecodeWithoutRegex() throws {
        let agent = try String(contentsOf: Fixtures.repositoryRoot.appending(path: "systemd/agent.yaml"), encoding: .utf8)
        #expect(YAMLReader.decodesWithoutRegex(agent))
        let printers = "printers:\n  - name: door-1\n    address: tcp://10.0.0.7:9100\n    profile: zebra-zd421d-300\n"
        #expect(YAMLReader.decodesWithoutRegex(printers))
        #expect(!YAMLReader.decodesWithoutRegex("base: &b {a: 1}\nother: {<<: *b}"))
        #expect(!YAMLReader.decodesWithoutRegex("map: {<<: {a: 1}}"))
        #expect(!YAMLReader.decodesWithoutRegex("map: !!map {a: 1}"))
        #expect(!YAMLReader.decodesWithoutRegex("map: {'<<': a}"))
        #expect(YAMLReader.decodesWithoutRegex("map: {1: a, yes: b, ~: c, '': d, =: e}"))
    }
}
