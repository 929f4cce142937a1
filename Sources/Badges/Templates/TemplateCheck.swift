public import Attendees
public import Logging
import YAMLReading

/// The check a template passes before it prints anywhere: rendered for every synthetic attendee
/// (`SyntheticAttendees`) at each resolution, every issue reported once with where it happened.
/// `lanyard templates check` prints it, `lanyard registry publish` refuses a bundle with errors, and
/// the agent's dry run will not promote one: the same findings in the same words on every path.
public struct TemplateCheck: Sendable {
    /// One issue of the template: which element, at which resolution, for which attendee.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var issue: RenderIssue
        /// `elements[3]` or the element's id; nil for the template's own (fonts).
        public var element: String?
        public var dpi: Int
        /// The synthetic attendee's label; nil when the issue is the same for everyone.
        public var attendee: String?

        /// Errors, and whatever keeps a badge from printing (`RenderIssue.blocksPrinting`).
        public var isError: Bool { issue.isError }

        public var description: String {
            let severity = isError ? "error" : "warning"
            guard let element else { return "\(severity): \(issue.code.rawValue): \(issue.message)" }
            return "\(severity): \(element) @\(dpi) dpi" + (attendee.map { " [\($0)]" } ?? "")
                + ": \(issue.code.rawValue): \(issue.message)"
        }
    }

    public var findings: [Finding]

    public var errors: [Finding] { findings.filter(\.isError) }
    public var warningCount: Int { findings.count - errors.count }

    /// Renders `bundle` for every synthetic attendee at each of `dpis`.
    public init(bundle: TemplateBundle, event: EventConfiguration, dpis: [Int], logger: Logger) throws(BadgeError) {
        var findings = Self.unknownFields(in: bundle.template, dpi: dpis.first ?? 0)
        findings += Self.listMisuse(in: bundle.template, dpi: dpis.first ?? 0)
        var seen = Set<String>()
        for dpi in dpis {
            let renderer = try BadgeRenderer(bundle: bundle, dpi: dpi, logger: logger)
            for issue in renderer.fontWarnings where seen.insert(issue.description).inserted {
                findings.append(Finding(issue: issue, element: nil, dpi: dpi, attendee: nil))
            }
            for synthetic in SyntheticAttendees.cases {
                let badge = try renderer.render(fields: BadgeFields.fields(synthetic: synthetic.fields, event: event))
                for element in badge.elements {
                    let name = element.id ?? "elements[\(element.index)]"
                    for issue in element.issues {
                        // Placement issues are the same for every attendee: report them once.
                        let placement = [.outsideStock, .outsideSafeArea].contains(issue.code)
                        let key = placement ? "\(name) \(issue.code)" : "\(dpi) \(synthetic.label) \(name) \(issue.code)"
                        guard seen.insert(key).inserted else { continue }
                        findings.append(Finding(issue: issue, element: name, dpi: dpi, attendee: placement ? nil : synthetic.label))
                    }
                }
            }
        }
        self.findings = findings
    }

    /// Placeholders, rules and conditions that name a field no attendee has: `{pronoun}` renders
    /// blank on every badge, so it is an error, named with the field that was probably meant. A
    /// rule with a non-empty `default` never renders blank, so its sources may be fields a caller
    /// supplies (the calibration ladder's `darkness` and `speed`).
    static func unknownFields(in template: Template, dpi: Int) -> [Finding] {
        var known = Set(BadgeFields.names)
        var findings: [Finding] = []
        func check(_ names: [String], at place: String) {
            for name in names where !known.contains(name) && !BadgeFields.isKnown(name) {
                let guess = closestKey(to: name, among: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
                findings.append(
                    Finding(
                        issue: RenderIssue(.error, .unknownField, "'\(name)' is not a field\(guess) (docs/templates.md lists them)"),
                        element: place, dpi: dpi, attendee: nil))
            }
        }
        for (index, rule) in template.fields.enumerated() {
            let place = "fields[\(index)] \(rule.name)"
            if (rule.defaultValue ?? "").isEmpty { check(rule.firstOf ?? [], at: place) }
            check(rule.format.map(FieldMapper.placeholders(in:)) ?? [], at: place)
            check(rule.lookup.map { [$0] } ?? [], at: place)
            known.insert(rule.name)
        }
        for (index, element) in template.elements.enumerated() {
            let place = element.id ?? "elements[\(index)]"
            check(element.when.map(\.field), at: place)
            if case .icons(let icons) = element.kind { check(icons.from, at: place) }
            switch element.kind {
            case .text(let text): check(FieldMapper.placeholders(in: text.text), at: place)
            case .qr(let qr): check(FieldMapper.placeholders(in: qr.payload), at: place)
            case .barcode(let barcode): check(FieldMapper.placeholders(in: barcode.data), at: place)
            default: break
            }
        }
        return findings
    }

    /// The fields that reach templates as comma-joined lists, which `contains` and `icons` read
    /// item by item; a `custom.NAME` field may carry such a list too (a CSV column of them).
    static func isListField(_ name: String) -> Bool {
        AttendeeField(rawValue: name)?.isList == true || name.hasPrefix("custom.")
    }

    /// `contains`, or an icons element's `from`, on a field that is not a list: `company` with
    /// `contains: acme` would hold for "ACME" but never for "ACME, Inc.", a silent surprise, so it
    /// is an error like an unknown field. The template's own rules may join lists into a field of
    /// their own, so their fields pass; fields no attendee has are reported by `unknownFields`.
    static func listMisuse(in template: Template, dpi: Int) -> [Finding] {
        let ruleNames = Set(template.fields.map(\.name))
        var findings: [Finding] = []
        func check(_ name: String, _ what: String, at place: String) {
            guard !isListField(name), !ruleNames.contains(name), BadgeFields.isKnown(name) else { return }
            findings.append(
                Finding(
                    issue: RenderIssue(
                        .error, .notAList,
                        "\(what) reads list items, but '\(name)' is not a list field (sessions, dietary, accessibility or custom.NAME)"),
                    element: place, dpi: dpi, attendee: nil))
        }
        for (index, element) in template.elements.enumerated() {
            let place = element.id ?? "elements[\(index)]"
            for condition in element.when where condition.contains != nil { check(condition.field, "contains", at: place) }
            if case .icons(let icons) = element.kind {
                for field in icons.from { check(field, "an icons element", at: place) }
            }
        }
        return findings
    }
}
