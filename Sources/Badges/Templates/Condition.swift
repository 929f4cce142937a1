import Foundation
import YAMLReading

/// Conditional visibility: an element is drawn only when its conditions hold for the resolved
/// fields. Comparisons ignore case and surrounding spaces; an absent field is the empty string.
/// Every key given in one condition must hold.
public struct Condition: Sendable, Equatable, Codable {
    public var field: String
    public var equals: String?
    public var isIn: [String]?
    public var notIn: [String]?
    /// true: the field must be non-empty; false: it must be empty.
    public var present: Bool?
    /// For list fields (`sessions`, `dietary`, `accessibility`), which reach templates
    /// comma-joined: holds when the list has any of these items, compared item by item so that
    /// `vegan` never matches `non-vegan`.
    public var contains: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case field, equals, isIn = "in", notIn = "not_in", present, contains
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        field = try c.decode(String.self, forKey: .field)
        equals = try c.decodeIfPresent(String.self, forKey: .equals)
        isIn = try c.decodeIfPresent([String].self, forKey: .isIn)
        notIn = try c.decodeIfPresent([String].self, forKey: .notIn)
        present = try c.decodeIfPresent(Bool.self, forKey: .present)
        if !c.contains(.contains) {
            contains = nil
        } else if let one = try? c.decode(String.self, forKey: .contains) {
            contains = [one]
        } else {
            contains = try c.decode([String].self, forKey: .contains)
        }
        // An item with a comma could never match one item of a comma-joined list.
        if let contains, contains.isEmpty || contains.contains(where: { Self.normalised($0).isEmpty || $0.contains(",") }) {
            throw DecodingError.dataCorruptedError(
                forKey: .contains, in: c,
                debugDescription: "contains is one list item or a list of them, each non-empty and without commas")
        }
        guard equals != nil || isIn != nil || notIn != nil || present != nil || contains != nil else {
            throw DecodingError.dataCorruptedError(
                forKey: .field, in: c, debugDescription: "a condition on '\(field)' needs equals, in, not_in, present or contains")
        }
    }

    public func holds(for fields: [String: String]) -> Bool {
        let raw = fields[field] ?? ""
        let value = Self.normalised(raw)
        if let equals, value != Self.normalised(equals) { return false }
        if let isIn, !isIn.map(Self.normalised).contains(value) { return false }
        if let notIn, notIn.map(Self.normalised).contains(value) { return false }
        if let present, present == value.isEmpty { return false }
        if let contains {
            let items = Set(Self.listItems(raw))
            if !contains.contains(where: { items.contains(Self.normalised($0)) }) { return false }
        }
        return true
    }

    /// The items of a comma-joined list field, trimmed and lower-cased, empty ones dropped: how
    /// `contains` and the `icons` element read `sessions`, `dietary` and `accessibility`.
    static func listItems(_ value: String) -> [String] {
        value.split(separator: ",").map { normalised(String($0)) }.filter { !$0.isEmpty }
    }

    static func normalised(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
