public import LanyardSupport

/// Why a QR code or barcode could not be built, placed or read, in terms a template author or an
/// operator can act on (which payload, which limit, what the C library said).
public typealias SymbolError = CodedError<SymbolErrorCode>

/// Payload size against the most the symbol can hold, so callers can report both numbers
/// (for example "82 bytes, at most 78 fit") without parsing the message.
public struct SymbolCapacity: ErrorFacts, Equatable {
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

    public var description: String { "\(payloadLength) \(unit), at most \(limit)" }
}

extension CodedError where Code == SymbolErrorCode {
    public typealias Capacity = SymbolCapacity

    /// `cause` is what the C library said (libzint's `errtxt`, libqrencode's errno text) or the
    /// offending option's name.
    public init(code: Code, message: String, cause: String? = nil, capacity: SymbolCapacity? = nil) {
        self.init(code, message, underlying: cause.map(ErrorText.init), facts: capacity)
    }

    public var cause: String? { underlyingError.map { "\($0)" } }
    public var capacity: SymbolCapacity? { facts(as: SymbolCapacity.self) }
}
