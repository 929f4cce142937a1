import ArgumentParser
import Attendees
import Foundation
import LanyardSupport

/// A failure the command line itself finds (a usage it refuses, a file it cannot write), with
/// its exit code. Every library error carries its own (`LanyardError.exitStatus`): the README's
/// table is `ExitStatus`, and nothing maps codes here case by case.
struct CLIError: Error, CustomStringConvertible {
    typealias Exit = ExitStatus

    let exit: Exit
    let message: String

    var description: String { message }

    init(_ exit: Exit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    /// Any error as the command line reports it; one that is not a Lanyard error is internal.
    init(from error: any Error) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as any LanyardError:
            self.init(error.exitStatus, error.description)
        default:
            self.init(.internalError, "\(error)")
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

    /// What a command did, for the person running it (standard output stays for data).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("lanyard: \(message)\n".utf8))
    }

    /// An issue found in the input (intake, rendering), as an error or a warning by its severity.
    static func report(_ issue: some CustomStringConvertible, isError: Bool) {
        if isError { error(issue.description) } else { warning(issue.description) }
    }

    /// An intake issue of a record named on the command line.
    static func report(_ issue: IntakeIssue) {
        let text = "\(issue.code.rawValue) at \(issue.fieldPath) (record \(issue.recordID)): \(issue.reason)"
        if issue.severity == .error { error(text) } else { warning(text) }
    }
}
