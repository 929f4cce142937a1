import ArgumentParser
import BadgePipeline
import Badges
import Foundation
import LanyardSupport

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

        @Option(parsing: .upToNextOption, help: "Resolutions to check at.")
        var dpi: [Int] = [203, 300]

        @Option(help: "Event configuration YAML (default: the sample event).")
        var event: String?

        func run() throws {
            try withExitCodes {
                let bundle = try Installation.bundle(directory)
                let event = try Installation.event(event)
                let check = try TemplateCheck(bundle: bundle, event: event, dpis: dpi, logger: Installation.quietLogger)
                for finding in check.findings { print(finding.description) }
                let errors = check.errors.count, warnings = check.warningCount
                let template = bundle.template
                print(
                    "\(template.name) \(template.version) (bundle \(bundle.manifest.digest.prefix(12))): "
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
