import ArgumentParser
import BadgePipeline
import Foundation
import LanyardSupport
import Printers

struct PrintersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printers",
        abstract: "List the USB printers attached and the network printers configured.",
        discussion: """
            USB printers are found by their printer-class interface and matched to a profile by their \
            ids and IEEE 1284 device id. Network printers come from $LANYARD_PRINTERS, else \
            /etc/lanyard/printers.yaml (see docs/printers.md); each is asked for its status.
            """)

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "List of network printers (default: $LANYARD_PRINTERS, else /etc/lanyard/printers.yaml).")
    var config: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await withExitCodes {
            let library = try ProfileLibrary.load(directory: profilesDir ?? Installation.profiles.path)
            let configPath = config ?? ProcessInfo.processInfo.environment["LANYARD_PRINTERS"] ?? "/etc/lanyard/printers.yaml"
            let entries = try await PrinterInventoryEntry.list(profiles: library, configured: try ConfiguredPrinter.load(file: configPath))
            {
                try Installation.profile($0, directory: profilesDir)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                return
            }
            if entries.isEmpty { print("no USB printer attached and no network printer configured (\(configPath))") }
            for entry in entries {
                print(entry.line)
                for note in entry.notes { print("  note: \(note)") }
            }
        }
    }
}
