public import LanyardSupport

/// A JSON value as TUF metadata carries it, and exactly what canonical JSON (securesystemslib's
/// `encode_canonical`, which the specification names) can write: there is no floating-point case,
/// because a float has no canonical form and metadata holding one can never be verified.
///
/// Strings are compared by their Unicode scalars, never by Swift's canonical equivalence: "é" and
/// "e" + U+0301 are different keys, different target names and different signed bytes to every
/// other TUF implementation.
public enum TUFJSON: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([TUFJSON])
    case object(JSONObject)

    /// The canonical JSON bytes: keys sorted by code point, no whitespace, strings with only `"`
    /// and `\` escaped and everything else (control characters, `/`, non-ASCII) written as UTF-8.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    public var description: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// Equal when the canonical bytes are: scalar by scalar, not by Swift's `String` equality.
    public static func == (lhs: TUFJSON, rhs: TUFJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .integer(let value): output += Array(String(value).utf8)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output.append(UInt8(ascii: "\\")) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [TUFJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// A JSON object with its members kept in canonical order (by the UTF-8 bytes of the key, which
/// is the order of code points Python sorts `str` keys by) and no key twice.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: TUFJSON

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key.utf8.elementsEqual(rhs.key.utf8) && lhs.value == rhs.value
        }
    }

    /// Sorted by key, scalar by scalar.
    public let members: [Member]

    /// Refuses a key given twice (the same scalars), as the parser refuses a duplicate key.
    public init(_ pairs: [(key: String, value: TUFJSON)]) throws(TUFError) {
        let sorted = pairs.map { Member(key: $0.key, value: $0.value) }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for index in sorted.indices.dropFirst() where sorted[index - 1].key.utf8.elementsEqual(sorted[index].key.utf8) {
            throw TUFError(.jsonMalformed, "the key \"\(sorted[index].key)\" appears twice in an object")
        }
        members = sorted
    }

    /// Members already sorted and unique: a subset of another object's members.
    init(sortedUniqueMembers: [Member]) { members = sortedUniqueMembers }

    public static let empty = JSONObject(sortedUniqueMembers: [])

    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    /// The value of the member whose key has exactly these scalars.
    public subscript(key: String) -> TUFJSON? {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle].key.utf8.lexicographicallyPrecedes(key.utf8) { low = middle + 1 } else { high = middle }
        }
        guard low < members.count, members[low].key.utf8.elementsEqual(key.utf8) else { return nil }
        return members[low].value
    }

    /// This object without the members named: what a model type keeps as unrecognised fields.
    public func removing(_ names: Set<String>) -> JSONObject {
        let kept = members.filter { member in !names.contains { $0.utf8.elementsEqual(member.key.utf8) } }
        return JSONObject(sortedUniqueMembers: kept)
    }
}
