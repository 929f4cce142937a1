public import Foundation

/// How an attendee wants their name shown on the badge, as a correction beside the registration
/// (which stays as it came): the first name the badge prints (it replaces a preferred name) and
/// the last name.
///
/// At a public kiosk anyone can find anyone by search, so a correction made there may only
/// change how the registered name is written: letter case, accents, spaces, hyphens,
/// apostrophes and full stops ("Jose Garcia-lopez" -> "José García López"). Staff may write
/// any name (a preferred first name, a new family name), with a reason.
public struct NameCorrection: Sendable, Equatable, Codable {
    public var attendeeID: String
    public var firstName: String
    public var lastName: String
    /// Who corrected it: `kiosk` for the attendee at the kiosk, else the member of staff.
    public var actor: String
    public var reason: String?
    public var recordedAt: Date

    public init(attendeeID: String, firstName: String, lastName: String, actor: String, reason: String?, recordedAt: Date) {
        self.attendeeID = attendeeID
        self.firstName = firstName
        self.lastName = lastName
        self.actor = actor
        self.reason = reason
        self.recordedAt = recordedAt
    }

    /// The longest name part a badge takes.
    public static let maximumLength = 64

    /// Why a proposed name cannot be used, or nil: one to 64 characters of letters (any
    /// script), combining marks, spaces, hyphens, apostrophes and full stops.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "must not be empty" }
        guard name.count <= maximumLength else { return "must be at most \(maximumLength) characters" }
        guard name.unicodeScalars.allSatisfy(isNameScalar) else {
            return "may hold letters, spaces, hyphens, apostrophes and full stops only"
        }
        guard name.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) else { return "must hold a letter" }
        return nil
    }

    /// Whether `proposed` writes the same name as `registered`, differing only in letter case,
    /// accents and the punctuation between its parts.
    public static func writesSameName(_ proposed: String, as registered: String) -> Bool {
        let folded = skeleton(proposed)
        return !folded.isEmpty && folded == skeleton(registered)
    }

    /// The name with whitespace collapsed and trimmed, in canonical composition.
    public static func tidy(_ name: String) -> String {
        TextNormalization.canonicalComposition(TextNormalization.collapsingWhitespace(name))
    }

    /// The attendee as the badge shows them with this correction applied.
    public func applied(to attendee: Attendee) -> Attendee {
        var shown = attendee
        shown.preferredName = firstName
        shown.lastName = lastName
        return shown
    }

    private static let separators: Set<Unicode.Scalar> = [" ", "-", "'", "\u{2019}", ".", "\u{2010}", "\u{2011}"]

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        CharacterSet.letters.contains(scalar) || CharacterSet.nonBaseCharacters.contains(scalar) || separators.contains(scalar)
    }

    private static func skeleton(_ name: String) -> String {
        let letters = name.unicodeScalars.filter { !separators.contains($0) }
        return String(String.UnicodeScalarView(letters))
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    }
}
