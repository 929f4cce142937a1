import YAMLReading

/// The label stock a template is designed for. `width` runs across the print head and `length`
/// along the feed, as the printer sees it; the design itself may be landscape or portrait, and the
/// renderer turns the badge a quarter turn when the two disagree.
public struct Stock: Sendable, Equatable, Hashable, Codable {
    public var widthMM: Double
    public var lengthMM: Double
    /// Distance from the stock edge that a printer cannot be trusted to reach; elements belong inside.
    public var safeMarginMM: Double
    public var media: MediaKind

    public enum MediaKind: String, Sendable, Codable, Hashable {
        case gap, mark, continuous
    }

    /// Stock sizes that badge printers commonly take, written `WxLin` (width across the head first).
    public static let named: [String: (Double, Double)] = [
        "4x3in": (101.6, 76.2),
        "4x6in": (101.6, 152.4),
        "4x5in": (101.6, 127.0),
        "3x4in": (76.2, 101.6),
        "2.25x4in": (57.15, 101.6),
        "4x2.25in": (101.6, 57.15),
        "2x1in": (50.8, 25.4),
    ]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case size, widthMM = "width_mm", lengthMM = "length_mm", safeMarginMM = "safe_margin_mm", media
    }

    public init(widthMM: Double, lengthMM: Double, safeMarginMM: Double = 1.5, media: MediaKind = .gap) {
        self.widthMM = widthMM
        self.lengthMM = lengthMM
        self.safeMarginMM = safeMarginMM
        self.media = media
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let size = try container.decodeIfPresent(String.self, forKey: .size) {
            guard let dims = Stock.named[size] else {
                throw DecodingError.dataCorruptedError(
                    forKey: .size, in: container,
                    debugDescription:
                        "unknown stock size '\(size)'; known: \(Stock.named.keys.sorted().joined(separator: ", ")), or give width_mm and length_mm"
                )
            }
            widthMM = dims.0
            lengthMM = dims.1
        } else {
            widthMM = try container.decode(Double.self, forKey: .widthMM)
            lengthMM = try container.decode(Double.self, forKey: .lengthMM)
        }
        safeMarginMM = try container.decodeIfPresent(Double.self, forKey: .safeMarginMM) ?? 1.5
        media = try container.decodeIfPresent(MediaKind.self, forKey: .media) ?? .gap
        guard widthMM > 0, lengthMM > 0, widthMM <= 300, lengthMM <= 1000, safeMarginMM >= 0 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "stock must be 0–300 mm wide and 0–1000 mm long with a non-negative margin"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(widthMM, forKey: .widthMM)
        try container.encode(lengthMM, forKey: .lengthMM)
        try container.encode(safeMarginMM, forKey: .safeMarginMM)
        try container.encode(media, forKey: .media)
    }
}

/// How the design is meant to be read.
public enum Orientation: String, Sendable, Codable, Hashable {
    case portrait, landscape
}
