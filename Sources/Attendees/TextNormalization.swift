import Foundation

/// A string after `TextNormalization.normalize`, with what had to change so intake can warn.
public struct NormalizedText: Sendable, Equatable {
    public var value: String
    /// Control, zero-width and bidi formatting characters that were dropped.
    public var removedCharacterCount: Int
    /// True when padding was trimmed or internal whitespace collapsed or replaced.
    public var whitespaceAdjusted: Bool

    public init(value: String, removedCharacterCount: Int, whitespaceAdjusted: Bool) {
        self.value = value
        self.removedCharacterCount = removedCharacterCount
        self.whitespaceAdjusted = whitespaceAdjusted
    }

    public var changed: Bool { removedCharacterCount > 0 || whitespaceAdjusted }
}

/// Text clean-up applied to every string field at intake.
///
/// Registration exports carry invisible debris: copy-pasted bidi overrides that reverse a badge
/// line, zero-width spaces that break search, control bytes that printers interpret, tabs and
/// non-breaking spaces. Each step here is a pure function so it can be tested on its own.
public enum TextNormalization {
    /// Full pipeline: drop control/invisible characters, NFC, then trim and collapse whitespace.
    public static func normalize(_ text: String) -> NormalizedText {
        if isCleanASCII(text) {
            return NormalizedText(value: text, removedCharacterCount: 0, whitespaceAdjusted: false)
        }
        let stripped = strippingInvisibles(text)
        let composed = canonicalComposition(stripped.value)
        let collapsed = collapsingWhitespace(composed)
        return NormalizedText(
            value: collapsed,
            removedCharacterCount: stripped.removedCount,
            whitespaceAdjusted: stripped.convertedControlWhitespace || collapsed != composed
        )
    }

    /// Printable ASCII with single inner spaces is already normalised (ASCII is NFC); checking
    /// that first skips the Unicode work for most fields.
    static func isCleanASCII(_ text: String) -> Bool {
        var previousWasSpace = true
        for byte in text.utf8 {
            switch byte {
            case 0x21...0x7E: previousWasSpace = false
            case 0x20:
                if previousWasSpace { return false }
                previousWasSpace = true
            default: return false
            }
        }
        return !previousWasSpace || text.isEmpty
    }

    /// Unicode NFC, so that "é" typed as e + U+0301 and as U+00E9 compare and render alike.
    public static func canonicalComposition(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// Trims leading/trailing whitespace and replaces every internal run of Unicode whitespace
    /// (tabs, NBSP, ideographic space, line breaks...) with one U+0020.
    public static func collapsingWhitespace(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace {
                    result.append(" ")
                    pendingSpace = false
                }
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// Drops C0/C1 controls (whitespace controls such as TAB/LF/CR/NEL become a space), bidi
    /// embeddings/overrides/isolates/marks, and zero-width characters.
    ///
    /// ZWNJ (U+200C) and ZWJ (U+200D) are the one refinement: they are kept when they sit between
    /// two letters or marks (ZWJ also between emoji), because there they carry meaning — Persian
    /// "ماهی‌گیر" needs its ZWNJ to shape correctly, Indic half-forms and emoji sequences need ZWJ.
    /// Anywhere else (edges, next to spaces or punctuation) they are debris and are dropped.
    public static func strippingInvisibles(
        _ text: String
    ) -> (value: String, removedCount: Int, convertedControlWhitespace: Bool) {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var removed = 0
        var convertedWhitespace = false
        for (index, scalar) in scalars.enumerated() {
            if isControl(scalar) {
                if isWhitespaceControl(scalar) {
                    result.append(" ")
                    convertedWhitespace = true
                } else {
                    removed += 1
                }
                continue
            }
            if isBidiControl(scalar) || isAlwaysStrippedZeroWidth(scalar) {
                removed += 1
                continue
            }
            if scalar.value == 0x200C || scalar.value == 0x200D {
                let allowsEmoji = scalar.value == 0x200D
                let previous = result.last
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                if let previous, let next,
                    joinsAcross(previous, allowsEmoji: allowsEmoji),
                    joinsAcross(next, allowsEmoji: allowsEmoji)
                {
                    result.append(scalar)
                } else {
                    removed += 1
                }
                continue
            }
            result.append(scalar)
        }
        return (String(result), removed, convertedWhitespace)
    }

    /// C0 (U+0000–U+001F), DEL, and C1 (U+0080–U+009F).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Bidi embeddings/overrides (U+202A–U+202E), isolates (U+2066–U+2069), LRM/RLM
    /// (U+200E/U+200F) and the Arabic letter mark (U+061C): invisible, and able to reorder what
    /// a badge shows.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// ZWSP (U+200B), word joiner (U+2060) and BOM/ZWNBSP (U+FEFF) never carry meaning in a name.
    static func isAlwaysStrippedZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200B || scalar.value == 0x2060 || scalar.value == 0xFEFF
    }

    static func isWhitespaceControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x85: true
        default: false
        }
    }

    private static func joinsAcross(_ scalar: Unicode.Scalar, allowsEmoji: Bool) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: break
        }
        return allowsEmoji && scalar.value > 0x7F && properties.isEmoji
    }
}
