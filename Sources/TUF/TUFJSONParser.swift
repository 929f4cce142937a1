public import LanyardSupport

extension TUFJSON {
    /// Objects and arrays nested deeper than this are refused: the parser recurses, and metadata
    /// from a repository must not be able to exhaust the stack.
    public static let maximumDepth = 128

    /// Parses JSON text (RFC 8259, UTF-8) strictly: a duplicate key, a number with a fraction or an
    /// exponent, an integer outside Int64, invalid UTF-8, a lone surrogate escape, a raw control
    /// character in a string or anything after the value is refused with `tuf.json_malformed` and
    /// the byte offset. Every member is kept: unknown fields are covered by the signatures.
    public init(parsing bytes: some Collection<UInt8>) throws(TUFError) {
        var parser = Parser(bytes: Array(bytes))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.failure("text after the JSON value") }
        self = value
    }
}

private struct Parser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func failure(_ message: String, at offset: Int? = nil) -> TUFError {
        let offset = offset ?? position
        let excerpt = bytes[min(offset, bytes.count)..<min(offset + 16, bytes.count)]
            .map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "<\(String($0, radix: 16, uppercase: true))>" }.joined()
        return TUFError(.jsonMalformed, message, facts: ByteOffset(offset, excerpt: excerpt))
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(TUFError) {
        guard current == byte else { throw failure("expected \(what)") }
        position += 1
    }

    mutating func value(depth: Int) throws(TUFError) -> TUFJSON {
        guard let byte = current else { throw failure("unexpected end of the text") }
        switch byte {
        case UInt8(ascii: "{"):
            guard depth < TUFJSON.maximumDepth else { throw failure("nested deeper than \(TUFJSON.maximumDepth)") }
            return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["):
            guard depth < TUFJSON.maximumDepth else { throw failure("nested deeper than \(TUFJSON.maximumDepth)") }
            return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer())
        default: throw failure("not the start of a JSON value")
        }
    }

    mutating func literal(_ word: String) throws(TUFError) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count, bytes[position..<position + expected.count].elementsEqual(expected) else {
            throw failure("not the start of a JSON value")
        }
        position += expected.count
    }

    mutating func object(depth: Int) throws(TUFError) -> JSONObject {
        let start = position
        position += 1
        var pairs: [(key: String, value: TUFJSON)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .empty
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            pairs.append((key, try value(depth: depth)))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            break
        }
        do {
            return try JSONObject(pairs)
        } catch {
            throw failure(error.message, at: start)
        }
    }

    mutating func array(depth: Int) throws(TUFError) -> [TUFJSON] {
        position += 1
        var elements: [TUFJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return elements
        }
    }

    /// An integer: `-?(0|[1-9][0-9]*)`. A fraction or an exponent makes it a float, which
    /// canonical JSON cannot write; python's parser would read it and fail later, at signing or
    /// verification.
    mutating func integer() throws(TUFError) -> Int64 {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw failure("expected a digit") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw failure("a number that is not an integer (canonical JSON has no floats)", at: start)
        }
        if let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            throw failure("an integer with a leading zero", at: start)
        }
        guard let value = Int64(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            throw failure("an integer outside the 64-bit range", at: start)
        }
        return value
    }

    mutating func string() throws(TUFError) -> String {
        let start = position
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("a string without its closing quote", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("a string that is not UTF-8", at: start) }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &utf8)
            case 0x00..<0x20:
                throw failure("a control character inside a string (it must be escaped)")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    mutating func escape(into utf8: inout [UInt8]) throws(TUFError) {
        guard let byte = current else { throw failure("an escape at the end of the text") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw failure("a high surrogate escape without its low surrogate")
                }
                position += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a high surrogate escape without its low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a lone low surrogate escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("an escape that is not a Unicode scalar") }
            UTF8.encode(unicode) { utf8.append($0) }
        default: throw failure("an unknown escape")
        }
    }

    mutating func hexQuad() throws(TUFError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("a \\u escape without four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            guard let digit = hexDigitValue(byte) else { throw failure("a \\u escape without four hex digits") }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }
}

/// The value of one hex digit, either case.
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
