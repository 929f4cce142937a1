import YAMLReading

/// An adjustable printer setting: the range the model accepts and the value tuned for it.
public struct SettingRange: Codable, Sendable, Equatable, Hashable {
    public var min: Int
    public var max: Int
    public var defaultValue: Int

    public init(min: Int, max: Int, defaultValue: Int) {
        self.min = min
        self.max = max
        self.defaultValue = defaultValue
    }

    public var range: ClosedRange<Int>? { min <= max ? min...max : nil }

    /// `value` limited to the range.
    public func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value, min), max) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case min
        case max
        case defaultValue = "default"
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        min = try container.decode(Int.self, forKey: .min)
        max = try container.decode(Int.self, forKey: .max)
        defaultValue = try container.decode(Int.self, forKey: .defaultValue)
    }
}

extension ClosedRange where Bound == Int {
    func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value, lowerBound), upperBound) }
}
