public import LanyardSupport

/// An IPP exchange that failed (RFC 8010 encoding, RFC 8011 operations). A caller decides from
/// `requestMayHaveArrived` whether a Print-Job can simply be sent again or whether the printer's
/// queue has to be searched first, so that a badge is not printed twice.
public typealias IPPError = CodedError<IPPErrorCode>

extension CodedError where Code == IPPErrorCode {
    /// An error pointing at `offset` in an IPP message, with the bytes there.
    init(malformed message: String, at offset: Int, in bytes: [UInt8], field: String? = nil) {
        self.init(
            .malformed, message, context: field, facts: ByteOffset(offset, excerpt: StatusReplyExcerpt.excerpt(of: bytes, at: offset)))
    }

    /// False only when the request certainly never reached the printer (it could not be connected
    /// to, or the address is not one): then nothing can have been created and sending again is
    /// safe. Every other failure happened after the request was on its way, so the printer may have
    /// acted on it; an IPP error status means the printer answered, and RFC 8011 says it then did
    /// not carry the operation out, but the request did arrive.
    public var requestMayHaveArrived: Bool {
        switch code {
        case .invalidURI, .unreachable: false
        case .noAnswer, .malformed, .status: true
        }
    }

    /// The status code and message of the printer's answer, for `ipp.status`.
    public var ippStatus: IPPStatusFacts? { facts(as: IPPStatusFacts.self) }

    /// The byte of the message at which decoding stopped, for `ipp.malformed`.
    public var offset: Int? { facts(as: ByteOffset.self)?.offset }
}

/// What a printer answered when it refused an operation: its status code and, when it sent one,
/// its status-message.
public struct IPPStatusFacts: ErrorFacts, Equatable {
    public let status: IPPStatusCode
    public let statusMessage: String?

    public init(status: IPPStatusCode, statusMessage: String?) {
        self.status = status
        self.statusMessage = statusMessage
    }

    public var description: String {
        "status \(status)" + (statusMessage.map { ": \($0)" } ?? "")
    }
}
