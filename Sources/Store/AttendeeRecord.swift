import Attendees
import Foundation

/// The attendee cache's stored record: the attendee as JSON, byte for byte what `JSONEncoder`
/// with `.sortedKeys` writes for it (keys in UTF-8 order, nil fields left out, "/" escaped,
/// control characters as `\u` and four hex digits, dates as seconds since 2001 without a trailing ".0").
///
/// Written by hand because `JSONEncoder` took about 14 µs per attendee, most of the time of a
/// 100,000-attendee snapshot. Byte equality matters: an upsert leaves a row alone when its
/// record is unchanged, so records written by `JSONEncoder` in earlier releases still compare
/// equal. `AttendeeRecordTests` checks the equality, and that `Attendee` has no field this
/// writer does not know.
enum AttendeeRecord {
    /// Nil for an attendee whose `registeredAt` is not a finite number, which JSON cannot hold;
    /// the caller lets `JSONEncoder` report it.
    static func encode(_ attendee: Attendee) -> Data? {
        var out = JSONBytes()
        out.bytes.reserveCapacity(512)
        out.open()
        out.key("access_tier")
        out.string(attendee.accessTier.rawValue)
        out.key("accessibility")
        out.strings(attendee.accessibility)
        out.key("attendee_id")
        out.string(attendee.attendeeID)
        if let company = attendee.company {
            out.key("company")
            out.string(company)
        }
        out.key("custom")
        out.dictionary(attendee.custom)
        out.key("dietary")
        out.strings(attendee.dietary)
        out.key("email")
        out.string(attendee.email)
        out.key("event_slug")
        out.string(attendee.eventSlug)
        if let first = attendee.firstName {
            out.key("first_name")
            out.string(first)
        }
        if let title = attendee.jobTitle {
            out.key("job_title")
            out.string(title)
        }
        if let last = attendee.lastName {
            out.key("last_name")
            out.string(last)
        }
        if let locale = attendee.locale {
            out.key("locale")
            out.string(locale)
        }
        if let preferred = attendee.preferredName {
            out.key("preferred_name")
            out.string(preferred)
        }
        if let pronouns = attendee.pronouns {
            out.key("pronouns")
            out.string(pronouns)
        }
        if let registered = attendee.registeredAt {
            let seconds = registered.timeIntervalSinceReferenceDate
            guard seconds.isFinite else { return nil }
            out.key("registered_at")
            out.number(seconds)
        }
        if let offset = attendee.registeredAtUTCOffsetSeconds {
            out.key("registered_at_utc_offset_seconds")
            out.raw(String(offset))
        }
        out.key("sessions")
        out.strings(attendee.sessions)
        out.key("source")
        out.string(attendee.source)
        out.key("source_id")
        out.string(attendee.sourceID)
        out.key("ticket_type")
        out.string(attendee.ticketType)
        if let track = attendee.track {
            out.key("track")
            out.string(track)
        }
        out.close()
        return Data(out.bytes)
    }

    /// The number of stored properties `encode` writes; the tests compare it with `Attendee`'s.
    static let fieldCount = 21
}

/// A JSON object being written, with `JSONEncoder`'s escaping and number format.
private struct JSONBytes {
    var bytes: [UInt8] = []
    private var first = true

    mutating func open() {
        bytes.append(UInt8(ascii: "{"))
        first = true
    }

    mutating func close() { bytes.append(UInt8(ascii: "}")) }

    mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `Double.description` without the ".0" of whole numbers, as `JSONEncoder` writes numbers.
    mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        raw(text)
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func dictionary(_ values: [String: String]) {
        var nested = JSONBytes()
        nested.open()
        for key in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            nested.key(key)
            nested.string(values[key] ?? "")
        }
        nested.close()
        bytes.append(contentsOf: nested.bytes)
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Most text needs no escape at all: copied in one go.
            if utf8.contains(where: Self.needsEscape) {
                escape(utf8)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00...0x1F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                ])
            default: bytes.append(byte)
            }
        }
    }
}
