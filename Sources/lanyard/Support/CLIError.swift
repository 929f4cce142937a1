import Agent
import ArgumentParser
import Badges
import Foundation
import Printers
import Store
import Sync

/// A failure the command line reports on stderr with a documented exit code.
struct CLIError: Error, CustomStringConvertible {
    enum Exit: Int32 {
        case contentErrors = 1
        case usage = 64
        case invalidData = 65
        case inputMissing = 66
        /// The printer cannot be reached: not found, busy, disconnected, timed out; or the
        /// agent's listen address is taken.
        case unavailable = 69
        case `internal` = 70
        /// `lanyard agent`: another agent is running on the same data directory.
        case dataDirectoryInUse = 73
        case io = 74
        /// The printer answered but cannot print now (paper out, head open, paused): try again.
        case printerNotReady = 75
        /// The device exists but this user may not open it.
        case noPermission = 77
    }

    let exit: Exit
    let message: String

    var description: String { message }

    init(_ exit: Exit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    /// Maps the libraries' errors to exit codes; anything unknown is an internal error.
    init(from error: any Error) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as BadgeError:
            let exit: Exit = switch error.code {
            case .manifestMissing, .assetMissing: .inputMissing
            case .io: .io
            case .renderFailed: .internal
            default: .invalidData
            }
            self.init(exit, error.description)
        case let error as ProfileError:
            self.init(error.code == .notFound || error.code == .unreadable ? .inputMissing : .invalidData, error.description)
        case let error as PrintersError:
            let exit: Exit = switch error.code {
            case .profileRequired, .printerAmbiguous: .usage
            default: .invalidData
            }
            self.init(exit, error.description)
        case let error as EventConfigurationError:
            self.init(error.code == .unreadable ? .inputMissing : .invalidData, error.description)
        case let error as IntakeFileError:
            self.init(.inputMissing, error.description)
        case let error as TransportError:
            let exit: Exit = switch error.code {
            case .invalidAddress: .usage
            case .permissionDenied: .noPermission
            case .unsupported: .usage
            case .notFound, .busy, .timeout, .disconnected, .ioFailed: .unavailable
            }
            self.init(exit, error.description)
        case let error as StoreError:
            self.init(.io, error.description)
        case let error as SyncError:
            let exit: Exit = switch error.code {
            case .io: .io
            case .fileMissing: .inputMissing
            case .transport: .unavailable
            case .targetInvalid: .usage
            default: .invalidData
            }
            self.init(exit, error.description)
        case let error as AgentError:
            let exit: Exit = switch error.code {
            case .dataDirectoryInUse: .dataDirectoryInUse
            case .listenAddressInUse: .unavailable
            case .configurationInvalid: .invalidData
            default: .internal
            }
            self.init(exit, error.description)
        case let error as SimulatorError:
            self.init(error.code == .invalidConfiguration ? .invalidData : .io, error.description)
        default:
            self.init(.internal, "\(error)")
        }
    }
}

/// Runs a command body, printing any failure to stderr and leaving with its exit code.
func withExitCodes(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

/// The same for commands that talk to printers.
func withExitCodes(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// An error as the exit code it maps to, after saying what went wrong on stderr.
private func reported(_ error: any Error) -> ExitCode {
    if let exit = error as? ExitCode { return exit }
    let failure = CLIError(from: error)
    Terminal.error(failure.message)
    return ExitCode(failure.exit.rawValue)
}

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("lanyard: error: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("lanyard: warning: \(message)\n".utf8))
    }

    /// An issue found in the input (intake, rendering), as an error or a warning by its severity.
    static func report(_ issue: some CustomStringConvertible, isError: Bool) {
        if isError { error(issue.description) } else { warning(issue.description) }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
