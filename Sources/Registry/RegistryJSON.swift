public import Foundation

/// The JSON the registry reads and writes: snake_case keys spelled out by each type, keys sorted
/// on output, and ISO-8601 dates with or without fractional seconds and with any offset on
/// input (kiosks' clocks and libraries differ), UTC with milliseconds when there are any on
/// output.
public enum RegistryJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(RegistryError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 date and time")
            }
            return date
        }
        do { return try decoder.decode(type, from: data) } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw RegistryError(.requestInvalid, "not a valid \(what): \(reason)", detail: path)
        } catch {
            throw RegistryError(.requestInvalid, "not a valid \(what)", detail: "\(error)")
        }
    }

    public static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        // Every type the registry encodes is plain data (strings, numbers, dates, arrays of
        // them); encoding them cannot fail, and an empty object is the honest fallback.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    public static func parseDate(_ text: String) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    public static func formatDate(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return whole ? Date.ISO8601FormatStyle().format(date) : Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// Microseconds since 1970: how instants are stored and compared, so that two scans a
    /// fraction of a second apart keep their order.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// `$.items[3].scanned_at` and the reason: the part of a DecodingError a caller can act on.
    static func describe(_ error: DecodingError) -> (path: String, reason: String) {
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            return "$" + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context, key), "\(key.stringValue) is missing")
        case .typeMismatch(let type, let context): return (path(context), "expected \(typeName(type))")
        case .valueNotFound(let type, let context): return (path(context), "expected \(typeName(type)), found null")
        case .dataCorrupted(let context): return (path(context), context.debugDescription)
        @unknown default: return ("$", "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
    }
}
