public import Foundation
import Sync

/// The JSON the registry reads and writes: `WireJSON`, the one encoding of every kiosk-registry
/// contract, with decoding failures turned into `registry.request_invalid` naming the field.
public enum RegistryJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(RegistryError) -> T {
        do { return try WireJSON.decoder.decode(type, from: data) } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw RegistryError(.requestInvalid, "not a valid \(what): \(reason)", detail: path)
        } catch {
            throw RegistryError(.requestInvalid, "not a valid \(what)", detail: "\(error)")
        }
    }

    public static func encode<T: Encodable>(_ value: T) -> Data { WireJSON.encode(value) }

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
