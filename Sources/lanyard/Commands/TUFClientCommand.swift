import ArgumentParser
import Foundation
import TUF

/// The tuf-conformance suite's client under test (ClientCommand): exit 0 on success, 1 on any failure.
struct TUFClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf-client", abstract: "A TUF 1.0 client as the tuf-conformance suite drives one: init ROOT, refresh, download.")

    @Option var metadataDir: String
    @Option var metadataUrl: String?
    @Option var targetName: [String] = []
    @Option var targetBaseUrl: String?
    @Option var targetDir: String?
    @Argument(help: "init ROOT | refresh | download") var command: [String]

    func run() async throws {
        guard
            let command = ClientCommand(
                words: command, metadataURL: metadataUrl, targetNames: targetName, targetBaseURL: targetBaseUrl, targetDirectory: targetDir)
        else {
            throw ValidationError("init ROOT; refresh with --metadata-url; download with --target-name, --target-base-url, --target-dir")
        }
        do { try await command.run(metadataDirectory: URL(filePath: metadataDir)) } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
    }
}
