/// An estimate of the glyph images cairo and pixman keep for the text drawn since the last
/// `FontLibrary.shedGlyphCaches()`, so a long batch or a kiosk open all day keeps its memory
/// bounded however many names and scripts go through it.
///
/// Cairo caches every glyph it has drawn as an 8-bit mask per font instance, and pixman keeps a
/// copy of each; neither cache exposes its size. Both grow with the number of distinct
/// (font, size, character) combinations drawn, which this type counts, weighting each by the
/// area of its em square in dots.
struct GlyphCacheBudget {
    /// Estimated bytes after which the caches are dropped.
    let limitBytes: Int
    private(set) var estimatedBytes = 0
    private var seen = Set<Key>()

    private struct Key: Hashable {
        var font: FontSpec
        var halfPoints: Int
        var scalar: UInt32
    }

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    var isExceeded: Bool { estimatedBytes > limitBytes }

    /// Counts the characters of `text` drawn in `font` at `sizePoints` on a `dpi` raster.
    mutating func noteDrawn(_ text: String, font: FontSpec, sizePoints: Double, dpi: Int) {
        let halfPoints = Int((sizePoints * 2).rounded())
        let emDots = sizePoints / 72 * Double(dpi)
        // A glyph's ink box is about half its em square, one byte per dot; two copies
        // (cairo's and pixman's).
        let bytesPerGlyph = Int(emDots * emDots * 0.5) * 2 + Self.overheadPerGlyph
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            if seen.insert(Key(font: font, halfPoints: halfPoints, scalar: scalar.value)).inserted {
                estimatedBytes += bytesPerGlyph
            }
        }
    }

    /// Bookkeeping per cached glyph (cairo's scaled glyph, pixman's entry, hash slots).
    static let overheadPerGlyph = 400

    mutating func reset() {
        seen.removeAll(keepingCapacity: true)
        estimatedBytes = 0
    }
}
