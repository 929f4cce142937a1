public import LanyardSupport

extension EventConfigurationError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { fieldPath.isEmpty ? file : "\(file): \(fieldPath)" }
    public var exitStatus: ExitStatus { code == .unreadable ? .inputMissing : .invalidData }
}

extension IntakeFileError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { file }
    public var exitStatus: ExitStatus { .inputMissing }
}

extension CSVError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { "line \(line)" }
    public var exitStatus: ExitStatus { .invalidData }
}
