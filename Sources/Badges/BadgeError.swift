public import LanyardSupport

/// An error from templates, mapping or rendering. The context names what the caller must fix: a
/// file, and inside it a YAML path such as `elements[3].font.size`.
public typealias BadgeError = CodedError<BadgeErrorCode>

extension CodedError where Code == BadgeErrorCode {
    /// `location` is the file and the path inside it, when the error has one.
    public init(_ code: Code, _ message: String, location: String? = nil, underlying: (any Error)? = nil) {
        self.init(code, message, context: location, underlying: underlying)
    }

    public var location: String? { context }
}
