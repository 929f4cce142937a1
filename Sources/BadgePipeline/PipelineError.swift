public import LanyardSupport

/// A failure of the badge pipeline around the libraries it calls: a file it cannot read or write,
/// a printer that is not ready, a badge the policy keeps from printing.
public typealias PipelineError = CodedError<PipelineErrorCode>

public enum PipelineErrorCode: String, ErrorCode {
    case inputUnreadable = "pipeline.input_unreadable"
    case outputFailed = "pipeline.output_failed"
    case printerNotReady = "pipeline.printer_not_ready"
    /// `BadgePolicy`: a code could not be made, or a font is missing.
    case badgeBlocked = "pipeline.badge_blocked"
    case formatUnsupported = "pipeline.format_unsupported"
    /// A file of several records with none chosen, or a record number the file does not have.
    case recordNotChosen = "pipeline.record_not_chosen"

    public var exitStatus: ExitStatus {
        switch self {
        case .inputUnreadable: .inputMissing
        case .outputFailed: .ioFailed
        case .printerNotReady: .printerNotReady
        case .badgeBlocked: .contentErrors
        case .formatUnsupported, .recordNotChosen: .usage
        }
    }
}
