public import LanyardSupport

/// An error from job settings, the encoders or the job decoders. Decoder errors carry the byte
/// offset in the job so a malformed job (from a test or from the simulator) can be located.
public typealias PrintersError = CodedError<PrintersErrorCode>

extension CodedError where Code == PrintersErrorCode {
    /// `field` is the setting or job parameter at fault (`speed`, `^GF.c`); `offset` the byte in
    /// the job being decoded, when a decoder failed.
    public init(
        code: Code, message: String, field: String? = nil, offset: Int? = nil, underlying: (any Error)? = nil
    ) {
        self.init(code, message, context: field, underlying: underlying, facts: offset.map { ByteOffset($0) })
    }

    public var field: String? { context }
    public var offset: Int? { facts(as: ByteOffset.self)?.offset }
}
