import Foundation

/// Which of an attendee's names comes first when both are written out: family name first in
/// Japanese, Chinese, Korean, Hungarian and Vietnamese (by the record's locale), given name first
/// elsewhere. Templates read the result as fields (`full_name`, `name_order`) and choose how to
/// show it; nothing here reorders a name the attendee gave in one field.
public enum NameOrder: String, Sendable, Codable, Equatable {
    case givenFirst = "given_first"
    case familyFirst = "family_first"

    /// Languages (ISO 639 codes of a locale's first subtag) whose custom puts the family name first.
    public static let familyFirstLanguages: Set<String> = ["ja", "zh", "ko", "hu", "vi"]

    /// The order for a BCP 47 or POSIX locale (`ja-JP`, `hu_HU`, `zh-Hant-TW`); given name first
    /// when the locale is absent or names another language.
    public init(locale: String?) {
        let language = locale.flatMap { text in
            text.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).first.map { $0.lowercased() }
        }
        self = language.map(Self.familyFirstLanguages.contains) == true ? .familyFirst : .givenFirst
    }

    /// `given` and `family` joined in this order. Names written entirely in Han, kana or Hangul
    /// are joined without a space (山田太郎, 김민준), as they are written; any other pair takes one
    /// space (Nagy Péter, Nguyễn An). Either part may be absent.
    public func join(given: String?, family: String?) -> String {
        let parts = (self == .familyFirst ? [family, given] : [given, family])
            .compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard parts.count == 2 else { return parts.first ?? "" }
        let separator = parts.allSatisfy(Self.isWrittenWithoutSpaces) ? "" : " "
        return parts.joined(separator: separator)
    }

    /// Han ideographs, Hiragana, Katakana and Hangul: scripts whose names take no space between
    /// family and given name.
    static func isWrittenWithoutSpaces(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x3040...0x30FF,  // Hiragana, Katakana
                0x31F0...0x31FF,  // Katakana phonetic extensions
                0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F,  // Han
                0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
                0x3005, 0x30FC:  // 々 and ー
                true
            default: false
            }
        }
    }
}
