public import LanyardSupport

extension SyncError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { subject }
    public var exitStatus: ExitStatus {
        switch code {
        case .io: .ioFailed
        case .fileMissing: .inputMissing
        case .transport: .unavailable
        case .targetInvalid: .usage
        default: .invalidData
        }
    }

    /// A server meets these verifying or writing its own repository: its failure, not the client's.
    public var httpStatus: Int { 500 }
}
