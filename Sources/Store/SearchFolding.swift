import Foundation

/// The one text form that both the attendee search index and the queries are reduced to, so a
/// kiosk user finds "Zoë Ångström-Müller" by typing "zoe angstrom muller" on any keyboard.
///
/// SQLite 3.40's trigram tokenizer folds only case, and only some of it, so the folding is done
/// here: lower-case, compatibility decomposition (NFKD: full-width letters and ligatures become
/// plain ones), every non-spacing mark dropped (Latin accents, Arabic harakat, Hebrew niqqud,
/// kana voicing marks), letters that carry their stroke in the base character mapped by hand
/// (ø, ł, đ, ß...), apostrophes dropped and dashes made spaces ("O’Brien" = "obrien",
/// "Jean-Luc" = "jean luc"), whitespace collapsed, then NFC so Hangul and Indic vowel signs
/// recompose. Spacing marks (most Indic vowel signs) are kept: they are letters to the reader.
enum SearchFolding {
    static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return foldASCII(text) }
        var cleaned = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars where !apostrophes.contains(scalar) {
            cleaned.append(scalar)
        }
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        var needsComposition = false
        for scalar in String(cleaned).decomposedStringWithCompatibilityMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.isWhitespace || properties.generalCategory == .dashPunctuation {
                pendingSpace = !output.isEmpty
                continue
            }
            switch properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format, .control, .surrogate, .unassigned, .privateUse:
                continue
            case .spacingMark:
                needsComposition = true
            default:
                // Hangul syllables came apart into jamo and must be put back together.
                if (0x1100...0x11FF).contains(scalar.value) { needsComposition = true }
            }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            if let replacement = substitutions[scalar] {
                output.append(contentsOf: replacement.unicodeScalars)
            } else if properties.changesWhenLowercased {
                // Compatibility forms can decompose to capitals (U+2160 ROMAN NUMERAL ONE is "I").
                output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        let folded = String(output)
        return needsComposition ? folded.precomposedStringWithCanonicalMapping : folded
    }

    /// The common case (most names and every email) without Foundation's Unicode machinery.
    private static func foldASCII(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                continue
            case UInt8(ascii: " "), UInt8(ascii: "-"), 0x09...0x0D:
                pendingSpace = !output.isEmpty
            case 0x00...0x1F, 0x7F:
                continue
            default:
                if pendingSpace {
                    output.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                output.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Dropped before decomposition, which would turn some of them (´) into a space and a mark.
    private static let apostrophes: Set<Unicode.Scalar> = [
        "'", "`", "\u{00B4}", "\u{2018}", "\u{2019}", "\u{02BC}", "\u{02BB}", "\u{02B9}",
    ]

    /// Letters whose mark is part of the base character, so decomposition leaves them alone.
    private static let substitutions: [Unicode.Scalar: String] = [
        "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "ŀ": "l", "æ": "ae", "œ": "oe",
        "þ": "th", "ŧ": "t", "ƒ": "f", "ς": "σ",
    ]

    /// Scripts written without spaces between family and given name ("欧阳娜娜", "김서연"): for
    /// these the search text also holds the two parts joined, so the name typed as one word matches.
    static func writtenWithoutSpaces(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            // Below Thai nothing qualifies (the first ideograph is U+3006): no property lookup.
            guard scalar.value >= 0x0E00 else { return false }
            switch scalar.value {
            case 0x3040...0x30FF, 0x31F0...0x31FF, 0xAC00...0xD7AF, 0x1100...0x11FF, 0x0E00...0x0E7F: return true
            default: return scalar.properties.isIdeographic
            }
        }
    }

    /// The name document the search indexes for an attendee (folded parts in, see
    /// `attendee_name_search` in `Schema`): one line per way of writing the name — given and
    /// family name in both orders, each alone, the preferred name alone and with the family
    /// name, and for scripts without spaces the parts joined. Every line is preceded by two line
    /// breaks, the last one is followed by one, and the spaces inside a line are doubled
    /// (`documentForm`). Those marks are what lets the trigram index answer the ranking itself:
    /// "\n" + q + "\n" is a whole name, "\n\n" + q starts one, "  " + q starts a word of
    /// one, and every such pattern is at least three characters long even for a one-character
    /// query, so the index can look it up.
    ///
    /// It is computed for every attendee of a snapshot, so it avoids Unicode work it can: lines
    /// are compared byte for byte (folded text has one normal form, so that is the same as
    /// comparing strings), and a line of two parts takes the parts' document forms joined by a
    /// doubled space, which is what `documentForm` of the joined line gives whenever the
    /// joining space is a character of its own (`spaceStandsAlone`), and is computed that way
    /// otherwise.
    static func nameDocument(first: String, last: String, preferred: String) -> String {
        var lines: [String] = []
        var forms: [String] = []
        func add(_ line: String, _ form: @autoclosure () -> String) {
            guard !line.isEmpty,
                !lines.contains(where: { $0.utf8.count == line.utf8.count && $0.utf8.elementsEqual(line.utf8) })
            else { return }
            lines.append(line)
            forms.append(form())
        }
        let firstForm = documentForm(first), lastForm = documentForm(last), preferredForm = documentForm(preferred)
        // Folded text never starts or ends with a space, so only an empty part needs care.
        func add(words head: String, _ headForm: String, _ tail: String, _ tailForm: String) {
            if head.isEmpty { return add(tail, tailForm) }
            if tail.isEmpty { return add(head, headForm) }
            let line = head + " " + tail
            add(line, spaceStandsAlone(between: head, and: tail) ? headForm + "  " + tailForm : documentForm(line))
        }
        add(words: first, firstForm, last, lastForm)
        add(words: last, lastForm, first, firstForm)
        add(first, firstForm)
        add(last, lastForm)
        add(preferred, preferredForm)
        if !preferred.isEmpty { add(words: preferred, preferredForm, last, lastForm) }
        if writtenWithoutSpaces(first) || writtenWithoutSpaces(last) || writtenWithoutSpaces(preferred) {
            add(last + first, documentForm(last + first))
            add(first + last, documentForm(first + last))
            if !preferred.isEmpty { add(last + preferred, documentForm(last + preferred)) }
        }
        guard !forms.isEmpty else { return "" }
        var document = ""
        document.reserveCapacity(forms.reduce(1) { $0 + $1.utf8.count + 2 })
        for form in forms {
            document += "\n\n"
            document += form
        }
        document += "\n"
        return document
    }

    /// Whether a space put between `head` and `tail` is a character of its own, so that
    /// `documentForm` cuts the joined text there. It is unless the scalar before it is a
    /// prepended mark or the one after it extends a character (a combining or spacing mark, a
    /// joiner); only those two scalars decide it.
    private static func spaceStandsAlone(between head: String, and tail: String) -> Bool {
        guard let before = head.unicodeScalars.last, let after = tail.unicodeScalars.first else { return true }
        if before.isASCII && after.isASCII { return true }
        var probe = String.UnicodeScalarView()
        probe.append(before)
        probe.append(" ")
        probe.append(after)
        return String(probe).count == 3
    }

    /// Folded text as it is written inside a name document: single spaces doubled. Text is cut
    /// at spaces that are characters of their own (a space followed by a combining mark is not);
    /// in ASCII every space is one, so it is doubled byte by byte.
    static func documentForm(_ folded: String) -> String {
        guard folded.utf8.contains(UInt8(ascii: " ")) else { return folded }
        if folded.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(folded.utf8.count + 4)
            for byte in folded.utf8 {
                bytes.append(byte)
                if byte == UInt8(ascii: " ") { bytes.append(byte) }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return folded.split(separator: " ", omittingEmptySubsequences: false).joined(separator: "  ")
    }

    /// The number of characters the trigram tokenizer counts (code points).
    static func length(_ folded: String) -> Int { folded.unicodeScalars.count }
}
