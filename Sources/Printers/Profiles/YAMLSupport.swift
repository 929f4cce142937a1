import YAMLReading
import Yams

/// A raw YAML scalar with its quoting style, for values whose meaning depends on how they were
/// written (USB ids: a quoted string is hex, a plain number is decimal).
struct YAMLScalar: Decodable, ScalarConstructible {
    let text: String
    let isPlain: Bool

    static func construct(from scalar: Node.Scalar) -> YAMLScalar? {
        YAMLScalar(text: scalar.string, isPlain: scalar.style == .plain || scalar.style == .any)
    }

    init(text: String, isPlain: Bool) {
        self.text = text
        self.isPlain = isPlain
    }

    /// Only reached through a decoder other than Yams; there the scalar's style is unknown and
    /// the text is treated like a quoted string.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(text: try container.decode(String.self), isPlain: false)
    }
}

extension DecodingError {
    /// Where in the document decoding failed, as `$.printers[2].address`, for configuration
    /// errors that name the field to fix; nil when the error has no context.
    public var fieldPath: String? {
        guard let context else { return nil }
        var keys = context.codingPath
        if case .keyNotFound(let key, _) = self { keys.append(key) }
        return "$" + keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
    }

    /// What was wrong there, in the decoder's words.
    public var reason: String { context?.debugDescription ?? "\(self)" }

    private var context: Context? {
        switch self {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            context
        @unknown default: nil
        }
    }
}
