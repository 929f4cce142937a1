import Foundation

/// How a `lanyard` command ends: the sysexits(3) codes the README's exit-code table documents.
public enum ExitStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case success = 0
    /// The command finished, but a record or a template has errors.
    case contentErrors = 1
    case usage = 64
    /// A template, profile, event or agent configuration is invalid.
    case invalidData = 65
    case inputMissing = 66
    /// The printer cannot be reached (not found, busy, disconnected, timed out), or an address
    /// the command must listen on is taken.
    case unavailable = 69
    case internalError = 70
    /// Another agent runs on the data directory.
    case inUse = 73
    case ioFailed = 74
    /// The printer answered but cannot print now (paper out, head open, paused): try again.
    case printerNotReady = 75
    /// The device exists but this user may not open it.
    case noPermission = 77

    public var description: String {
        switch self {
        case .success: "success"
        case .contentErrors: "finished, but the record or template has errors"
        case .usage: "usage"
        case .invalidData: "invalid template, profile, event or agent configuration"
        case .inputMissing: "input not found"
        case .unavailable: "printer unreachable, or the listen address in use"
        case .internalError: "internal error"
        case .inUse: "another agent runs on the data directory"
        case .ioFailed: "output or state could not be written"
        case .printerNotReady: "printer not ready"
        case .noPermission: "no permission to open the printer"
        }
    }
}

/// The one shape of every Lanyard failure: a stable dotted code (`agent.configuration_invalid`),
/// a message for a person, where it happened (a field path, a file, an address), the error that
/// caused it, and what it means to a command line (exit status) and to an HTTP client (status).
/// The command line and both HTTP servers read failures only through this protocol, so a new
/// error cannot fall through to "internal error" for want of a case.
public protocol LanyardError: Error, Sendable, CustomStringConvertible {
    /// Stable and dotted; documented in the API's problem responses and logs.
    var errorCode: String { get }
    var message: String { get }
    /// The field path, file, header or address at fault, when there is one.
    var context: String? { get }
    /// The lower-level error this one wraps, kept typed for callers that branch on it.
    var underlyingError: (any Error)? { get }
    var exitStatus: ExitStatus { get }
    /// The HTTP status a server answers with when a request meets this failure.
    var httpStatus: Int { get }
}

extension LanyardError {
    public var underlyingError: (any Error)? { nil }
    public var httpStatus: Int { exitStatus.httpStatus }
}

extension ExitStatus {
    /// The HTTP status of a failure with this exit status, unless the error says otherwise.
    public var httpStatus: Int {
        switch self {
        case .usage, .invalidData, .contentErrors: 400
        case .inputMissing: 404
        case .unavailable, .printerNotReady: 503
        case .inUse: 409
        case .noPermission: 403
        case .success, .internalError, .ioFailed: 500
        }
    }
}

/// The codes of one kind of failure, each knowing what it means to a command line and to an HTTP
/// client. With `CodedError`, a module declares its failures as one enum and nothing else.
public protocol ErrorCode: RawRepresentable<String>, Sendable, CaseIterable, Equatable {
    var exitStatus: ExitStatus { get }
    var httpStatus: Int? { get }
}

extension ErrorCode {
    /// Nil: the status follows from the exit status (`LanyardError.httpStatus`).
    public var httpStatus: Int? { nil }
}

/// A failure with a code from `Code`, a message, where it happened and what caused it: the one
/// error struct, so that a new kind of failure is an enum of codes, not another struct.
public struct CodedError<Code: ErrorCode>: LanyardError {
    public let code: Code
    public let message: String
    public let context: String?
    public let underlyingError: (any Error)?
    /// Numbers or states a caller branches on without parsing the message: a byte offset in a
    /// printer reply, both ends of a refused job transition, a payload against its capacity.
    public let facts: (any ErrorFacts)?

    public init(
        _ code: Code, _ message: String, context: String? = nil, underlying: (any Error)? = nil,
        facts: (any ErrorFacts)? = nil
    ) {
        self.code = code
        self.message = message
        self.context = context
        self.underlyingError = underlying
        self.facts = facts
    }

    public var errorCode: String { code.rawValue }
    public var exitStatus: ExitStatus { code.exitStatus }
    public var httpStatus: Int { code.httpStatus ?? exitStatus.httpStatus }

    /// `code: message (context) (facts) [cause]`, every part after the message only when present.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let context { text += " (\(context))" }
        if let facts { text += " (\(facts))" }
        if let underlyingError { text += " [\(Self.text(of: underlyingError))]" }
        return text
    }

    /// A cause as a person reads it: Foundation's file errors by their localized sentence
    /// ("The file “x” couldn’t be opened…"), not `Error Domain=NSCocoaErrorDomain Code=260`.
    static func text(of cause: any Error) -> String {
        if cause is CocoaError || type(of: cause) == NSError.self { return cause.localizedDescription }
        return "\(cause)"
    }

    /// The facts, when they are of type `T`.
    public func facts<T: ErrorFacts>(as type: T.Type) -> T? { facts as? T }
}

/// What a failure carries beyond its message for callers to act on; printed in the error's text.
public protocol ErrorFacts: Sendable, CustomStringConvertible {}

/// Where in a byte stream a failure was found: a job being decoded, a printer's reply.
public struct ByteOffset: ErrorFacts, Equatable {
    public let offset: Int
    /// Up to 16 bytes from `offset`, printable ASCII as is and the rest as `<XX>`.
    public let excerpt: String?

    public init(_ offset: Int, excerpt: String? = nil) {
        self.offset = offset
        self.excerpt = excerpt
    }

    public var description: String {
        "at byte \(offset)" + (excerpt.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")
    }
}

/// Where in a structured file (YAML, JSON) the value at fault is: `tier_mapping.Gold`,
/// `elements[3].font.size`.
public struct FieldPath: ErrorFacts, Equatable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var description: String { "at \(path)" }
}

/// A cause known only as text (what a C library or a peer said), where an error type is wanted.
public struct ErrorText: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ text: String) { description = text }
}

extension CodedError: Equatable {
    /// Two failures are the same when their code, message, context and facts are; the cause is
    /// detail.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.context == rhs.context
            && lhs.facts?.description == rhs.facts?.description
    }
}
