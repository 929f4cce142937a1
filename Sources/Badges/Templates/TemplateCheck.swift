public import Logging

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
        public var isError: Bool { issue.severity == .error || issue.blocksPrinting }

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
        var findings: [Finding] = []
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
}
