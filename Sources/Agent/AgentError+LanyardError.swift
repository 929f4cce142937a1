public import LanyardSupport

extension AgentError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { detail }
    public var exitStatus: ExitStatus {
        switch code {
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

    public var httpStatus: Int {
        switch code {
        case .requestInvalid, .configurationInvalid: 400
        case .notFound: 404
        case .unauthorized, .signatureInvalid: 401
        case .queueFull, .rateLimited: 429
        case .startupFailed, .dataDirectoryInUse, .listenAddressInUse: 500
        }
    }
}
