/// Why a QR code or barcode could not be built or placed, in terms a template author or an
/// operator can act on (which payload, which limit, what the C library said).
public struct SymbolError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case emptyInput = "symbols.empty_input"
        case inputTooLong = "symbols.input_too_long"
        case invalidCharacter = "symbols.invalid_character"
        case capacityExceeded = "symbols.capacity_exceeded"
        case invalidOption = "symbols.invalid_option"
        case invalidMatrix = "symbols.invalid_matrix"
        case invalidPlacement = "symbols.invalid_placement"
        case encoderFailed = "symbols.encoder_failed"
    }

    /// Payload size against the most the symbol can hold, so callers can report both numbers
    /// (for example "82 bytes, at most 78 fit") without parsing the message.
    public struct Capacity: Sendable, Equatable {
        /// Length of the rejected payload, in the unit of `limit`.
        public let payloadLength: Int
        /// The most that fits under the constraints that applied; 0 when nothing fits at all.
        public let limit: Int
        /// What both numbers count: "bytes" or "characters".
        public let unit: String

        public init(payloadLength: Int, limit: Int, unit: String) {
            self.payloadLength = payloadLength
            self.limit = limit
            self.unit = unit
        }
    }

    public let code: Code
    public let message: String
    /// The underlying cause when there is one: libzint's `errtxt`, libqrencode's errno text,
    /// or the offending option's name.
    public let cause: String?
    public let capacity: Capacity?

    public init(code: Code, message: String, cause: String? = nil, capacity: Capacity? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.capacity = capacity
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let cause { text += " (\(cause))" }
        return text
    }
}
