public import Foundation
import LanyardSupport

/// The JSON of every contract between a kiosk and the registry server: snake_case keys spelled
/// out by each type, keys sorted, and one date encoding both ways: ISO-8601 in UTC with
/// milliseconds on output (`Timestamps.iso8601`), any ISO-8601 instant with or without
/// fractional seconds and with any offset on input (kiosks' clocks and libraries differ).
public enum WireJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamps.iso8601(date))
        }
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard text.utf8.count <= 64, let date = Timestamps.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 date and time")
            }
            return date
        }
        return decoder
    }

    /// Plain data (strings, numbers, dates, arrays of them) cannot fail to encode; an empty
    /// object is the honest fallback.
    public static func encode(_ value: some Encodable) -> Data {
        (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
