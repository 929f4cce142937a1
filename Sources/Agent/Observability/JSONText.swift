import Foundation

/// JSON text exactly as `JSONSerialization` writes it with `.sortedKeys`, for the values the
/// agent builds (strings, booleans, integers, finite doubles, `NSNull`, arrays and dictionaries
/// of those). `JSONSerialization` sorts keys with an ICU collator for the system locale, which
/// loads ICU (megabytes of resident memory) on the first log line and the first API answer.
///
/// The collator's order is reproduced for keys made of lower-case ASCII letters, digits, `_`,
/// `-` and `.` (digit runs without leading zeros), the keys the agent writes. Anything else (other
/// keys, `NSNumber`s read back from JSON, other value types) gives nil, and the caller hands the
/// object to `JSONSerialization`, so the text is the same either way.
enum JSONText {
    static func object(_ object: [String: Any], escapingSlashes: Bool) -> String? {
        var text = ""
        return append(object, escapingSlashes: escapingSlashes, to: &text) ? text : nil
    }

    /// The value cases in `JSONSerialization`'s own order of casts, so that a value that could be
    /// read as two of them is written as the same one.
    private static func append(_ value: Any?, escapingSlashes: Bool, to text: inout String) -> Bool {
        guard let value else {
            text += "null"
            return true
        }
        if type(of: value) is NSNumber.Type { return false }
        switch value {
        case let string as String: appendString(string, escapingSlashes: escapingSlashes, to: &text)
        case let bool as Bool: text += bool.description
        case let number as Int: text += number.description
        case let number as Int8: text += number.description
        case let number as Int16: text += number.description
        case let number as Int32: text += number.description
        case let number as Int64: text += number.description
        case let number as UInt: text += number.description
        case let number as UInt8: text += number.description
        case let number as UInt16: text += number.description
        case let number as UInt32: text += number.description
        case let number as UInt64: text += number.description
        case let array as [Any?]:
            text += "["
            for (index, element) in array.enumerated() {
                if index > 0 { text += "," }
                guard append(element, escapingSlashes: escapingSlashes, to: &text) else { return false }
            }
            text += "]"
        case let dictionary as [AnyHashable: Any?]:
            var entries: [(key: String, value: Any?)] = []
            entries.reserveCapacity(dictionary.count)
            for (key, element) in dictionary {
                guard let key = key.base as? String, isCollatable(key) else { return false }
                entries.append((key, element))
            }
            entries.sort { keyPrecedes($0.key, $1.key) }
            text += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { text += "," }
                appendString(entry.key, escapingSlashes: escapingSlashes, to: &text)
                text += ":"
                guard append(entry.value, escapingSlashes: escapingSlashes, to: &text) else { return false }
            }
            text += "}"
        case is Float:
            return false
        case let number as Double:
            guard number.isFinite else { return false }
            var written = number.description
            if written.hasSuffix(".0") { written.removeLast(2) }
            text += written
        case is NSNull: text += "null"
        default: return false
        }
        return true
    }

    /// Keys whose collation order `keyPrecedes` reproduces.
    static func isCollatable(_ key: String) -> Bool {
        var previous: UInt8?
        var runLength = 0
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if runLength == 1, previous == UInt8(ascii: "0") { return false }
                runLength += 1
                if runLength > 18 { return false }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                runLength = 0
            default:
                return false
            }
            previous = byte
        }
        return true
    }

    /// The order `JSONSerialization` gives two collatable keys: Core Foundation compares runs of
    /// digits by value, and at the first other difference asks the root collator, which puts
    /// `_` before `-` before `.` before digits before letters; a key that is the start of
    /// another comes first.
    static func keyPrecedes(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if isDigit(a[i]), isDigit(b[j]) {
                var x: UInt64 = 0, y: UInt64 = 0
                while i < a.count, isDigit(a[i]) { x = x * 10 + UInt64(a[i] - UInt8(ascii: "0")); i += 1 }
                while j < b.count, isDigit(b[j]) { y = y * 10 + UInt64(b[j] - UInt8(ascii: "0")); j += 1 }
                if x != y { return x < y }
                continue
            }
            if a[i] != b[j] { return rank(a[i]) < rank(b[j]) }
            i += 1
            j += 1
        }
        return a.count - i < b.count - j
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func rank(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "_"): 0
        case UInt8(ascii: "-"): 1
        case UInt8(ascii: "."): 2
        case UInt8(ascii: "0")...UInt8(ascii: "9"): 3
        default: 4 + Int(byte)
        }
    }

    /// A JSON string with `JSONSerialization`'s escapes: quote, backslash, the named control
    /// characters, other controls as lower-case `\u00xx`, slashes unless told otherwise, and
    /// everything else as it is.
    private static func appendString(_ string: String, escapingSlashes: Bool, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "/": text += escapingSlashes ? "\\/" : "/"
            case "\u{8}": text += "\\b"
            case "\u{c}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{0}"..."\u{f}": text += "\\u000" + String(scalar.value, radix: 16)
            case "\u{10}"..."\u{1f}": text += "\\u00" + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
