import ArgumentParser
import BadgePipeline
import Foundation
import LanyardSupport
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
                let library = try ProfileLibrary.load(directory: profilesDir ?? Installation.profiles.path)
                let rows = library.profiles.values.sorted { $0.id < $1.id }.map { profile in
                    [
                        profile.id, profile.model, profile.languages.map(\.rawValue).joined(separator: "+"),
                        "\(profile.dpi)", "\(profile.maxPrintWidthDots)",
                        "\(profile.speed.min)-\(profile.speed.max)", "\(profile.darkness.min)-\(profile.darkness.max)",
                    ]
                }
                print(TextTable.render(header: ["id", "model", "languages", "dpi", "width", "ips", "darkness"], rows: rows))
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
                let profile = try Installation.profile(profile, directory: profilesDir)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(profile), as: UTF8.self))
            }
        }
    }
}
