public import Foundation
public import LanyardSupport
import Sync

/// One change central operations or an integrator pushes to an event's attendee list
/// (`POST /v1/events/{event}/attendees`):
/// `{"changes": [{"op": "upsert", "registration": {...}}, {"op": "remove", "attendee_id": "..."}]}`.
///
/// A registration is a JSON object in the attendee contract and must name its attendee by
/// `attendee_id` (a UUID): that is the key the registry and every kiosk file it under. The
/// registry checks only what it needs to keep the log coherent (the id, the event); the full
/// contract is checked by each kiosk's intake, exactly as for a snapshot's lines.
public enum AttendeePush: Sendable, Equatable {
    /// The attendee id (lower case) and the registration's JSON text.
    case upsert(attendeeID: String, registration: String)
    case remove(attendeeID: String)

    /// More than this in one request is refused; larger lists go out as a snapshot.
    public static let maximumChanges = 2_000

    /// The body as it travels: each change an object whose fields the op decides.
    struct Body: Decodable {
        var changes: [JSONValue]
    }

    /// Parses and checks a push body; the error names the change and field at fault.
    public static func decode(_ data: Data, event: String) throws(RegistryError) -> [AttendeePush] {
        let changes: [JSONValue]
        do { changes = try JSONDecoder().decode(Body.self, from: data).changes } catch {
            throw RegistryError(.requestInvalid, "the body is an object with a changes array", detail: "$.changes")
        }
        guard changes.count <= maximumChanges else {
            throw RegistryError(
                .payloadTooLarge, "a push holds at most \(maximumChanges) changes, this one \(changes.count)", detail: "$.changes")
        }
        var result: [AttendeePush] = []
        result.reserveCapacity(changes.count)
        for (index, element) in changes.enumerated() {
            result.append(try change(element, path: "$.changes[\(index)]", event: event))
        }
        return result
    }

    private static func change(_ element: JSONValue, path: String, event: String) throws(RegistryError) -> AttendeePush {
        guard case .object(let change) = element else { throw RegistryError(.requestInvalid, "a change is an object", detail: path) }
        switch change["op"] {
        case .string("upsert"):
            guard case .object(let registration) = change["registration"] else {
                throw RegistryError(.requestInvalid, "an upsert carries its registration as an object", detail: path + ".registration")
            }
            let id = try attendeeID(registration["attendee_id"], path: path + ".registration.attendee_id")
            if let slug = registration["event_slug"] {
                guard slug == .string(event) else {
                    throw RegistryError(
                        .requestInvalid, "the registration belongs to another event than \"\(event)\"",
                        detail: path + ".registration.event_slug")
                }
            }
            return .upsert(attendeeID: id, registration: String(decoding: WireJSON.encode(JSONValue.object(registration)), as: UTF8.self))
        case .string("remove"):
            return .remove(attendeeID: try attendeeID(change["attendee_id"], path: path + ".attendee_id"))
        default:
            throw RegistryError(.requestInvalid, "op is \"upsert\" or \"remove\"", detail: path + ".op")
        }
    }

    /// A UUID, 8-4-4-4-12 hex digits, returned in lower case (as kiosks' intake keeps it).
    static func attendeeID(_ value: JSONValue?, path: String) throws(RegistryError) -> String {
        guard case .string(let text) = value else { throw RegistryError(.requestInvalid, "attendee_id is a string", detail: path) }
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        let shaped =
            groups.map(\.utf8.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) } }
        guard shaped else { throw RegistryError(.requestInvalid, "attendee_id is a UUID (8-4-4-4-12 hex digits)", detail: path) }
        return text.lowercased()
    }
}
