import Foundation
import LanyardSupport

/// What intake needs of a parsed value (`LanyardSupport.JSONValue`): its type named in issue
/// reasons, a number as text, and the strict parser below.
extension JSONValue {
    /// How the value is described in issue reasons.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The text of a number as intake coerces it to a string: integers exactly, other numbers in
    /// Swift's shortest round-trip form.
    var numberText: String? {
        switch self {
        case .integer(let value): String(value)
        case .double(let value) where value.isFinite:
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        default: nil
        }
    }

    /// Parses one JSON document (RFC 8259).
    static func parse(_ data: Data) -> Result<JSONValue, JSONParseFailure> {
        var parser = JSONParser(bytes: Array(data))
        do throws(JSONParseFailure) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

enum JSONParseFailure: Error, Equatable {
    case invalidUTF8(offset: Int)
    case syntax(String)
}

/// A strict RFC 8259 parser for one registration record.
///
/// Written here rather than using JSONDecoder because intake needs what a decoder hides: the
/// exact type of each value (a number is not a string), duplicate keys reported rather than
/// silently resolved (two "email" keys make a record ambiguous), unpaired surrogate escapes and
/// raw control characters refused with a reason, a small nesting limit, and the byte offset of
/// the first invalid UTF-8 sequence. It is also much faster than probing a Decoder type by type.
struct JSONParser {
    /// Registration records are two levels deep; anything far deeper is hostile.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseFailure) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw .syntax("the record is empty") }
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw unexpected("after the top-level value") }
        return value
    }

    private mutating func parseValue() throws(JSONParseFailure) -> JSONValue {
        guard position < bytes.count else { throw .syntax("the record ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected("where a value was expected")
        }
    }

    private mutating func parseObject() throws(JSONParseFailure) -> JSONValue {
        try enterContainer()
        position += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if take(UInt8(ascii: "}")) {
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw unexpected("where an object key was expected")
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { throw unexpected("where ':' was expected") }
            skipWhitespace()
            let value = try parseValue()
            guard object.updateValue(value, forKey: key) == nil else {
                throw .syntax("the key \"\(key)\" appears twice (second at byte \(keyOffset))")
            }
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { throw unexpected("where ',' or '}' was expected") }
            depth -= 1
            return .object(object)
        }
    }

    private mutating func parseArray() throws(JSONParseFailure) -> JSONValue {
        try enterContainer()
        position += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) {
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "]")) else { throw unexpected("where ',' or ']' was expected") }
            depth -= 1
            return .array(array)
        }
    }

    private mutating func enterContainer() throws(JSONParseFailure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw .syntax("values are nested deeper than \(Self.maximumDepth) levels")
        }
    }

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseFailure) -> String {
        position += 1
        var buffer: [UInt8] = []
        var segmentStart = position
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                buffer.append(contentsOf: bytes[segmentStart..<position])
                position += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw .invalidUTF8(offset: firstInvalidUTF8Offset())
                }
                return text
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: bytes[segmentStart..<position])
                try parseEscape(into: &buffer)
                segmentStart = position
            case 0x00..<0x20:
                throw .syntax(
                    "a string contains a raw control character (byte 0x\(String(byte, radix: 16))) "
                        + "at byte \(position); it must be escaped")
            default:
                position += 1
            }
        }
        throw .syntax("a string is not closed before the end of the record")
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseFailure) {
        let escapeOffset = position
        position += 1
        guard position < bytes.count else { throw .syntax("the record ends inside an escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var value = try parseHex4()
            if (0xD800...0xDBFF).contains(value) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw .syntax("an unpaired surrogate escape at byte \(escapeOffset)") }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw .syntax("an unpaired surrogate escape at byte \(escapeOffset)")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(value) {
                throw .syntax("an unpaired surrogate escape at byte \(escapeOffset)")
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw .syntax("an invalid \\u escape at byte \(escapeOffset)")
            }
            buffer.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
        default:
            throw .syntax("an invalid escape '\\\(Character(Unicode.Scalar(byte)))' at byte \(escapeOffset)")
        }
    }

    private mutating func parseHex4() throws(JSONParseFailure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .syntax("the record ends inside a \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .syntax("a \\u escape with a non-hex digit at byte \(position)")
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    private mutating func parseNumber() throws(JSONParseFailure) -> JSONValue {
        let start = position
        var isInteger = true
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            // A leading zero stands alone.
        } else if digitCount() == 0 {
            throw unexpected("in a number")
        }
        if take(UInt8(ascii: ".")) {
            isInteger = false
            guard digitCount() > 0 else { throw unexpected("after a decimal point") }
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            isInteger = false
            _ = take(UInt8(ascii: "+")) || take(UInt8(ascii: "-"))
            guard digitCount() > 0 else { throw unexpected("in an exponent") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int64(text) {
            return .integer(integer)
        }
        guard let double = Double(text), double.isFinite else {
            throw .syntax("the number at byte \(start) is out of range")
        }
        return .double(double)
    }

    private mutating func digitCount() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position - start
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONParseFailure) {
        let expected = Array(literal.utf8)
        guard position + expected.count <= bytes.count,
            bytes[position..<(position + expected.count)].elementsEqual(expected)
        else { throw unexpected("where a value was expected") }
        position += expected.count
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func unexpected(_ context: String) -> JSONParseFailure {
        guard position < bytes.count else { return .syntax("the record ends too early (\(context))") }
        let byte = bytes[position]
        if byte >= 0x80 {
            return .syntax("unexpected non-ASCII byte at byte \(position) \(context)")
        }
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return .syntax("unexpected \(shown) at byte \(position) \(context)")
    }

    /// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence (only
    /// computed on the error path).
    private func firstInvalidUTF8Offset() -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}
