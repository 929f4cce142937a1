import YAMLReading

/// One declarative mapping rule: it computes the field `name` from the attendee's fields and the
/// rules before it. Exactly one of `firstOf`, `format` or `lookup` says how.
public struct FieldRule: Sendable, Equatable, Codable {
    public var name: String
    /// The first of these fields that is not empty.
    public var firstOf: [String]?
    /// A literal with `{field}` placeholders.
    public var format: String?
    /// A table from the value of `lookup` (compared case-insensitively) to text.
    public var lookup: String?
    public var table: [String: String]?
    /// Used when the rule yields an empty string.
    public var defaultValue: String?
    public var transform: TextTransform?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, firstOf = "first_of", format, lookup, table, defaultValue = "default", transform
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        firstOf = try c.decodeIfPresent([String].self, forKey: .firstOf)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        lookup = try c.decodeIfPresent(String.self, forKey: .lookup)
        table = try c.decodeIfPresent([String: String].self, forKey: .table)
        defaultValue = try c.decodeIfPresent(String.self, forKey: .defaultValue)
        transform = try c.decodeIfPresent(TextTransform.self, forKey: .transform)
        let ways = [firstOf != nil, format != nil, lookup != nil].filter { $0 }.count
        guard ways == 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .name, in: c, debugDescription: "field '\(name)' needs exactly one of first_of, format or lookup")
        }
        guard lookup == nil || table != nil else {
            throw DecodingError.dataCorruptedError(forKey: .table, in: c, debugDescription: "lookup needs a table")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }), !name.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "field names use letters, digits, '_' and '.'")
        }
    }
}

/// Applies mapping rules and fills placeholders. Pure: the same fields give the same result.
public enum FieldMapper {
    /// The resolved fields: the inputs plus one entry per rule, in rule order.
    public static func resolve(_ rules: [FieldRule], fields input: [String: String]) -> [String: String] {
        var fields = input
        for rule in rules {
            var value: String
            if let candidates = rule.firstOf {
                value = candidates.lazy.compactMap { fields[$0] }.first { !$0.isEmpty } ?? ""
            } else if let format = rule.format {
                value = fill(format, with: fields)
            } else if let key = rule.lookup, let table = rule.table {
                let wanted = (fields[key] ?? "").lowercased()
                value = table.first { $0.key.lowercased() == wanted }?.value ?? ""
            } else {
                value = ""
            }
            value = collapseWhitespace(value)
            if value.isEmpty, let fallback = rule.defaultValue { value = fallback }
            fields[rule.name] = apply(rule.transform ?? TextTransform.none, to: value)
        }
        return fields
    }

    /// Replaces each `{name}` with the field's value (empty when absent). `{{` and `}}` are literal braces.
    public static func fill(_ pattern: String, with fields: [String: String]) -> String {
        var out = ""
        var index = pattern.startIndex
        while index < pattern.endIndex {
            let ch = pattern[index]
            let next = pattern.index(after: index)
            if ch == "{", next < pattern.endIndex, pattern[next] == "{" {
                out.append("{")
                index = pattern.index(after: next)
            } else if ch == "}", next < pattern.endIndex, pattern[next] == "}" {
                out.append("}")
                index = pattern.index(after: next)
            } else if ch == "{", let close = pattern[next...].firstIndex(of: "}") {
                out += fields[String(pattern[next..<close])] ?? ""
                index = pattern.index(after: close)
            } else {
                out.append(ch)
                index = next
            }
        }
        return out
    }

    /// Names of the placeholders a pattern uses, for template checks.
    public static func placeholders(in pattern: String) -> [String] {
        var names: [String] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            let after = rest.index(after: open)
            if after < rest.endIndex, rest[after] == "{" {
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard let close = rest[after...].firstIndex(of: "}") else { break }
            names.append(String(rest[after..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    public static func apply(_ transform: TextTransform, to text: String) -> String {
        switch transform {
        case .none: text
        case .upper: text.uppercased()
        case .lower: text.lowercased()
        }
    }

    /// A rule like `{first} {last}` leaves doubled or edge spaces when a part is empty.
    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " }).joined(separator: " ")
    }
}
