/// A PDF object (ISO 32000-1, 7.3), read far enough to rewrite dictionaries: numbers, names and
/// strings keep the bytes they were written with, so whatever is not changed goes back out as it
/// came in.
indirect enum PDFValue: Equatable {
    case null
    case boolean(Bool)
    case number(String)
    /// A literal or hexadecimal string, delimiters included.
    case string([UInt8])
    /// A name as written after its slash.
    case name(String)
    case array([PDFValue])
    case dictionary(PDFDictionary)
    case reference(PDFReference)

    var serialized: [UInt8] {
        switch self {
        case .null: Array("null".utf8)
        case .boolean(let value): Array((value ? "true" : "false").utf8)
        case .number(let text): Array(text.utf8)
        case .string(let bytes): bytes
        case .name(let name): Array("/\(name)".utf8)
        case .array(let items): Array("[".utf8) + items.map(\.serialized).joined(separator: Array(" ".utf8)) + Array("]".utf8)
        case .dictionary(let dictionary): dictionary.serialized
        case .reference(let reference): Array("\(reference.number) \(reference.generation) R".utf8)
        }
    }

    var dictionary: PDFDictionary? {
        if case .dictionary(let dictionary) = self { return dictionary }
        return nil
    }

    /// A string of text (7.9.2.2): PDFDocEncoding's printable ASCII as a literal, anything else as
    /// UTF-16BE with a byte order mark, in hex.
    static func text(_ text: String) -> PDFValue {
        if text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) {
            var bytes: [UInt8] = [UInt8(ascii: "(")]
            for byte in text.utf8 {
                if [UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\")].contains(byte) { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            return .string(bytes + [UInt8(ascii: ")")])
        }
        let units = [0xFEFF] + Array(text.utf16)
        return .string(Array("<\(units.map { hex($0, digits: 4) }.joined())>".utf8))
    }

    static func hex<Value: BinaryInteger>(_ value: Value, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

struct PDFReference: Hashable {
    var number: Int
    var generation: Int
}

/// A dictionary that keeps its keys in the order they were written.
struct PDFDictionary: Equatable {
    struct Entry: Equatable {
        var key: String
        var value: PDFValue
    }

    var entries: [Entry] = []

    subscript(key: String) -> PDFValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    func name(_ key: String) -> String? {
        if case .name(let name) = self[key] { return name }
        return nil
    }

    func reference(_ key: String) -> PDFReference? {
        if case .reference(let reference) = self[key] { return reference }
        return nil
    }

    var serialized: [UInt8] {
        var bytes = Array("<<".utf8)
        for entry in entries { bytes += Array(" /\(entry.key) ".utf8) + entry.value.serialized }
        return bytes + Array(" >>".utf8)
    }
}

/// Reads PDF tokens and objects from a position in a file's bytes. Every failure is a
/// `render.pdfa_failed` naming the byte offset; nothing here traps on malformed input.
struct PDFScanner {
    let bytes: [UInt8]
    var position: Int

    /// Deeper nesting than cairo ever writes is taken as a damaged file rather than recursed into.
    static let maximumDepth = 32

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { [0, 9, 10, 12, 13, 32].contains(byte) }

    static func isDelimiter(_ byte: UInt8) -> Bool { Array("()<>[]{}/%".utf8).contains(byte) }

    static func isRegular(_ byte: UInt8) -> Bool { !isWhitespace(byte) && !isDelimiter(byte) }

    func failure(_ message: String) -> BadgeError {
        BadgeError(.pdfaFailed, "\(message) at byte \(position)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            if Self.isWhitespace(bytes[position]) {
                position += 1
            } else if bytes[position] == UInt8(ascii: "%") {
                while position < bytes.count, bytes[position] != 10, bytes[position] != 13 { position += 1 }
            } else {
                return
            }
        }
    }

    /// A run of regular characters (a keyword or a number), after any whitespace; empty at a
    /// delimiter or the end.
    mutating func token() -> String {
        skipWhitespace()
        let start = position
        while position < bytes.count, Self.isRegular(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func expect(_ keyword: String) throws(BadgeError) {
        let start = position
        guard token() == keyword else {
            position = start
            throw failure("expected '\(keyword)'")
        }
    }

    mutating func integer() throws(BadgeError) -> Int {
        let start = position
        let text = token()
        guard let value = Int(text), value >= 0 else {
            position = start
            throw failure("expected a whole number")
        }
        return value
    }

    /// `N G obj`, checked against the number and generation the cross-reference table gives.
    mutating func objectHeader(_ reference: PDFReference) throws(BadgeError) {
        let number = try integer(), generation = try integer()
        try expect("obj")
        guard number == reference.number, generation == reference.generation else {
            throw failure("the table points object \(reference.number) at object \(number) \(generation)")
        }
    }

    mutating func value(depth: Int = 0) throws(BadgeError) -> PDFValue {
        guard depth < Self.maximumDepth else { throw failure("objects nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("the file ends inside an object") }
        switch bytes[position] {
        case UInt8(ascii: "/"):
            position += 1
            let start = position
            while position < bytes.count, Self.isRegular(bytes[position]) { position += 1 }
            return .name(String(decoding: bytes[start..<position], as: UTF8.self))
        case UInt8(ascii: "("):
            return .string(try literalString())
        case UInt8(ascii: "<"):
            if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "<") { return .dictionary(try dictionary(depth: depth)) }
            return .string(try hexString())
        case UInt8(ascii: "["):
            position += 1
            var items: [PDFValue] = []
            while true {
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(items)
                }
                items.append(try value(depth: depth + 1))
            }
        default:
            return try keywordOrNumber()
        }
    }

    private mutating func dictionary(depth: Int) throws(BadgeError) -> PDFDictionary {
        position += 2
        var dictionary = PDFDictionary()
        while true {
            skipWhitespace()
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: ">"), bytes[position + 1] == UInt8(ascii: ">") {
                position += 2
                return dictionary
            }
            guard case .name(let key) = try value(depth: depth + 1) else { throw failure("a dictionary key is not a name") }
            dictionary.entries.append(PDFDictionary.Entry(key: key, value: try value(depth: depth + 1)))
        }
    }

    /// Balanced parentheses, with a backslash escaping the byte after it.
    private mutating func literalString() throws(BadgeError) -> [UInt8] {
        let start = position
        var open = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                position += 1
            } else if byte == UInt8(ascii: "(") {
                open += 1
            } else if byte == UInt8(ascii: ")") {
                open -= 1
                if open == 0 { return Array(bytes[start..<position]) }
            }
        }
        position = start
        throw failure("a string is not closed")
    }

    private mutating func hexString() throws(BadgeError) -> [UInt8] {
        let start = position
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: ">")) else { throw failure("a hex string is not closed") }
        position = end + 1
        return Array(bytes[start...end])
    }

    /// `true`, `false`, `null`, a number, or `N G R`.
    private mutating func keywordOrNumber() throws(BadgeError) -> PDFValue {
        let start = position
        let text = token()
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "null": return .null
        default: break
        }
        guard text.contains(where: \.isNumber), text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.".contains($0)) }) else {
            position = start
            throw failure("unexpected '\(text.isEmpty ? String(UnicodeScalar(bytes[start])) : text)'")
        }
        if let number = Int(text), number >= 0 {
            let afterNumber = position
            if let generation = Int(token()), generation >= 0, token() == "R" {
                return .reference(PDFReference(number: number, generation: generation))
            }
            position = afterNumber
        }
        return .number(text)
    }
}
