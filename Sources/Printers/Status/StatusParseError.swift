public import LanyardSupport

/// Why a printer's reply (or its IEEE 1284 device ID) could not be read. It names the byte offset
/// in the reply where reading stopped and shows the bytes there, so a log line is enough to see
/// what a misbehaving firmware sent.
public typealias StatusParseError = CodedError<StatusParseErrorCode>

extension CodedError where Code == StatusParseErrorCode {
    /// `field` is the part of the reply (`~HS string 2 field o`, `ERRORS`); `offset` the byte in
    /// the reply as received (STX and anything before it included), `excerpt` the bytes there.
    public init(_ code: Code, _ message: String, field: String? = nil, offset: Int? = nil, excerpt: String? = nil) {
        self.init(code, message, context: field, facts: offset.map { ByteOffset($0, excerpt: excerpt) })
    }

    /// An error pointing at `offset` in `reply`, with the excerpt taken from there.
    init(_ code: Code, _ message: String, field: String? = nil, at offset: Int, in reply: [UInt8]) {
        self.init(code, message, field: field, offset: offset, excerpt: StatusReplyExcerpt.excerpt(of: reply, at: offset))
    }

    public var field: String? { context }
    public var offset: Int? { facts(as: ByteOffset.self)?.offset }
    public var excerpt: String? { facts(as: ByteOffset.self)?.excerpt }
}

/// The bytes of a printer reply around a failure, as one readable line.
enum StatusReplyExcerpt {
    static let excerptLength = 16

    /// Printer replies mix text with STX/ETX/CR/LF; hex-escaping everything else keeps the excerpt
    /// one readable line whatever the printer sent.
    static func excerpt(of bytes: [UInt8], at offset: Int) -> String {
        guard offset >= 0, offset < bytes.count else { return "" }
        var text = ""
        for byte in bytes[offset..<min(bytes.count, offset + excerptLength)] {
            if byte >= 0x20, byte < 0x7F, byte != 0x3C {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "<"
                text.unicodeScalars.append(Unicode.Scalar(ASCII.upperHexDigits[Int(byte >> 4)]))
                text.unicodeScalars.append(Unicode.Scalar(ASCII.upperHexDigits[Int(byte & 0xF)]))
                text += ">"
            }
        }
        return text
    }
}
