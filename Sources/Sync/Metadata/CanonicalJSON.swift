public import Foundation

/// The one JSON form the protocol writes: keys sorted, no insignificant whitespace, dates as
/// ISO-8601 UTC seconds. Signatures cover the exact bytes of a payload (see `SignedEnvelope`),
/// so readers never need to re-serialise; the fixed form only keeps published files
/// reproducible and diffable.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws(SyncError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do { return try encoder.encode(value) } catch {
            throw SyncError(.metadataInvalid, "cannot encode \(T.self)", cause: "\(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, subject: String) throws(SyncError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(type, from: data) } catch let error as DecodingError {
            throw SyncError(.metadataInvalid, "not valid \(subject) metadata", subject: subject, cause: Self.describe(error))
        } catch {
            throw SyncError(.metadataInvalid, "not valid \(subject) metadata", subject: subject, underlying: error)
        }
    }

    /// `field.path: reason`, the part of a DecodingError an operator can act on.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "$" + joined
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context, key)): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
