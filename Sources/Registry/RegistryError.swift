public import LanyardSupport

/// A failure of the registry server: a request it refuses or state it cannot read or write.
/// HTTP handlers answer these as problem documents carrying the code.
public typealias RegistryError = CodedError<RegistryErrorCode>

public enum RegistryErrorCode: String, ErrorCode, Codable {
    case requestInvalid = "registry.request_invalid"
    /// No bearer token, or not the configured one.
    case unauthorized = "registry.unauthorized"
    /// An agent report whose signature does not verify with the key it carries.
    case signatureInvalid = "registry.signature_invalid"
    /// An agent report signed by a key other than the one the agent's first report recorded.
    case agentKeyMismatch = "registry.agent_key_mismatch"
    /// An agent report older than (or as old as, but different from) the last one accepted.
    case reportReplayed = "registry.report_replayed"
    case payloadTooLarge = "registry.payload_too_large"
    case notFound = "registry.not_found"
    case conflict = "registry.conflict"
    case storage = "registry.storage"
    case configurationInvalid = "registry.configuration_invalid"
    /// A change-log cursor beyond the last one this registry gave out: the kiosk's list did
    /// not come from this registry's log and needs a snapshot.
    case cursorAhead = "registry.cursor_ahead"
    /// The server holds no timestamp key, so it cannot sign what kiosks would verify.
    case signingUnavailable = "registry.signing_unavailable"

    public var exitStatus: ExitStatus {
        switch self {
        case .requestInvalid, .payloadTooLarge: .usage
        case .unauthorized, .signatureInvalid, .agentKeyMismatch: .noPermission
        case .notFound: .inputMissing
        case .reportReplayed, .conflict, .cursorAhead, .configurationInvalid: .invalidData
        case .storage: .ioFailed
        case .signingUnavailable: .unavailable
        }
    }

    public var httpStatus: Int? {
        switch self {
        case .requestInvalid: 400
        case .unauthorized, .signatureInvalid: 401
        case .agentKeyMismatch: 403
        case .reportReplayed, .conflict, .cursorAhead: 409
        case .payloadTooLarge: 413
        case .notFound: 404
        case .storage, .signingUnavailable: 503
        case .configurationInvalid: 500
        }
    }
}

extension CodedError where Code == RegistryErrorCode {
    /// The field path, file or agent at fault.
    public init(_ code: Code, _ message: String, detail: String?) {
        self.init(code, message, context: detail)
    }

    public var detail: String? { context }
}
