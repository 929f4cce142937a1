public import LanyardSupport

/// Why TUF metadata or a target it describes was refused; the context names the role, field or
/// file at fault.
public typealias TUFError = CodedError<TUFErrorCode>
