public import Foundation

/// The independent checkers in Tests/Tools, run with the Python that `make tools` sets up
/// ($LANYARD_PYTHON, else python3 on the path).
public enum PythonTools {
    public static let python = ProcessInfo.processInfo.environment["LANYARD_PYTHON"] ?? "python3"
    /// `make test` sets LANYARD_REQUIRE_EXTERNAL_TOOLS=1: tests that need a missing tool then fail
    /// instead of being skipped.
    public static let required = ProcessInfo.processInfo.environment["LANYARD_REQUIRE_EXTERNAL_TOOLS"] == "1"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether this Python imports every module named (comma-separated, as in an import line).
    public static func canImport(_ modules: String) -> Bool {
        run(arguments: ["-c", "import \(modules)"], input: Data())?.status == 0
    }

    /// Runs `script` (a path from the repository root) with a JSON list of jobs on stdin; it prints
    /// one JSON object per job, each with the job's "id". The results by id.
    public static func runJobs(script: String, _ jobs: [[String: any Sendable]]) throws -> [String: [String: Any]] {
        let input = try JSONSerialization.data(withJSONObject: jobs)
        guard let result = run(arguments: [Repository.root.appending(path: script).path], input: input) else {
            throw Failure(description: "could not start \(python)")
        }
        guard result.status == 0 else { throw Failure(description: "\(script) failed: \(String(decoding: result.stderr, as: UTF8.self))") }
        var results: [String: [String: Any]] = [:]
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let id = object["id"] as? String
            else { throw Failure(description: "\(script) printed a line without an id: \(line)") }
            results[id] = object
        }
        return results
    }

    /// Runs Python with stdin, stdout and stderr in temporary files: no pipe can fill and block.
    public static func run(arguments: [String], input: Data) -> (status: Int32, stdout: Data, stderr: Data)? {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-python-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)) != nil else { return nil }
        defer { try? FileManager.default.removeItem(at: directory) }
        let inURL = directory.appending(path: "in"), outURL = directory.appending(path: "out"), errURL = directory.appending(path: "err")
        guard (try? input.write(to: inURL)) != nil,
            FileManager.default.createFile(atPath: outURL.path, contents: nil),
            FileManager.default.createFile(atPath: errURL.path, contents: nil),
            let stdin = FileHandle(forReadingAtPath: inURL.path),
            let stdout = FileHandle(forWritingAtPath: outURL.path),
            let stderr = FileHandle(forWritingAtPath: errURL.path)
        else { return nil }
        let process = Process()
        process.executableURL = URL(filePath: python.contains("/") ? python : "/usr/bin/env")
        process.arguments = python.contains("/") ? arguments : [python] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        return (process.terminationStatus, (try? Data(contentsOf: outURL)) ?? Data(), (try? Data(contentsOf: errURL)) ?? Data())
    }
}
