/// A failure of the agent itself: bad configuration, a printer it cannot set up, a request it
/// refuses. HTTP handlers turn these into problem responses with the code.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case configurationInvalid = "agent.configuration_invalid"
        case startupFailed = "agent.startup_failed"
        case requestInvalid = "agent.request_invalid"
        case notFound = "agent.not_found"
        case unauthorized = "agent.unauthorized"
        case queueFull = "agent.queue_full"
        case signatureInvalid = "agent.signature_invalid"
        case rateLimited = "agent.rate_limited"
        /// Another agent holds the data directory (`DataDirectoryLock`).
        case dataDirectoryInUse = "agent.data_directory_in_use"
        /// The listen address is taken by another process.
        case listenAddressInUse = "agent.listen_address_in_use"
    }

    public let code: Code
    public let message: String
    /// The setting, field path or header at fault.
    public let detail: String?

    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String {
        "\(code.rawValue): \(message)" + (detail.map { " (\($0))" } ?? "")
    }
}
