public import LanyardSupport

/// A problem with an event configuration file, naming the file and the field.
public typealias EventConfigurationError = CodedError<EventConfigurationErrorCode>

extension CodedError where Code == EventConfigurationErrorCode {
    /// `file` as given to `load(file:)`, or a label for in-memory text; `fieldPath` the dotted
    /// path of the offending field (`tier_mapping.Gold`), or `$` for the whole document.
    public init(code: Code, message: String, file: String, fieldPath: String, underlying: (any Error)? = nil) {
        self.init(code, message, context: file, underlying: underlying, facts: fieldPath == "$" ? nil : FieldPath(fieldPath))
    }

    public var file: String { context ?? "" }
    public var fieldPath: String { facts(as: FieldPath.self)?.path ?? "$" }
}
