/// A failure of the registry server: a request it refuses or state it cannot read or write.
/// HTTP handlers answer these as problem documents carrying the code.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case requestInvalid = "registry.request_invalid"
        /// No bearer token, or not the configured one.
        case unauthorized = "registry.unauthorized"
        /// An agent report whose signature does not verify with the key it carries.
        case signatureInvalid = "registry.signature_invalid"
        /// An agent report signed by a key other than the one the agent's first report recorded.
        case agentKeyMismatch = "registry.agent_key_mismatch"
        /// An agent report older than (or as old as, but different from) the last one accepted.
        case reportReplayed = "registry.report_replayed"
        case payloadTooLarge = "registry.payload_too_large"
        case notFound = "registry.not_found"
        case conflict = "registry.conflict"
        case storage = "registry.storage"
        case configurationInvalid = "registry.configuration_invalid"
        /// A change-log cursor beyond the last one this registry gave out: the kiosk's list did
        /// not come from this registry's log and needs a snapshot.
        case cursorAhead = "registry.cursor_ahead"
        /// The server holds no timestamp key, so it cannot sign what kiosks would verify.
        case signingUnavailable = "registry.signing_unavailable"
    }

    public let code: Code
    public let message: String
    /// The field path, file or agent at fault.
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
