/// Why a printer's reply (or its IEEE 1284 device ID) could not be read. It names the byte offset
/// in the reply where reading stopped and shows the bytes there, so a log line is enough to see
/// what a misbehaving firmware sent.
public struct StatusParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// No bytes at all: the printer stayed silent.
        case empty = "printers.status_empty"
        /// Bytes arrived but not the STX…ETX frame the query answers with.
        case unframed = "printers.status_unframed"
        /// The reply stops before it is complete (a frame or a line is missing).
        case truncated = "printers.status_truncated"
        /// The reply outgrew the size cap of its query without becoming complete.
        case tooLong = "printers.status_too_long"
        /// A frame or line has fewer fields than its format defines.
        case missingField = "printers.status_missing_field"
        /// A field holds a value its format does not allow.
        case invalidField = "printers.status_invalid_field"
        /// An IEEE 1284 device ID whose length prefix or content is unusable.
        case invalidDeviceID = "printers.device_id_invalid"
    }

    public let code: Code
    public let message: String
    /// Which part of the reply, e.g. `~HS string 2 field o` or `ERRORS`.
    public let field: String?
    /// Byte offset in the reply as received (including STX and anything before it).
    public let offset: Int?
    /// Up to 16 bytes from `offset`, printable ASCII as is, others as `<XX>` hex.
    public let excerpt: String?

    public init(_ code: Code, _ message: String, field: String? = nil, offset: Int? = nil, excerpt: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.offset = offset
        self.excerpt = excerpt
    }

    /// An error pointing at `offset` in `reply`, with the excerpt taken from there.
    init(_ code: Code, _ message: String, field: String? = nil, at offset: Int, in reply: [UInt8]) {
        self.init(code, message, field: field, offset: offset, excerpt: Self.excerpt(of: reply, at: offset))
    }

    public var description: String {
        var text = code.rawValue + ": "
        if let field { text += field + ": " }
        text += message
        if let offset { text += " (at byte \(offset))" }
        if let excerpt, !excerpt.isEmpty { text += " [\(excerpt)]" }
        return text
    }

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
