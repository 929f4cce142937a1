/// Re-casing of names typed in ALL CAPS or all lower case.
///
/// The rule is deliberately narrow, because a wrongly "fixed" name on a badge is worse than a
/// shouting one:
/// - Mixed-case input is the person's own spelling and is never touched ("McDonald",
///   "van der Berg", "DeShawn", "da Rocha").
/// - Only Latin-script names are re-cased. Other cased scripts (Cyrillic, Greek, Armenian) have
///   conventions this code does not know, so "ГРЕМИСЛАВ" stays as given; uncased scripts
///   (Arabic, Han, Devanagari...) have nothing to re-case.
/// - Each word is title-cased, and so is each part after a hyphen, an apostrophe or a full stop:
///   "JEAN-LUC" -> "Jean-Luc", "O'BRIEN" -> "O'Brien", "D'ANGELO" -> "D'Angelo", "J.R." -> "J.R.".
/// - "Mc" is followed by a capital ("MCDONALD" -> "McDonald"). "Mac" is not, because Mack, Macy,
///   Machado and Macias are as common as MacLeod ("MACDONALD" -> "Macdonald").
/// - The generational suffixes II, III and IV stay upper case after the first word.
/// - `particles` are written in lower case when they are not the first word of the person's name
///   and some later word in the same field is not a particle: "ludwig van beethoven" ->
///   "Ludwig van Beethoven". A last-name field that follows a given name is not the start of the
///   name, so last name "DE LA CRUZ" becomes "de la Cruz", matching how these registration
///   sources store mixed-case surnames ("da Rocha"); a last name that is the whole name
///   (mononym) starts it, so it becomes "De la Cruz".
/// - Turkish and Azerbaijani (by the record's locale) use the dotted/dotless i pairs.
public enum NameCasing {
    /// Where the field stands in the full name; decides whether a leading particle is capitalised.
    public enum Position: Sendable, Equatable {
        /// First word of the person's name: first name, preferred name, or a last name with no
        /// given name beside it.
        case leading
        /// Comes after a given name: a last name.
        case following
    }

    /// Lower-case name particles (Dutch, German, French, Spanish, Portuguese, Italian, Arabic and
    /// Malay usage): van, von, der, den, de, la, le, du, da, das, dos, di, del, della, y, e, bin,
    /// ibn, al.
    public static let particles: Set<String> = [
        "van", "von", "der", "den", "de", "la", "le", "du", "da", "das", "dos", "di", "del",
        "della", "y", "e", "bin", "ibn", "al",
    ]

    static let generationalSuffixes: Set<String> = ["II", "III", "IV"]
    private static let segmentSeparators: Set<Character> = ["-", "\u{2010}", "'", "\u{2019}", "\u{02BC}", "."]

    /// Returns the re-cased name, or `name` unchanged when the rules above say to leave it.
    /// Expects whitespace-normalised input (single spaces).
    public static func normalizeCasing(
        _ name: String, position: Position, locale: String? = nil
    ) -> String {
        guard needsRecasing(name) else { return name }
        return titleCased(name, position: position, turkic: isTurkic(locale))
    }

    /// True when the name is Latin script and written entirely in upper or entirely in lower case.
    public static func needsRecasing(_ name: String) -> Bool {
        guard isLatinScript(name) else { return false }
        var hasUpper = false
        var hasLower = false
        for scalar in name.unicodeScalars {
            if scalar.properties.isUppercase { hasUpper = true }
            if scalar.properties.isLowercase { hasLower = true }
        }
        return hasUpper != hasLower
    }

    /// True when the name has letters and all of them are Latin script (combining marks,
    /// punctuation, digits and spaces are neutral).
    public static func isLatinScript(_ name: String) -> Bool {
        var sawLetter = false
        for scalar in name.unicodeScalars where scalar.properties.isAlphabetic {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            guard isLatinLetter(scalar) else { return false }
            sawLetter = true
        }
        return sawLetter
    }

    static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A: true
        case 0xD7, 0xF7: false
        case 0xC0...0x24F: true  // Latin-1 Supplement letters, Latin Extended-A and -B
        case 0x1E00...0x1EFF: true  // Latin Extended Additional (Vietnamese)
        case 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xAB30...0xAB6F: true  // Latin Extended-C, -D, -E
        case 0xFB00...0xFB06: true  // Latin ligatures
        case 0xFF21...0xFF3A, 0xFF41...0xFF5A: true  // fullwidth Latin
        default: false
        }
    }

    /// Title-cases every word under the rules in the type's documentation, without first checking
    /// whether the name should be re-cased (see `normalizeCasing`).
    public static func titleCased(_ name: String, position: Position, turkic: Bool = false) -> String {
        let words = name.split(separator: " ").map(String.init)
        let lowered = words.map { lowercase($0, turkic: turkic) }
        var result: [String] = []
        for (index, word) in words.enumerated() {
            let startsName = index == 0 && position == .leading
            let particleFollowedByName =
                particles.contains(lowered[index])
                && lowered[(index + 1)...].contains { !particles.contains($0) }
            if particleFollowedByName && !startsName {
                result.append(lowered[index])
            } else if index > 0 && generationalSuffixes.contains(word.uppercased()) {
                result.append(word.uppercased())
            } else {
                result.append(capitalizeSegments(word, turkic: turkic))
            }
        }
        return result.joined(separator: " ")
    }

    private static func capitalizeSegments(_ word: String, turkic: Bool) -> String {
        var result = ""
        var segment = ""
        func flushSegment() {
            result += applyingMcPrefix(segment, turkic: turkic)
            segment = ""
        }
        for character in word {
            if segmentSeparators.contains(character) {
                flushSegment()
                result.append(character)
            } else if character.isLetter {
                let startsSegment = !segment.contains(where: \.isLetter)
                segment += startsSegment ? uppercase(character, turkic: turkic) : lowercase(String(character), turkic: turkic)
            } else {
                segment.append(character)
            }
        }
        flushSegment()
        return result
    }

    /// "Mcdonald" -> "McDonald"; the segment has already been title-cased.
    private static func applyingMcPrefix(_ segment: String, turkic: Bool) -> String {
        guard segment.hasPrefix("Mc"), segment.count > 2 else { return segment }
        let thirdIndex = segment.index(segment.startIndex, offsetBy: 2)
        let third = segment[thirdIndex]
        guard third.isLetter else { return segment }
        return "Mc" + uppercase(third, turkic: turkic) + segment[segment.index(after: thirdIndex)...]
    }

    /// True for a BCP 47 / POSIX locale whose language is Turkish or Azerbaijani.
    static func isTurkic(_ locale: String?) -> Bool {
        guard let code = locale?.lowercased() else { return false }
        let language = code.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? code
        return language == "tr" || language == "az"
    }

    private static func uppercase(_ character: Character, turkic: Bool) -> String {
        if turkic && character == "i" { return "\u{130}" }
        return character.uppercased()
    }

    /// Plain lower-casing, except that dotted capital I never becomes "i" + combining dot, and in
    /// Turkic languages "I" becomes dotless "ı".
    private static func lowercase(_ text: String, turkic: Bool) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\u{130}": result += "i"
            case "I" where turkic: result += "\u{131}"
            default: result += character.lowercased()
            }
        }
        return result
    }
}
