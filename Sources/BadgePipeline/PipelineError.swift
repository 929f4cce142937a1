public import LanyardSupport

/// A failure of the badge pipeline around the libraries it calls: a file it cannot read or write,
/// a printer that is not ready, a badge the policy keeps from printing.
public typealias PipelineError = CodedError<PipelineErrorCode>
