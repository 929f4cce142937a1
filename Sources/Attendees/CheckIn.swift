import Crypto
import Foundation
import LanyardSupport

/// A QR payload whose token matched.
public struct VerifiedCheckIn: Sendable, Equatable {
    public var eventSlug: String
    public var attendeeID: String
    public var accessTier: AccessTier

    public init(eventSlug: String, attendeeID: String, accessTier: AccessTier) {
        self.eventSlug = eventSlug
        self.attendeeID = attendeeID
        self.accessTier = accessTier
    }
}

/// The badge's QR payload and its check-in token, verifiable offline at a kiosk with only the
/// event's shared secret.
///
/// Payload: `{event_slug}|{attendee_id}|{check_in_token}|{access_tier}`, pure ASCII so every QR
/// reader and keyboard-wedge scanner returns it unchanged. The token is
/// HMAC-SHA256(key: UTF-8 of the secret, message: "{event_slug}|{attendee_id}|{access_tier}")
/// truncated to its first 16 bytes (128 bits: forging one is still infeasible, and the QR code
/// stays small) and written base64url without padding (22 characters). The message uses the
/// ASCII forms that appear in the payload, so a verifier needs nothing but the payload.
public enum CheckIn {
    public static let tokenByteCount = 16
    public static let tokenLength = 22

    /// The token for one attendee.
    public static func token(eventSlug: String, attendeeID: String, accessTier: AccessTier, secret: String) -> String {
        base64URLEncoded(
            tag(
                eventSlug: asciiSanitized(eventSlug), attendeeID: asciiSanitized(attendeeID),
                accessTier: accessTier, secret: secret))
    }

    public static func payload(for attendee: Attendee, secret: String) -> String {
        payload(
            eventSlug: attendee.eventSlug, attendeeID: attendee.attendeeID, accessTier: attendee.accessTier,
            secret: secret)
    }

    public static func payload(eventSlug: String, attendeeID: String, accessTier: AccessTier, secret: String) -> String {
        let slug = asciiSanitized(eventSlug)
        let id = asciiSanitized(attendeeID)
        let token = base64URLEncoded(tag(eventSlug: slug, attendeeID: id, accessTier: accessTier, secret: secret))
        return "\(slug)|\(id)|\(token)|\(accessTier.rawValue)"
    }

    /// Checks a scanned payload. Returns nil when it is not in the payload format, names an unknown
    /// tier, or its token does not match (a changed slug, id or tier, or another event's secret).
    /// When `expectedEventSlug` is given, a payload for another event is refused too.
    public static func verify(payload: String, secret: String, expectedEventSlug: String? = nil) -> VerifiedCheckIn? {
        let parts = payload.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 else { return nil }
        let (slug, attendeeID, token, tierText) = (parts[0], parts[1], parts[2], parts[3])
        guard !slug.isEmpty, StableAttendeeID.canonical(attendeeID) == attendeeID,
            let tier = AccessTier(rawValue: tierText),
            let presented = base64URLDecoded(token), presented.count == tokenByteCount
        else { return nil }
        if let expectedEventSlug, asciiSanitized(expectedEventSlug) != slug { return nil }
        let expected = tag(eventSlug: slug, attendeeID: attendeeID, accessTier: tier, secret: secret)
        guard ConstantTime.equal(expected, presented) else { return nil }
        return VerifiedCheckIn(eventSlug: slug, attendeeID: attendeeID, accessTier: tier)
    }

    /// The ASCII form of payload fields: transliterated to Latin (ICU "Any-Latin"), diacritics
    /// stripped, then letters that have no decomposition (ß, æ, ø, ł, đ, þ, œ, ı, ʹ) spelled out
    /// by a small table; anything still outside printable ASCII, and '|', is removed.
    public static func asciiSanitized(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(isPayloadASCII) { return text }
        var working = text
        if let latin = working.applyingTransform(.toLatin, reverse: false) { working = latin }
        if let plain = working.applyingTransform(.stripDiacritics, reverse: false) { working = plain }
        var result = String.UnicodeScalarView()
        for scalar in working.unicodeScalars {
            if isPayloadASCII(scalar) {
                result.append(scalar)
            } else if let spelled = asciiSpellings[scalar] {
                result.append(contentsOf: spelled.unicodeScalars)
            }
        }
        return String(result)
    }

    private static let asciiSpellings: [Unicode.Scalar: String] = [
        "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l",
        "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "Œ": "OE", "œ": "oe", "ı": "i", "ʹ": "'",
        "ʺ": "\"", "’": "'", "‘": "'", "“": "\"", "”": "\"", "–": "-", "—": "-",
    ]

    private static func isPayloadASCII(_ scalar: Unicode.Scalar) -> Bool {
        (0x20...0x7E).contains(scalar.value) && scalar != "|"
    }

    private static func tag(eventSlug: String, attendeeID: String, accessTier: AccessTier, secret: String) -> [UInt8] {
        let key = SymmetricKey(data: Data(secret.utf8))
        let message = Data("\(eventSlug)|\(attendeeID)|\(accessTier.rawValue)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return Array(Array(mac).prefix(tokenByteCount))
    }

    static func base64URLEncoded(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecoded(_ text: String) -> [UInt8]? {
        guard
            text.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            })
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}
