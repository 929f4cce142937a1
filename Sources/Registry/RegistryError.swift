/// A failure of the registry server: a request it refuses or state it cannot read or write.
/// HTTP handlers answer these as problem documents carrying the code.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case requestInvalid = "registry.request_invalid"
        case unauthorized = "registry.unauthorized"
        case notFound = "registry.not_found"
        case conflict = "registry.conflict"
        case storage = "registry.storage"
        case configurationInvalid = "registry.configuration_invalid"
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
