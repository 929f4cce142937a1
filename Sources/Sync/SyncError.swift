public import LanyardSupport

/// Why the registry's metadata or a file from it was refused, or why the repository could not be
/// read or written. Every refusal names the role or file at fault, so an operator can tell a
/// tampered file from an expired one from a network cut.
public typealias SyncError = CodedError<SyncErrorCode>

extension CodedError where Code == SyncErrorCode {
    /// The role (`root`, `targets`, `timestamp`), metadata file, target or blob at fault, and
    /// what the layer below said (a decoder's field path, errno, an HTTP status).
    public init(_ code: Code, _ message: String, subject: String?, cause: String? = nil) {
        self.init(code, message, context: subject, underlying: cause.map(ErrorText.init))
    }

    public init(_ code: Code, _ message: String, cause: String) {
        self.init(code, message, context: nil, underlying: ErrorText(cause))
    }

    /// The error underneath, kept typed.
    public init(_ code: Code, _ message: String, subject: String?, underlying: any Error) {
        self.init(code, message, context: subject, underlying: underlying)
    }

    public var subject: String? { context }
    public var cause: String? { underlyingError.map { "\($0)" } }
}
