import Foundation
import LanyardSupport
import TestSupport
import Testing

@testable import TUF

/// Serves the files python wrote for one step of a scenario: the URL's path below the base is the
/// file's path below the step's directory.
struct DirectoryFetcher: TUFFetcher {
    let base: String
    let directory: URL

    func fetch(_ url: String, maximumLength: Int) async throws(TUFError) -> Data? {
        guard let data = try? Data(contentsOf: directory.appending(path: String(url.dropFirst(base.count)))) else { return nil }
        guard data.count <= maximumLength else {
            throw TUFError(.lengthExceeded, "\(data.count) bytes, at most \(maximumLength) allowed", context: url)
        }
        return data
    }
}

/// python-tuf's Metadata API builds repositories that change step by step (Tests/Tools/
/// tuf_client_scenarios.py) and python-tuf's `ngclient.Updater` judges every step; the Swift
/// updater, run the same way on the same files, must accept and refuse the same steps, end with
/// the same metadata trusted and the same targets downloaded, and refuse for the same reason.
@Suite(.enabled(if: PythonTUF.enabled, PythonTUF.skipReason))
struct ClientInteropTests {
    /// The Swift codes that answer each python-tuf exception.
    static let reasons: [String: Set<TUFErrorCode>] = [
        "UnsignedMetadataError": [.signatureThreshold],
        "BadVersionNumberError": [.rollback, .badRootVersion, .versionMismatch],
        "ExpiredMetadataError": [.expired],
        "LengthOrHashMismatchError": [.lengthMismatch, .hashMismatch],
        "DownloadLengthMismatchError": [.lengthExceeded],
        "RepositoryError": [.rollback, .delegationNotFound],
        "DeserializationError": [.metadataInvalid, .jsonMalformed],
        "LookupError": [.targetNotFound],
    ]

    @Test func theUpdaterDecidesEveryStepAsPythonTUFDoes() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-tuf-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try #require(
            try PythonTools.runJobs(script: PythonTUF.script, [["id": "client", "kind": "client", "dir": directory.path]])["client"])
        #expect(result["error"] == nil, "\(result["error"] ?? "")")
        let base = try #require(result["base"] as? String)
        let scenarios = try #require(result["scenarios"] as? [[String: Any]])
        #expect(scenarios.count == 10)
        var refused = 0
        var steps = 0
        for scenario in scenarios {
            let name = try #require(scenario["name"] as? String)
            let folder = directory.appending(path: name)
            let metadata = folder.appending(path: "swift")
            let targets = folder.appending(path: "swift-targets")
            try FileManager.default.createDirectory(at: targets, withIntermediateDirectories: true)
            try await ClientCommand.initialize(trustedRoot: folder.appending(path: "initial_root.json")).run(metadataDirectory: metadata)
            for (index, step) in try #require(scenario["steps"] as? [[String: Any]]).enumerated() {
                let label = "\(name) step \(index)"
                let paths = try #require(step["targets"] as? [String])
                let command: ClientCommand =
                    paths.isEmpty
                    ? .refresh(metadataURL: base + "metadata/")
                    : .download(metadataURL: base + "metadata/", targets: paths, baseURL: base + "targets/", directory: targets)
                var failure: TUFError? = nil
                do {
                    try await command.run(
                        metadataDirectory: metadata,
                        fetcher: DirectoryFetcher(base: base, directory: folder.appending(path: "step-\(index)")))
                } catch {
                    failure = error
                }
                let accepted = try #require(step["ok"] as? Bool)
                #expect(accepted == step["expect"] as? Bool, "\(label): the scenario expects otherwise of python-tuf")
                #expect(
                    (failure == nil) == accepted,
                    "\(label): \(failure?.description ?? "accepted"); python: \(step["message"] ?? "accepted")")
                if let failure, let pythonError = step["error"] as? String {
                    refused += 1
                    #expect(Self.reasons[pythonError]?.contains(failure.code) == true, "\(label): \(failure) for python's \(pythonError)")
                }
                #expect(try Self.versions(in: metadata) == step["versions"] as? [String: Int], "\(label)")
                #expect(try Self.downloads(in: targets) == step["downloads"] as? [String: String], "\(label)")
                steps += 1
            }
        }
        #expect(steps == 46 && refused == 27, "\(steps) steps, \(refused) refused")
    }

    static func versions(in directory: URL) throws -> [String: Int] {
        var versions: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            let envelope = try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: name))))
            versions[String(name.dropLast(".json".count))] = envelope.signed["version"]?.integerValue.map { Int($0) }
        }
        return versions
    }

    static func downloads(in directory: URL) throws -> [String: String] {
        var downloads: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            downloads[name] = sha256Hex(Array(try Data(contentsOf: directory.appending(path: name))))
        }
        return downloads
    }
}
