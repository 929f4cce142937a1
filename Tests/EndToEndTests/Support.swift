import Attendees
import Badges
import Foundation
import Logging
import Printers
import Raster
import TestSupport
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = Repository.root

enum Fixtures {
    static let event: EventConfiguration = {
        do { return try EventConfiguration.load(file: repositoryRoot.appending(path: "Templates/sample-event.yaml")) } catch {
            preconditionFailure("the sample event must load: \(error)")
        }
    }()

    static let templates = ["standard", "vip", "speaker", "staff"]

    static func bundle(_ name: String) throws -> TemplateBundle {
        try TemplateBundle.load(directory: repositoryRoot.appending(path: "Templates/\(name)"))
    }

    static func profile(_ id: String) throws -> PrinterProfile {
        try ProfileLibrary.load(directory: repositoryRoot.appending(path: "firmware-profiles").path).require(id: id)
    }

    /// The sample attendees shipped with the templates, through intake.
    static let attendees: [Attendee] = {
        var session = Intake(event: event).makeSession()
        do {
            return try session.acceptJSONLines(in: repositoryRoot.appending(path: "Templates/sample-attendees.jsonl"))
                .outcomes.compactMap(\.attendee)
        } catch {
            preconditionFailure("the sample attendees must load: \(error)")
        }
    }()

    static var logger: Logger { Logger(label: "lanyard.tests") }
}

/// Runs `Tests/Tools/crosscheck.py` (zplkit and zxing-cpp) on a batch of jobs.
enum CrossCheck {
    /// Whether the Python tools import; `make test` requires them, a bare `swift test` may skip.
    static let available = PythonTools.canImport("zplkit, zxingcpp, PIL")

    static var enabled: Bool { available || PythonTools.required }

    static func check(_ jobs: [[String: any Sendable]]) throws -> [String: [String: Any]] {
        try PythonTools.runJobs(script: "Tests/Tools/crosscheck.py", jobs)
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(path: "lanyard-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// What one run of the `lanyard` executable did.
struct LanyardRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `lanyard` in the repository root, with output in temporary files (no pipe can
/// fill and block) and `environment` added to this process's.
func runLanyard(_ arguments: [String], environment: [String: String] = [:], program: String = "lanyard") throws -> LanyardRun {
    let executable = try #require(CommandLineTests.executable, "the lanyard executable must be built beside the tests")
        .deletingLastPathComponent().appending(path: program)
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appending(path: "out"), err = directory.appending(path: "err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle(forWritingAtPath: out.path)
    process.standardError = FileHandle(forWritingAtPath: err.path)
    try process.run()
    process.waitUntilExit()
    return LanyardRun(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// Runs the benchmark executable, `lanyard-bench`, built beside `lanyard`.
func runBench(_ arguments: [String]) throws -> LanyardRun {
    try runLanyard(arguments, program: "lanyard-bench")
}
