import YAMLReading

/// How a printer model shows up on USB. Product ids vary by model, resolution and firmware mode,
/// so discovery also matches the IEEE 1284 device ID's model string against patterns.
public struct USBIdentity: Codable, Sendable, Equatable, Hashable {
    public var vendorId: UInt16
    public var productIds: [UInt16]
    /// Case-insensitive substrings of the device ID's `MDL`/`MODEL` value, e.g. `ZD421-203dpi`.
    public var deviceIdModelPatterns: [String]

    public init(vendorId: UInt16, productIds: [UInt16], deviceIdModelPatterns: [String]) {
        self.vendorId = vendorId
        self.productIds = productIds
        self.deviceIdModelPatterns = deviceIdModelPatterns
    }

    /// Whether a device ID model string matches one of the patterns.
    public func matchesModel(_ model: String) -> Bool { longestPattern(matching: model) != nil }

    /// The longest pattern a model string contains, nil when it contains none: a longer pattern
    /// is a more specific one (`ZD421-300dpi` over `ZD421`).
    public func longestPattern(matching model: String) -> String? {
        let lowered = model.lowercased()
        return deviceIdModelPatterns.filter { lowered.contains($0.lowercased()) }.max { $0.count < $1.count }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case vendorId = "vendor_id"
        case productIds = "product_ids"
        case deviceIdModelPatterns = "device_id_model_patterns"
    }

    /// Ids are written either as quoted hex strings (`"0x0A5F"` or `"0a5f"`, as `lsusb` prints
    /// them) or as plain decimal numbers; a plain `0x…` number is hex too. Plain numbers with a
    /// leading zero are refused because YAML would read them as octal.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vendorId = try Self.parseId(container.decode(YAMLScalar.self, forKey: .vendorId), in: container, key: .vendorId)
        var list = try container.nestedUnkeyedContainer(forKey: .productIds)
        var ids: [UInt16] = []
        while !list.isAtEnd {
            let scalar = try list.decode(YAMLScalar.self)
            guard let id = Self.id(from: scalar) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: list.codingPath + [
                            AnyCodingKey(stringValue: "Index \(list.currentIndex - 1)", intValue: list.currentIndex - 1)
                        ],
                        debugDescription: Self.idProblem(scalar)
                    )
                )
            }
            ids.append(id)
        }
        productIds = ids
        deviceIdModelPatterns = try container.decodeIfPresent([String].self, forKey: .deviceIdModelPatterns) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.hexText(vendorId), forKey: .vendorId)
        try container.encode(productIds.map(Self.hexText), forKey: .productIds)
        try container.encode(deviceIdModelPatterns, forKey: .deviceIdModelPatterns)
    }

    /// `0x0A5F` form, as profiles write ids.
    public static func hexText(_ id: UInt16) -> String {
        var bytes: [UInt8] = Array("0x".utf8)
        bytes.append(hex16: id)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func parseId(
        _ scalar: YAMLScalar, in container: KeyedDecodingContainer<CodingKeys>, key: CodingKeys
    ) throws -> UInt16 {
        guard let id = id(from: scalar) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: idProblem(scalar))
        }
        return id
    }

    static func id(from scalar: YAMLScalar) -> UInt16? {
        let text = scalar.text
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            return UInt16(lower.dropFirst(2), radix: 16)
        }
        if scalar.isPlain {
            guard !(text.count > 1 && text.hasPrefix("0")) else { return nil }
            return UInt16(text, radix: 10)
        }
        return UInt16(text, radix: 16)
    }

    static func idProblem(_ scalar: YAMLScalar) -> String {
        "\"\(scalar.text)\" is not a USB id; write a quoted hex string (\"0x0A5F\") or a decimal number 0...65535 without leading zeros"
    }
}
