public import LanyardSupport

extension RegistryError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { detail }
    public var exitStatus: ExitStatus {
        switch code {
        case .requestInvalid, .payloadTooLarge: .usage
        case .unauthorized, .signatureInvalid, .agentKeyMismatch: .noPermission
        case .notFound: .inputMissing
        case .reportReplayed, .conflict, .cursorAhead, .configurationInvalid: .invalidData
        case .storage: .ioFailed
        case .signingUnavailable: .unavailable
        }
    }

    public var httpStatus: Int {
        switch code {
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
