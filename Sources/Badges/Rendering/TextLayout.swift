internal import CCairo
internal import CPango

/// What the overflow policy had to do to fit a text into its box.
public enum TextFitOutcome: String, Sendable, Codable, Equatable {
    /// Fits on one line at the largest size.
    case fits
    /// Fits on one line at a smaller size.
    case shrunk
    /// Fits on several lines (at most max_lines).
    case wrapped
    /// Cut short with an ellipsis: some of the text is not on the badge.
    case ellipsized
    /// Does not fit even after every allowed step; drawn clipped to its box.
    case overflow
}

/// How a text element was laid out.
public struct TextFit: Sendable, Equatable, Codable {
    public var outcome: TextFitOutcome
    public var sizePoints: Double
    public var lines: Int
    /// Characters no font could draw (they print as boxes).
    public var missingGlyphs: Int
}

/// Pango layout of one text element, measured in dots. Sizes are searched in half points so the
/// result is the same on every run.
final class TextLayout {
    private let layout: OpaquePointer
    private let font: FontSpec
    private let widthDots: Double
    private let heightDots: Double
    private let maxLines: Int

    init(
        context: OpaquePointer, text: String, font: FontSpec, align: HorizontalAlignment,
        widthDots: Double, heightDots: Double, maxLines: Int, language: TextLanguage = .fallback
    ) {
        layout = pango_layout_new(context)
        self.font = font
        self.widthDots = widthDots
        self.heightDots = heightDots
        self.maxLines = maxLines
        pango_layout_set_text(layout, text, -1)
        // The language chooses among a CJK font's regional glyph forms (HarfBuzz's `locl`) and
        // orders font fallback; set on the text, it never comes from the process's environment.
        let attributes = pango_attr_list_new()
        pango_attr_list_insert(attributes, pango_attr_language_new(pango_language_from_string(language.tag)))
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)
        pango_layout_set_auto_dir(layout, 1)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        let alignment: PangoAlignment =
            switch align {
            case .left: PANGO_ALIGN_LEFT
            case .center: PANGO_ALIGN_CENTER
            case .right: PANGO_ALIGN_RIGHT
            }
        pango_layout_set_alignment(layout, alignment)
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    /// Applies the overflow policy and leaves the layout configured for drawing.
    func fit(policy: [OverflowStep]) -> TextFit {
        let largest = font.size.upperBound
        let smallest = policy.contains(.shrink) ? font.size.lowerBound : largest

        if singleLineFits(at: largest) { return result(.fits, largest) }
        if policy.contains(.shrink), let size = largestSize(from: smallest, to: largest, fits: singleLineFits) {
            return result(.shrunk, size)
        }
        if policy.contains(.wrap), maxLines > 1,
            let size = largestSize(from: smallest, to: largest, fits: wrappedFits)
        {
            return result(.wrapped, size)
        }
        if policy.contains(.ellipsis) {
            configure(size: smallest, wrap: maxLines > 1, ellipsize: true)
            let (_, height) = extents()
            let outcome: TextFitOutcome = height <= heightDots + 0.5 ? .ellipsized : .overflow
            return TextFit(outcome: outcome, sizePoints: smallest, lines: lineCount, missingGlyphs: missingGlyphs)
        }
        configure(size: smallest, wrap: policy.contains(.wrap) && maxLines > 1, ellipsize: false)
        return TextFit(outcome: .overflow, sizePoints: smallest, lines: lineCount, missingGlyphs: missingGlyphs)
    }

    /// Height of the laid-out text in dots, for vertical alignment.
    var height: Double { extents().1 }

    func draw(on canvas: CairoCanvas, x: Double, y: Double) {
        cairo_move_to(canvas.cr, x, y)
        pango_cairo_update_layout(canvas.cr, layout)
        pango_cairo_show_layout(canvas.cr, layout)
    }

    private func result(_ outcome: TextFitOutcome, _ size: Double) -> TextFit {
        let wrap = outcome == .wrapped
        configure(size: size, wrap: wrap, ellipsize: false)
        return TextFit(outcome: outcome, sizePoints: size, lines: lineCount, missingGlyphs: missingGlyphs)
    }

    private func singleLineFits(at size: Double) -> Bool {
        configure(size: size, wrap: false, ellipsize: false)
        let (width, height) = extents()
        return width <= widthDots + 0.5 && height <= heightDots + 0.5
    }

    private func wrappedFits(at size: Double) -> Bool {
        configure(size: size, wrap: true, ellipsize: false)
        let (width, height) = extents()
        return lineCount <= maxLines && width <= widthDots + 0.5 && height <= heightDots + 0.5
    }

    /// The largest half-point size in the range that fits, by bisection (fit is monotonic in size
    /// up to line-break effects, which bisection tolerates: it may settle half a point low).
    /// Sizes are searched in half points: finer steps are invisible on a badge, and every
    /// distinct size is a font instance that cairo and Pango cache, so coarser steps keep a
    /// long batch's memory flat.
    static let stepsPerPoint = 2.0

    private func largestSize(from low: Double, to high: Double, fits: (Double) -> Bool) -> Double? {
        let steps = Self.stepsPerPoint
        var lo = Int((low * steps).rounded(.up)), hi = Int((high * steps).rounded(.down))
        guard lo <= hi, fits(Double(lo) / steps) else { return nil }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if fits(Double(mid) / steps) { lo = mid } else { hi = mid - 1 }
        }
        return Double(lo) / steps
    }

    private func configure(size: Double, wrap: Bool, ellipsize: Bool) {
        let description = pango_font_description_new()
        defer { pango_font_description_free(description) }
        pango_font_description_set_family(description, font.families.joined(separator: ","))
        pango_font_description_set_weight(description, font.weight.pango)
        pango_font_description_set_size(description, Int32((size * Double(PANGO_SCALE)).rounded()))
        pango_layout_set_font_description(layout, description)
        // Always lay out at the box width so alignment works; a single line must not wrap.
        pango_layout_set_width(layout, Int32((widthDots * Double(PANGO_SCALE)).rounded()))
        if wrap || ellipsize {
            // A negative height is a line count: ellipsize after `maxLines` lines.
            pango_layout_set_height(layout, ellipsize ? Int32(-maxLines) : -1)
            pango_layout_set_ellipsize(layout, ellipsize ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE)
        } else {
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE)
            pango_layout_set_height(layout, -1)
            pango_layout_set_width(layout, -1)
        }
        pango_layout_set_single_paragraph_mode(layout, !wrap && !ellipsize ? 1 : 0)
    }

    private func extents() -> (Double, Double) {
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return (Double(logical.width) / Double(PANGO_SCALE), Double(logical.height) / Double(PANGO_SCALE))
    }

    private var lineCount: Int { Int(pango_layout_get_line_count(layout)) }
    private var missingGlyphs: Int { Int(pango_layout_get_unknown_glyphs_count(layout)) }

    /// For drawing single-line fits aligned in the box, the width must be the box's again.
    func prepareForDrawing(_ fit: TextFit) {
        if fit.outcome == .fits || fit.outcome == .shrunk {
            pango_layout_set_width(layout, Int32((widthDots * Double(PANGO_SCALE)).rounded()))
        }
    }
}

extension FontSpec.Weight {
    var pango: PangoWeight {
        switch self {
        case .regular: PANGO_WEIGHT_NORMAL
        case .medium: PANGO_WEIGHT_MEDIUM
        case .semibold: PANGO_WEIGHT_SEMIBOLD
        case .bold: PANGO_WEIGHT_BOLD
        }
    }
}
