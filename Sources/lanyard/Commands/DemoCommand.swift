import ArgumentParser
import Badges
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Render every bundled template for the sample attendees: PNG previews, ZPL, EPL and a PDF.")

    @Option(help: "Output directory.")
    var out = "out"

    /// Which printer each template is shown on: ZPL at 300 and 203 dpi, and an EPL-only model.
    static let plan: [(template: String, zplProfile: String, eplProfile: String)] = [
        ("standard", "zebra-zd621d-300", "zebra-gc420d-203"),
        ("vip", "zebra-zd621d-300", "zebra-gc420d-203"),
        ("speaker", "zebra-zd421d-203", "zebra-gc420d-203"),
        ("staff", "zebra-zd421d-203", "zebra-gc420d-203"),
    ]

    func run() throws {
        try withExitCodes {
            let event = try Resources.event(nil)
            let root = URL(filePath: out, directoryHint: .isDirectory)
            var rows: [[String]] = []
            for entry in Self.plan {
                let bundle = try Resources.bundle(Resources.templates.appending(path: entry.template).path)
                let directory = root.appending(path: entry.template)
                try makeDirectory(directory)
                for (profileID, formats) in [(entry.zplProfile, [OutputFormat.png, .zpl]), (entry.eplProfile, [.epl])] {
                    let output = try BadgeOutput(bundle: bundle, profile: try Resources.profile(profileID, directory: nil))
                    let runner = BatchRunner(output: output, event: event, formats: formats,
                                             directory: directory.appending(path: profileID))
                    try makeDirectory(runner.directory)
                    let summary = try runner.run(input: Resources.sampleAttendees)
                    for (format, bytes) in summary.bytesByFormat.sorted(by: { $0.key < $1.key }) {
                        rows.append([entry.template, profileID, format, "\(summary.accepted)",
                                     "\(bytes / max(summary.accepted, 1))", "\(summary.warnings)",
                                     String(format: "%.2f s", summary.seconds)])
                    }
                }
                let output = try BadgeOutput(bundle: bundle, profile: try Resources.profile(entry.zplProfile, directory: nil))
                var session = Intake(event: event).makeSession()
                if let first = try session.acceptJSONLines(in: Resources.sampleAttendees).outcomes.compactMap(\.attendee).first {
                    _ = try output.write(fields: BadgeFields.fields(for: first, event: event), format: .pdf,
                                         to: directory.appending(path: "\(entry.template).pdf"))
                }
            }
            print(table(header: ["template", "printer", "format", "badges", "bytes/badge", "warnings", "time"], rows: rows))
            print("\nPreviews, printer jobs and PDFs are in \(root.path)/<template>/.")
        }
    }
}
