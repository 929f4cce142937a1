public import LanyardSupport

/// A failure of the registry server: a request it refuses or state it cannot read or write.
/// HTTP handlers answer these as problem documents carrying the code.
public typealias RegistryError = CodedError<RegistryErrorCode>

extension CodedError where Code == RegistryErrorCode {
    /// The field path, file or agent at fault.
    public init(_ code: Code, _ message: String, detail: String?) {
        self.init(code, message, context: detail)
    }

    public var detail: String? { context }
}
