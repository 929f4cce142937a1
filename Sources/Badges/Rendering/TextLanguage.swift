/// The language Pango shapes a badge's text in: the attendee's locale as a BCP 47 tag. It decides
/// which regional forms a pan-CJK font draws (直 and 骨 differ between Simplified Chinese,
/// Traditional Chinese, Japanese and Korean) and which font fallback prefers, so a Chinese name
/// never comes out in Japanese glyph forms, nor the reverse.
struct TextLanguage: Equatable, Sendable {
    /// A lower-case BCP 47 tag with hyphens, as Pango canonicalises it (`zh-cn`, `ja-jp`).
    let tag: String

    /// Text of an attendee with no usable locale: a fixed language, so the result is the same
    /// on every machine whatever its `LANG`. English names no CJK region, so Han text takes the
    /// forms of the first font that has it.
    static let fallback = TextLanguage(validTag: "en")

    private init(validTag: String) { tag = validTag }

    /// The attendee's locale (`zh-CN`, `ja_JP`, `sr-Latn-RS`, `pt_BR.UTF-8`), or the fallback when
    /// it is absent or not shaped like a language tag.
    init(locale: String?) {
        guard let locale else {
            self = .fallback
            return
        }
        let withoutEncoding = locale.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        let subtags = withoutEncoding.split(separator: "_").joined(separator: "-").split(separator: "-", omittingEmptySubsequences: false)
        guard let language = subtags.first, (2...3).contains(language.count),
            subtags.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }),
            language.allSatisfy(\.isLetter)
        else {
            self = .fallback
            return
        }
        tag = subtags.joined(separator: "-").lowercased()
    }
}
