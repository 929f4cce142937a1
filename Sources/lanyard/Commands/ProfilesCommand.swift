import ArgumentParser
import Foundation
import Printers

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List and show printer profiles.",
        subcommands: [List.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the printer profiles.")

        @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
        var profilesDir: String?

        func run() throws {
            try withExitCodes {
                let library = try ProfileLibrary.load(directory: profilesDir ?? Resources.profiles.path)
                let rows = library.profiles.values.sorted { $0.id < $1.id }.map { profile in
                    [profile.id, profile.model, profile.languages.map(\.rawValue).joined(separator: "+"),
                     "\(profile.dpi)", "\(profile.maxPrintWidthDots)",
                     "\(profile.speed.min)-\(profile.speed.max)", "\(profile.darkness.min)-\(profile.darkness.max)"]
                }
                print(table(header: ["id", "model", "languages", "dpi", "width", "ips", "darkness"], rows: rows))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one printer profile.")

        @Argument(help: "Profile id or YAML file.")
        var profile: String

        @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
        var profilesDir: String?

        func run() throws {
            try withExitCodes {
                let profile = try Resources.profile(profile, directory: profilesDir)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(profile), as: UTF8.self))
            }
        }
    }
}

/// A plain text table with columns padded to their widest cell.
func table(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}
