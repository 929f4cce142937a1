import ArgumentParser
import Badges
import Foundation

struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "Check template bundles and maintain their manifests.",
        subcommands: [Check.self, Manifest.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dry-run a template against synthetic attendees and report every problem.",
            discussion: """
                Renders the template for long, short and non-Latin names and every access tier, at \
                each resolution asked for. Exit 0: no errors (warnings may be listed); 1: errors.
                """)

        @Argument(help: "Template bundle directory.")
        var directory: String

        @Option(parsing: .upToNextOption, help: "Resolutions to check at (default: 203 300).")
        var dpi: [Int] = [203, 300]

        @Option(help: "Event configuration YAML (default: the sample event).")
        var event: String?

        func run() throws {
            try withExitCodes {
                let bundle = try Resources.bundle(directory)
                let event = try Resources.event(event)
                var errors = 0, warnings = 0
                var seen = Set<String>()
                for dpi in dpi {
                    let renderer = try BadgeRenderer(bundle: bundle, dpi: dpi, logger: Resources.logger)
                    for issue in renderer.fontWarnings where seen.insert(issue.description).inserted {
                        warnings += 1
                        print("\(issue.severity.rawValue): \(issue.code.rawValue): \(issue.message)")
                    }
                    for synthetic in SyntheticAttendees.cases {
                        let badge = try renderer.render(fields: BadgeFields.fields(synthetic: synthetic.fields, event: event))
                        for element in badge.elements {
                            for issue in element.issues {
                                let name = element.id ?? "elements[\(element.index)]"
                                // Placement issues are the same for every attendee: report them once.
                                let key = [.outsideStock, .outsideSafeArea].contains(issue.code)
                                    ? "\(name) \(issue.code)" : "\(dpi) \(synthetic.label) \(name) \(issue.code)"
                                guard seen.insert(key).inserted else { continue }
                                if issue.severity == .error { errors += 1 } else { warnings += 1 }
                                print("\(issue.severity.rawValue): \(name) @\(dpi) dpi [\(synthetic.label)]: \(issue.code.rawValue): \(issue.message)")
                            }
                        }
                    }
                }
                let template = bundle.template
                print("\(template.name) \(template.version) (bundle \(bundle.manifest.digest.prefix(12))): "
                    + "\(SyntheticAttendees.cases.count) synthetic attendees at \(dpi.map(String.init).joined(separator: ", ")) dpi: "
                    + "\(errors) error(s), \(warnings) warning(s)")
                if errors > 0 { throw ExitCode(CLIError.Exit.contentErrors.rawValue) }
            }
        }
    }

    struct Manifest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write manifest.json for a bundle: the SHA-256 of every file and the bundle digest.")

        @Argument(help: "Template bundle directory.")
        var directory: String

        func run() throws {
            try withExitCodes {
                let url = URL(filePath: directory, directoryHint: .isDirectory)
                _ = try TemplateBundle.decodeTemplate(at: url.appending(path: TemplateBundle.templateFile))
                let manifest = try BundleManifest.write(directory: url)
                print("\(directory): \(manifest.files.count) files, digest \(manifest.digest)")
            }
        }
    }
}
