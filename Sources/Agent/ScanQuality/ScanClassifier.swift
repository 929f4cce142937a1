public import Attendees
public import Store

/// What a read at the kiosk's scanner was, and whose ticket it names when it names one.
public struct ScanClassification: Sendable, Equatable {
    public var kind: ScanKind
    /// The attendee of a verifying read (after undoing a garble), or the id an unverified read
    /// carries when it has the form of one.
    public var attendeeID: String?

    public init(kind: ScanKind, attendeeID: String?) {
        self.kind = kind
        self.attendeeID = attendeeID
    }
}

/// Sorts kiosk reads into the scan-quality loop's kinds, in the agent rather than the page, so the
/// rule is one and tested: a ticket whose token verifies is a success; a read that verifies only
/// once a keyboard-layout mismatch is undone is garbled; four fields whose token does not verify
/// are unverified; anything else is unparseable.
///
/// The mismatches undone are the ones a scanner set to another layout than the box's makes of a
/// ticket (`web/kiosk/scanner.js`): `|` arriving as `<`, `>` or `#` (the key it shares on
/// European layouts), and y and z swapped (German, Czech, Swiss layouts), alone or together.
public enum ScanClassifier {
    static let separatorStandIns: [Character] = ["<", ">", "#"]

    public static func classify(_ read: String, event: EventConfiguration) -> ScanClassification {
        if let verified = verify(read, event: event) { return ScanClassification(kind: .success, attendeeID: verified) }
        for candidate in undone(read) where candidate != read {
            if let verified = verify(candidate, event: event) { return ScanClassification(kind: .garbled, attendeeID: verified) }
        }
        let fields = read.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        if fields.count == 4 {
            let id = fields[1]
            return ScanClassification(kind: .unverified, attendeeID: StableAttendeeID.canonical(id) == id ? id : nil)
        }
        return ScanClassification(kind: .unparseable, attendeeID: nil)
    }

    private static func verify(_ read: String, event: EventConfiguration) -> String? {
        CheckIn.verify(payload: read, secret: event.checkInSecret, expectedEventSlug: event.slug)?.attendeeID
    }

    /// The read with each mismatch undone: every stand-in for `|` it contains, each with and
    /// without y and z swapped back.
    static func undone(_ read: String) -> [String] {
        var separators = [read]
        for standIn in separatorStandIns where read.contains(standIn) {
            separators.append(String(read.map { $0 == standIn ? "|" : $0 }))
        }
        return separators.flatMap { [$0, swappedYZ($0)] }
    }

    static func swappedYZ(_ text: String) -> String {
        String(
            text.map { character -> Character in
                switch character {
                case "y": "z"
                case "z": "y"
                case "Y": "Z"
                case "Z": "Y"
                default: character
                }
            })
    }
}
