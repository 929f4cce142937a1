/// A problem with an event configuration file, naming the file and the field.
public struct EventConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case unreadable = "event_config.unreadable"
        case invalidYAML = "event_config.invalid_yaml"
        case missingField = "event_config.missing_field"
        case wrongType = "event_config.wrong_type"
        case invalidValue = "event_config.invalid_value"
        case unknownField = "event_config.unknown_field"
    }

    public var code: Code
    public var message: String
    /// The file as given to `load(file:)`, or a label for in-memory text.
    public var file: String
    /// Dotted path of the offending field ("tier_mapping.Gold"), or "$" for the whole document.
    public var fieldPath: String

    public init(code: Code, message: String, file: String, fieldPath: String) {
        self.code = code
        self.message = message
        self.file = file
        self.fieldPath = fieldPath
    }

    public var description: String { "\(file): \(fieldPath): \(message) (\(code.rawValue))" }
}
