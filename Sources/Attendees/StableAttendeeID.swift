import Crypto
public import Foundation

/// Name-based attendee ids, so that re-importing the same registration (from a webhook today and
/// a CSV export tomorrow, on any kiosk) yields the same id without a central allocator.
public enum StableAttendeeID {
    /// Lanyard's UUIDv5 namespace. A random (version 4) UUID generated once for this project and
    /// never to be changed: changing it changes every derived attendee id, and with them every
    /// printed QR code.
    /// Written as bytes: 5006d054-ac38-472a-a0a1-f699f9f3321a.
    public static let lanyardNamespace = UUID(
        uuid: (
            0x50, 0x06, 0xD0, 0x54, 0xAC, 0x38, 0x47, 0x2A, 0xA0, 0xA1, 0xF6, 0x99, 0xF9, 0xF3, 0x32, 0x1A
        ))

    /// The id for a registration: UUIDv5 of "<source>:<source_id>" in `lanyardNamespace`,
    /// lower-case.
    public static func derive(source: String, sourceID: String) -> String {
        uuidV5(namespace: lanyardNamespace, name: "\(source):\(sourceID)").uuidString.lowercased()
    }

    /// RFC 9562 §5.5: SHA-1 over namespace bytes + name bytes, first 16 bytes, with the version
    /// nibble set to 5 and the variant bits to 10.
    public static func uuidV5(namespace: UUID, name: String) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Data(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// The canonical lower-case form of a UUID string in any case, or nil if it is not a UUID in
    /// the 8-4-4-4-12 hex form.
    public static func canonical(_ text: String) -> String? {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        return uuid.uuidString.lowercased()
    }
}
