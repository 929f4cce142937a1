public import LanyardSupport

extension PrintersError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { field }
    public var exitStatus: ExitStatus {
        switch code {
        case .profileRequired, .printerAmbiguous: .usage
        default: .invalidData
        }
    }
}

extension ProfileError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { problems.first.map { [$0.file, $0.fieldPath].compactMap { $0 }.joined(separator: ": ") } }
    public var exitStatus: ExitStatus { code == .notFound || code == .unreadable ? .inputMissing : .invalidData }
}

extension TransportError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { address }
    public var exitStatus: ExitStatus {
        switch code {
        case .invalidAddress, .unsupported: .usage
        case .permissionDenied: .noPermission
        case .notFound, .busy, .timeout, .disconnected, .ioFailed: .unavailable
        }
    }
}

extension StatusParseError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { field }
    /// A printer whose replies cannot be read cannot be driven.
    public var exitStatus: ExitStatus { .unavailable }
}

extension SimulatorError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { session.map { "session \($0)" } }
    public var exitStatus: ExitStatus { code == .invalidConfiguration ? .invalidData : .ioFailed }
}
