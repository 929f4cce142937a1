public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process of the built `lanyard` executable, its output in a file (no pipe can fill and block).
public final class LanyardProcess: Sendable {
    /// The executable `swift build --build-tests` puts beside the test bundle.
    public static let executable: URL? = {
        let candidates = [
            URL(filePath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appending(path: "lanyard") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "the lanyard executable must be built beside the tests" }
    }

    public let process: Process
    public let log: URL

    public init(_ arguments: [String], log: URL, environment: [String: String] = [:]) throws {
        guard let executable = Self.executable else { throw Missing() }
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    /// What it wrote so far.
    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, and waits for it to end.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: as a crash or a pulled power cable would end it.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
