public import LanyardSupport

extension SymbolError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { cause }
    /// Data that no code can carry is a problem with the input; a matrix the encoder got wrong is ours.
    public var exitStatus: ExitStatus {
        switch code {
        case .emptyInput, .inputTooLong, .invalidCharacter, .capacityExceeded, .invalidOption, .invalidPlacement: .invalidData
        case .invalidMatrix, .encoderFailed: .internalError
        }
    }
}
