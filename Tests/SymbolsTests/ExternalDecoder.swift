import Foundation
import Raster
import Testing

/// zxing-cpp, run through `decode.py`, as a decoder independent of the encoders under test: if it
/// reads back the payload from the placed dots, modules, placement and quiet zones are right.
enum ExternalDecoder {
    struct Symbol: Decodable, Equatable, CustomStringConvertible {
        let format: String
        let text: String
        /// Hex of the raw payload bytes as the decoder saw them.
        let bytes: String

        var description: String { "\(format): \(text) [\(bytes)]" }
    }

    enum Availability: Sendable {
        case available
        case missing(String)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let environment = ProcessInfo.processInfo.environment
    static let python = environment["LANYARD_PYTHON"] ?? "python3"
    static let required = environment["LANYARD_REQUIRE_EXTERNAL_TOOLS"] == "1"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("decode.py")

    /// Probed once per test run.
    static let availability: Availability = {
        do {
            let result = try run([script.path, "--probe"])
            return result.status == 0 ? .available : .missing(result.errorOutput)
        } catch {
            return .missing("\(error)")
        }
    }()

    /// Decoding tests run when the decoder is there, or when the environment demands it (then a
    /// missing decoder fails them instead of skipping them).
    static var shouldRun: Bool {
        if case .available = availability { return true }
        return required
    }

    static let skipReason: Comment =
        "zxing-cpp is not importable by \(python) (install zxing-cpp and Pillow for it, or point LANYARD_PYTHON at an interpreter that has them); set LANYARD_REQUIRE_EXTERNAL_TOOLS=1 to fail instead of skipping"

    /// Writes `bitmap` as a PNG to a fresh temporary directory and decodes it.
    static func decode(_ bitmap: Bitmap) throws -> [Symbol] {
        if case .missing(let reason) = availability {
            throw Failure(description: "zxing-cpp decoder required but unavailable: \(reason)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lanyard-symbols-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("symbol.png")
        try Data(bitmap.png()).write(to: file)
        let result = try run([script.path, file.path])
        guard result.status == 0 else {
            throw Failure(description: "decode.py exited \(result.status): \(result.errorOutput)")
        }
        return try result.output.split(separator: "\n").map { line in
            try JSONDecoder().decode(Symbol.self, from: Data(line.utf8))
        }
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errorOutput: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
