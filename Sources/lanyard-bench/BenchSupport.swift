import ArgumentParser
import Foundation

/// Why a benchmark could not run or did not complete cleanly.
struct BenchError: Error, CustomStringConvertible {
    enum Kind: Int32 {
        case `internal` = 70
        case unavailable = 69
        case io = 74
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }
}

/// Runs a benchmark, printing a failure to stderr and leaving with its exit code.
func withExitCodes(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

func withExitCodes(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

private func reported(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("lanyard-bench: error: \(error)\n".utf8))
    return ExitCode((error as? BenchError)?.kind.rawValue ?? 1)
}

func makeDirectory(_ url: URL) throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
}
