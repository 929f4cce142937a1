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
    private static let apostrophes: Set<Unicode.Scalar> = ["'", "`", "\u{00B4}", "\u{2018}", "\u{2019}", "\u{02BC}", "\u{02BB}", "\u{02B9}"]

    /// Letters whose mark is part of the base character, so decomposition leaves them alone.
    private static let substitutions: [Unicode.Scalar: String] = [
        "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "ŀ": "l", "æ": "ae", "œ": "oe",
        "þ": "th", "ŧ": "t", "ƒ": "f", "ς": "σ",
    ]

    /// Scripts written without spaces between family and given name ("欧阳娜娜", "김서연"): for
    /// these the search text also holds the two parts joined, so the name typed as one word matches.
    static func writtenWithoutSpaces(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x3040...0x30FF, 0x31F0...0x31FF, 0xAC00...0xD7AF, 0x1100...0x11FF, 0x0E00...0x0E7F: true
            default: scalar.properties.isIdeographic
            }
        }
    }

    /// The searchable name lines of an attendee, already folded: given and family name in both
    /// orders, the preferred name alone and with the family name, and for scripts without spaces
    /// the parts joined. One line each, so the ranking can tell a whole-line (exact) match.
    static func nameText(first: String, last: String, preferred: String) -> String {
        var lines: [String] = []
        func add(_ line: String) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !lines.contains(trimmed) { lines.append(trimmed) }
        }
        add("\(first) \(last)")
        add("\(last) \(first)")
        add(preferred)
        if !preferred.isEmpty { add("\(preferred) \(last)") }
        if writtenWithoutSpaces(first + last + preferred) {
            add(last + first)
            add(first + last)
            if !preferred.isEmpty { add(last + preferred) }
        }
        return lines.joined(separator: "\n")
    }

    /// The number of characters the trigram tokenizer counts (code points).
    static func length(_ folded: String) -> Int { folded.unicodeScalars.count }
}
