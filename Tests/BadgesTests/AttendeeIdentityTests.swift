import Attendees
import Badges
import Foundation
import Testing

@Suite("Attendee ids, timestamps and check-in tokens")
struct AttendeeIdentityTests {
    let secret = IntakeTestSupport.secret

    @Test("UUIDv5 matches the RFC 9562 DNS vector")
    func uuidV5Vector() throws {
        let dns = try #require(UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8"))
        let uuid = StableAttendeeID.uuidV5(namespace: dns, name: "www.example.com")
        #expect(uuid.uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test("Derived ids are lower-case version 5, deterministic and distinct per source")
    func derived() {
        let id = StableAttendeeID.derive(source: "ticketing", sourceID: "REG-000001")
        #expect(id == id.lowercased())
        #expect(id.count == 36)
        let chars = Array(id)
        #expect(chars[14] == "5")
        #expect("89ab".contains(chars[19]))
        #expect(id == StableAttendeeID.derive(source: "ticketing", sourceID: "REG-000001"))
        #expect(id != StableAttendeeID.derive(source: "crm", sourceID: "REG-000001"))
        #expect(id != StableAttendeeID.derive(source: "ticketing", sourceID: "REG-000002"))
        let namespace = StableAttendeeID.lanyardNamespace
        #expect(id == StableAttendeeID.uuidV5(namespace: namespace, name: "ticketing:REG-000001").uuidString.lowercased())
        #expect(namespace.uuidString.lowercased() == "5006d054-ac38-472a-a0a1-f699f9f3321a")
    }

    @Test(
        "Timestamps parse with offsets, Z, naive and date-only forms",
        arguments: [
            ("2026-10-20T00:26:47+05:30", 1_792_436_207.0, Optional(19_800)),
            ("2026-10-20T00:26:47-08:00", 1_792_484_807.0, Optional(-28_800)),
            ("2026-10-20T00:26:47Z", 1_792_456_007.0, Optional(0)),
            ("2026-10-20 00:26:47.250+0000", 1_792_456_007.25, Optional(0)),
            ("2026-10-20T00:26:47", 1_792_456_007.0, nil),
            ("2026-10-20", 1_792_454_400.0, nil),
            ("2024-02-29T12:00:00+01", 1_709_204_400.0, Optional(3600)),
        ] as [(String, Double, Int?)])
    func timestamps(_ text: String, _ epoch: Double, _ offset: Int?) throws {
        let parsed = try #require(RegistrationTimestamp.parse(text))
        #expect(parsed.date.timeIntervalSince1970 == epoch)
        #expect(parsed.utcOffsetSeconds == offset)
    }

    @Test(
        "Invalid timestamps are refused",
        arguments: [
            "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-10-20T24:00:00Z", "2026-10-20T10:00:00+19:00",
            "20/10/2026", "2026-10-20T10:00:00 +02:00", "2026-10-20T10", "", "2026-10-20T10:00:00.Z",
        ])
    func invalidTimestamps(_ text: String) {
        #expect(RegistrationTimestamp.parse(text) == nil)
    }

    @Test("Formatting keeps the original offset")
    func formatting() throws {
        for text in ["2026-10-20T00:26:47+05:30", "2026-10-20T00:26:47-08:00", "1999-12-31T23:59:59+00:00"] {
            let parsed = try #require(RegistrationTimestamp.parse(text))
            #expect(RegistrationTimestamp.format(parsed.date, utcOffsetSeconds: parsed.utcOffsetSeconds) == text)
        }
        #expect(
            RegistrationTimestamp.format(Date(timeIntervalSince1970: 0), utcOffsetSeconds: nil)
                == "1970-01-01T00:00:00Z")
    }

    @Test("The token is 22 base64url characters and the payload verifies")
    func tokenAndPayload() throws {
        let id = StableAttendeeID.derive(source: "ticketing", sourceID: "REG-000001")
        let token = CheckIn.token(eventSlug: "devcon-2026", attendeeID: id, accessTier: .vip, secret: secret)
        #expect(token.count == 22)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        let payload = CheckIn.payload(eventSlug: "devcon-2026", attendeeID: id, accessTier: .vip, secret: secret)
        #expect(payload == "devcon-2026|\(id)|\(token)|vip")
        let verified = try #require(CheckIn.verify(payload: payload, secret: secret))
        #expect(verified == VerifiedCheckIn(eventSlug: "devcon-2026", attendeeID: id, accessTier: .vip))
        #expect(CheckIn.verify(payload: payload, secret: secret, expectedEventSlug: "devcon-2026") != nil)
        #expect(CheckIn.verify(payload: payload, secret: secret, expectedEventSlug: "medsummit-eu") == nil)
    }

    @Test("The token is HMAC-SHA256 over slug|id|tier truncated to 16 bytes")
    func knownToken() {
        // Computed independently (Python hmac): HMAC-SHA256(key "key", "ev|00000000-0000-0000-0000-000000000000|staff").
        let token = CheckIn.token(
            eventSlug: "ev", attendeeID: "00000000-0000-0000-0000-000000000000",
            accessTier: .staff, secret: "key")
        #expect(token == "oR-298sQfWxHaN-jrrImNw")
    }

    @Test("Tampering with the tier, id, slug or token, or another secret, fails verification")
    func tampering() throws {
        let id = StableAttendeeID.derive(source: "crm", sourceID: "REG-000042")
        let payload = CheckIn.payload(eventSlug: "devcon-2026", attendeeID: id, accessTier: .general, secret: secret)
        let parts = payload.split(separator: "|").map(String.init)
        let otherID = StableAttendeeID.derive(source: "crm", sourceID: "REG-000043")
        var flippedToken = Array(parts[2])
        flippedToken[5] = flippedToken[5] == "A" ? "B" : "A"
        let tampered = [
            "\(parts[0])|\(parts[1])|\(parts[2])|vip",
            "\(parts[0])|\(parts[1])|\(parts[2])|staff",
            "\(parts[0])|\(otherID)|\(parts[2])|general",
            "medsummit-eu|\(parts[1])|\(parts[2])|general",
            "\(parts[0])|\(parts[1])|\(String(flippedToken))|general",
            "\(parts[0])|\(parts[1].uppercased())|\(parts[2])|general",
            "\(parts[0])|\(parts[1])|\(parts[2])|general|extra",
            "\(parts[0])|\(parts[1])|\(parts[2].dropLast())|general",
            "\(parts[0])|\(parts[1])|\(parts[2])==|general",
            "\(parts[0])|\(parts[1])|\(parts[2])|platinum",
            "",
        ]
        for candidate in tampered {
            #expect(CheckIn.verify(payload: candidate, secret: secret) == nil, Comment(rawValue: candidate))
        }
        #expect(CheckIn.verify(payload: payload, secret: secret + "x") == nil)
        #expect(CheckIn.verify(payload: payload, secret: secret) != nil)
    }

    @Test("Payloads are ASCII: transliterated, with '|' and controls removed")
    func asciiPayload() throws {
        #expect(CheckIn.asciiSanitized("devcon-2026") == "devcon-2026")
        #expect(CheckIn.asciiSanitized("café-straße") == "cafe-strasse")
        #expect(CheckIn.asciiSanitized("Łódź|2026") == "Lodz2026")
        #expect(CheckIn.asciiSanitized("Київ") == "Kiiv")
        #expect(CheckIn.asciiSanitized("東京") == "dong jing")
        #expect(CheckIn.asciiSanitized("tab\there\u{0}") == "tabhere")
        let id = StableAttendeeID.derive(source: "crm", sourceID: "1")
        let payload = CheckIn.payload(eventSlug: "kraków-2026", attendeeID: id, accessTier: .press, secret: secret)
        #expect(payload.hasPrefix("krakow-2026|"))
        #expect(payload.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(payload.split(separator: "|").count == 4)
        #expect(CheckIn.verify(payload: payload, secret: secret)?.eventSlug == "krakow-2026")
    }

    @Test("An attendee's payload carries its tier")
    func attendeePayload() throws {
        let attendee = try #require(try IntakeTestSupport.outcome().attendee)
        let payload = CheckIn.payload(for: attendee, secret: secret)
        #expect(payload.hasSuffix("|speaker"))
        #expect(CheckIn.verify(payload: payload, secret: secret)?.attendeeID == attendee.attendeeID)
    }
}
