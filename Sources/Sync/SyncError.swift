public import LanyardSupport

/// Why the registry's metadata or a file from it was refused, or why the repository could not be
/// read or written. Every refusal names the role or file at fault, so an operator can tell a
/// tampered file from an expired one from a network cut.
public typealias SyncError = CodedError<SyncErrorCode>

public enum SyncErrorCode: String, ErrorCode, Codable {
    /// Not a signed envelope, not the expected role, or fields missing or malformed.
    case metadataInvalid = "sync.metadata_invalid"
    /// Fewer valid signatures from the role's keys than its threshold (a wrong key, a flipped
    /// byte and too few signers all end here; the message says which keys did sign).
    case signatureThreshold = "sync.signature_threshold"
    /// A version lower than one already trusted: a rollback or a replay of old metadata.
    case versionRollback = "sync.version_rollback"
    /// The same version with different content: the repository equivocates.
    case versionConflict = "sync.version_conflict"
    /// A root that is not exactly the next version of the trusted one.
    case rootChainBroken = "sync.root_chain_broken"
    /// Metadata past its expiry and past the offline grace period.
    case expired = "sync.expired"
    /// Targets metadata that is not the one the timestamp names (mix-and-match).
    case mixAndMatch = "sync.mix_and_match"
    /// A file longer than its signed length.
    case lengthExceeded = "sync.length_exceeded"
    /// A file whose SHA-256 is not the signed one.
    case hashMismatch = "sync.hash_mismatch"
    /// A key file that cannot be read or is not an Ed25519 key.
    case keyInvalid = "sync.key_invalid"
    /// A target name, path or share that the protocol does not allow.
    case targetInvalid = "sync.target_invalid"
    /// The repository directory or a cache file cannot be read or written.
    case io = "sync.io"
    /// A file the command was given (a key file) does not exist.
    case fileMissing = "sync.file_missing"
    /// The registry cannot be reached or answered with an unexpected status.
    case transport = "sync.transport"

    public var exitStatus: ExitStatus {
        switch self {
        case .io: .ioFailed
        case .fileMissing: .inputMissing
        case .transport: .unavailable
        case .targetInvalid: .usage
        default: .invalidData
        }
    }

    /// A server meets these verifying or writing its own repository: its failure, not the client's.
    public var httpStatus: Int? { 500 }
}

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
