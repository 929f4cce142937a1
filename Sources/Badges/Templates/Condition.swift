import Foundation
import YAMLReading

/// Conditional visibility: an element is drawn only when its conditions hold for the resolved
/// fields. Comparisons ignore case and surrounding spaces; an absent field is the empty string.
public struct Condition: Sendable, Equatable, Codable {
    public var field: String
    public var equals: String?
    public var isIn: [String]?
    public var notIn: [String]?
    /// true: the field must be non-empty; false: it must be empty.
    public var present: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case field, equals, isIn = "in", notIn = "not_in", present
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        field = try c.decode(String.self, forKey: .field)
        equals = try c.decodeIfPresent(String.self, forKey: .equals)
        isIn = try c.decodeIfPresent([String].self, forKey: .isIn)
        notIn = try c.decodeIfPresent([String].self, forKey: .notIn)
        present = try c.decodeIfPresent(Bool.self, forKey: .present)
        guard equals != nil || isIn != nil || notIn != nil || present != nil else {
            throw DecodingError.dataCorruptedError(
                forKey: .field, in: c, debugDescription: "a condition on '\(field)' needs equals, in, not_in or present")
        }
    }

    public func holds(for fields: [String: String]) -> Bool {
        let value = normalised(fields[field] ?? "")
        if let equals, value != normalised(equals) { return false }
        if let isIn, !isIn.map(normalised).contains(value) { return false }
        if let notIn, notIn.map(normalised).contains(value) { return false }
        if let present, present == value.isEmpty { return false }
        return true
    }

    private func normalised(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
