public import LanyardSupport

/// A failure of the agent itself: bad configuration, a printer it cannot set up, a request it
/// refuses. HTTP handlers turn these into problem responses with the code.
public typealias AgentError = CodedError<AgentErrorCode>

public enum AgentErrorCode: String, ErrorCode, Codable {
    case configurationInvalid = "agent.configuration_invalid"
    case startupFailed = "agent.startup_failed"
    case requestInvalid = "agent.request_invalid"
    case notFound = "agent.not_found"
    case unauthorized = "agent.unauthorized"
    case queueFull = "agent.queue_full"
    case signatureInvalid = "agent.signature_invalid"
    case rateLimited = "agent.rate_limited"
    /// Another agent holds the data directory (`DataDirectoryLock`).
    case dataDirectoryInUse = "agent.data_directory_in_use"
    /// The listen address is taken by another process.
    case listenAddressInUse = "agent.listen_address_in_use"

    public var exitStatus: ExitStatus {
        switch self {
        case .dataDirectoryInUse: .inUse
        case .listenAddressInUse: .unavailable
        case .configurationInvalid: .invalidData
        case .requestInvalid: .usage
        case .notFound: .inputMissing
        case .unauthorized, .signatureInvalid: .noPermission
        case .queueFull, .rateLimited: .printerNotReady
        case .startupFailed: .internalError
        }
    }

    public var httpStatus: Int? {
        switch self {
        case .requestInvalid, .configurationInvalid: 400
        case .notFound: 404
        case .unauthorized, .signatureInvalid: 401
        case .queueFull, .rateLimited: 429
        case .startupFailed, .dataDirectoryInUse, .listenAddressInUse: 500
        }
    }
}

extension CodedError where Code == AgentErrorCode {
    /// The setting, field path or header at fault.
    public init(_ code: Code, _ message: String, detail: String?) {
        self.init(code, message, context: detail)
    }

    public var detail: String? { context }
}
