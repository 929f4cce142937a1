public import LanyardSupport

extension BadgeError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { location }
    public var exitStatus: ExitStatus {
        switch code {
        case .manifestMissing, .assetMissing: .inputMissing
        case .io: .ioFailed
        case .renderFailed: .internalError
        case .templateMalformed, .templateInvalid, .manifestInvalid, .checksumMismatch, .unlistedFile, .assetInvalid,
            .fontMissing, .eventInvalid, .symbolFailed, .outsidePrintableArea:
            .invalidData
        }
    }
}
