import Foundation
import LanyardSupport
import Testing
import Yams

@testable import Attendees
@testable import Badges
@testable import YAMLReading

/// Badges' `YAMLReader` against Yams: templates decode as `YAMLDecoder` decodes them, event
/// configurations compose to the tree `Yams.compose` gives, read the way the event reader reads
/// it, and the shipped files never need Yams' regular-expression resolver.
@Suite struct BadgesYAMLReaderTests {
    /// What the event reader takes from a tree: text, style, the bool/null/int/float readings
    /// and positions of scalars, and the shape of collections.
    static func reading(_ node: Node?) -> String {
        guard let node else { return "none" }
        switch node {
        case .scalar(let scalar):
            return "scalar(\(scalar.string)|\(scalar.style)|\(String(describing: node.bool))|\(node.null != nil)|"
                + "\(String(describing: node.int))|\(String(describing: node.float))|\(String(describing: node.mark)))"
        case .mapping(let mapping):
            return "{" + mapping.map { reading($0.key) + ": " + reading($0.value) }.joined(separator: ", ") + "}"
        case .sequence(let sequence):
            return "[" + sequence.map(reading).joined(separator: ", ") + "]"
        case .alias:
            return "alias"
        }
    }

    static let documents = [
        "slug: 2024\nname: 2024\ncheck_in_secret: 0123456789abcdef", "accept_other_events: yes", "accept_other_events: 'yes'",
        "accept_other_events: No", "accept_other_events: ~", "accept_other_events:", "accept_other_events: on",
        "tier_mapping: {1: vip, true: staff, ~: general, '': x, 2026-01-01: y, .5: z, -a: w, +1: v, <<: u, =: t}",
        "tier_mapping: {yes: a, 'yes': b}", "tier_mapping: {1: a, '1': b}", "tier_mapping: {a: 1, a: 2}",
        "tier_mapping: {~: a, null: b}", "tier_mapping: {Null: a, '': b}", "csv_columns: {'Attendee #': source_id, T-Shirt: custom.tshirt}",
        "csv_columns: {? [a] : b}", "csv_columns: {!!str 1: a, 1: b}", "csv_columns: {!!int 1: a, 1: b}",
        "base: &b {a: 1}\ntier_mapping: {<<: *b}", "name: &n DevCon\nslug: *n", "name: !!str 12", "slug: !!int 12",
        "", "~", "just text", "- a", "a: [1", "a: 1\n---\nb: 2", "name: >\n  folded\n", "checkin: .inf\nx: .NaN\ny: 0x1F",
    ]

    @Test(arguments: documents)
    func composesTheTreeYamsComposes(_ yaml: String) {
        let theirs = Result { try Yams.compose(yaml: yaml) }
        let ours = Result { try YAMLReader.compose(yaml) }
        switch (theirs, ours) {
        case (.success(let a), .success(let b)):
            #expect(Self.reading(a) == Self.reading(b), "\(yaml)")
        case (.failure(let a), .failure(let b)):
            #expect("\(a)" == "\(b)", "\(yaml)")
        default:
            Issue.record("\(yaml): Yams \(theirs), ours \(ours)")
        }
    }

    @Test func keysThatYamsWouldResolveGoToYams() {
        for text in ["1", "-1", "+1", ".5", "~", "", "null", "NULL", "yes", "Off", "true", "<<", "=", "2026-01-01"] {
            #expect(!YAMLReader.defaultResolverKeepsString(text), "\(text)")
        }
        for text in ["slug", "General Admission", "Attendee #", "yesterday", "nullable", "onward", "T-Shirt", "a1"] {
            #expect(YAMLReader.defaultResolverKeepsString(text), "\(text)")
        }
    }

    /// A number or a YAML 1.1 word where the event wants text is the text as written.
    @Test func eventSettingsKeepTheirText() throws {
        let event = try EventConfiguration.parse(
            yaml: "slug: 2024\nname: 1.50\ncheck_in_secret: 0123456789abcdef\ncsv_source: yes\naccept_other_events: no\n"
                + "tier_mapping: {VIP: vip, Off: staff}",
            file: "e.yaml")
        #expect(event.slug == "2024")
        #expect(event.name == "1.50")
        #expect(event.csvSource == "yes")
        #expect(event.acceptOtherEvents == false)
        #expect(event.tierMapping == ["VIP": .vip, "Off": .staff])
        let quoted = Result {
            try EventConfiguration.parse(
                yaml: "slug: a\nname: b\ncheck_in_secret: 0123456789abcdef\naccept_other_events: 'no'", file: "e.yaml")
        }
        guard case .failure(let error as EventConfigurationError) = quoted else {
            Issue.record("a quoted 'no' was read as a boolean")
            return
        }
        #expect(error.code == .wrongType)
        #expect(throws: EventConfigurationError.self) {
            try EventConfiguration.parse(yaml: "slug: a\nname: ~\ncheck_in_secret: 0123456789abcdef", file: "e.yaml")
        }
    }

    @Test func shippedTemplatesAndTheSampleEventNeedNoRegex() throws {
        let event = try String(contentsOf: templatesRoot.appending(path: "sample-event.yaml"), encoding: .utf8)
        #expect(YAMLReader.composesWithoutRegex(event))
        let bundles = try FileManager.default.contentsOfDirectory(atPath: templatesRoot.path)
            .filter { FileManager.default.fileExists(atPath: templatesRoot.appending(path: "\($0)/template.yaml").path) }
        #expect(bundles.count >= 4)
        for bundle in bundles {
            let text = try String(contentsOf: templatesRoot.appending(path: "\(bundle)/template.yaml"), encoding: .utf8)
            #expect(YAMLReader.decodesWithoutRegex(text), "\(bundle)")
            #expect(try YAMLReader.decode(Template.self, from: text) == YAMLDecoder().decode(Template.self, from: text), "\(bundle)")
        }
    }

    @Test func templateErrorsReadLikeYams() {
        for yaml in ["size: [1, 2]", "elements: [{kind: text}]", "version: x", "", "a: [1"] {
            let theirs = Result { try YAMLDecoder().decode(Template.self, from: yaml) }
            let ours = Result { try YAMLReader.decode(Template.self, from: yaml) }
            switch (theirs, ours) {
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(yaml)")
            default: Issue.record("\(yaml): Yams \(theirs), ours \(ours)")
            }
        }
    }
}
