public import LanyardSupport

/// A failure of the agent itself: bad configuration, a printer it cannot set up, a request it
/// refuses. HTTP handlers turn these into problem responses with the code.
public typealias AgentError = CodedError<AgentErrorCode>

extension CodedError where Code == AgentErrorCode {
    /// The setting, field path or header at fault.
    public init(_ code: Code, _ message: String, detail: String?) {
        self.init(code, message, context: detail)
    }

    public var detail: String? { context }
}
