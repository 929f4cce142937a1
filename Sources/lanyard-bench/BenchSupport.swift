import ArgumentParser
import Foundation
import Sync
import TUF

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

/// A repository for the registry benchmarks: one key per role, root and targets Ed25519,
/// snapshot and timestamp one ECDSA P-256 key (the online key the server re-signs with, written
/// to `timestampKeyFile`), root valid for a day.
struct BenchRepository {
    let publisher: RegistryPublisher
    let timestampKeyFile: URL

    init(directory: URL, timestampKeyFile: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let root = try TUFSigningKey.generate(.ed25519), targets = try TUFSigningKey.generate(.ed25519)
        let timestamp = try TUFSigningKey.generate(.ecdsaP256)
        try RegistryPublisher.writer(directory).initialize(
            root: try Root(
                expires: Date().addingTimeInterval(86_400),
                roles: [
                    "root": RoleAssignment([root.publicKey]), "targets": RoleAssignment([targets.publicKey]),
                    "snapshot": RoleAssignment([timestamp.publicKey]), "timestamp": RoleAssignment([timestamp.publicKey]),
                ]), signers: [root, targets, timestamp])
        try timestamp.write(to: timestampKeyFile)
        publisher = RegistryPublisher(repository: directory, signers: [targets, timestamp])
        self.timestampKeyFile = timestampKeyFile
    }
}
