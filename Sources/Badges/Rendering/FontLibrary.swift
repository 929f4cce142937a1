internal import CCairo
internal import CPango
import Foundation

/// The fonts one template renders with: the bundle's own font files first, then the system's
/// fontconfig set for scripts the bundle does not cover. Built once per template (loading fonts is
/// the slow part of text rendering) and reused for every badge. Not thread-safe: one renderer,
/// one thread at a time.
final class FontLibrary {
    let fontMap: UnsafeMutablePointer<PangoFontMap>
    let context: OpaquePointer
    private let config: OpaquePointer
    /// Lower-cased family names the font map can offer, for missing-font warnings.
    let families: Set<String>
    /// A face used only to push released fonts out of cairo's hold-over list (`shedGlyphCaches`).
    private let evictionFace: OpaquePointer?

    init(fontFiles: [URL], dpi: Int) throws(BadgeError) {
        guard let config = FcInitLoadConfigAndFonts() else {
            throw BadgeError(.renderFailed, "fontconfig could not load its configuration")
        }
        self.config = config
        for file in fontFiles {
            let added = file.path.withCString { path in
                path.withMemoryRebound(to: UInt8.self, capacity: strlen(path) + 1) { FcConfigAppFontAddFile(config, $0) }
            }
            guard added != 0 else {
                FcConfigDestroy(config)
                throw BadgeError(.fontMissing, "fontconfig cannot read this font file", location: file.path)
            }
        }
        guard let map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT) else {
            FcConfigDestroy(config)
            throw BadgeError(.renderFailed, "Pango could not create a FreeType font map")
        }
        fontMap = map
        pango_fc_font_map_set_config(OpaquePointer(map), config)
        pango_cairo_font_map_set_resolution(OpaquePointer(map), Double(dpi))
        context = pango_font_map_create_context(map)
        // Pango takes the context's language from the environment (LANG); a badge must not change
        // with the shell it was rendered from. Each text sets its own language on top of this.
        pango_context_set_language(context, pango_language_from_string(TextLanguage.fallback.tag))

        // No hinting and unrounded positions: glyph shapes and advances then depend only on the
        // font and the size, which keeps rasters identical from run to run.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        pango_cairo_context_set_resolution(context, Double(dpi))
        pango_context_set_round_glyph_positions(context, 0)

        var list: UnsafeMutablePointer<UnsafeMutablePointer<PangoFontFamily>?>?
        var count: Int32 = 0
        pango_font_map_list_families(map, &list, &count)
        var names = Set<String>()
        if let list {
            for i in 0..<Int(count) {
                if let family = list[i], let name = pango_font_family_get_name(family) {
                    names.insert(String(cString: name).lowercased())
                }
            }
            g_free(list)
        }
        families = names

        let description = pango_font_description_from_string("Sans 10")
        defer { pango_font_description_free(description) }
        if let font = pango_font_map_load_font(map, context, description) {
            let scaled = pango_cairo_font_get_scaled_font(OpaquePointer(font))
            evictionFace = scaled.map { cairo_font_face_reference(cairo_scaled_font_get_font_face($0)) }
            g_object_unref(UnsafeMutableRawPointer(font))
        } else {
            evictionFace = nil
        }
    }

    /// Drops every font instance and glyph image cached so far. Pango keeps the fonts of recent
    /// font sets alive, and cairo keeps each font's glyph images (several kilobytes each at
    /// 300 dpi) until the font is destroyed; a released font lingers in cairo's list of 256
    /// hold-overs. With names in many scripts, sizes and weights that cache grows with every
    /// badge. Clearing Pango's cache releases the fonts, and creating 256 throw-away font
    /// instances pushes them out of the hold-over list, which frees their glyphs.
    /// Call under `RenderLock`.
    func shedGlyphCaches() {
        pango_fc_font_map_cache_clear(OpaquePointer(fontMap))
        guard let face = evictionFace else { return }
        var matrix = cairo_matrix_t(), identity = cairo_matrix_t()
        cairo_matrix_init_identity(&identity)
        let options = cairo_font_options_create()
        defer { cairo_font_options_destroy(options) }
        for step in 0..<256 {
            // Sizes no badge uses, so each instance is new and carries no glyphs.
            let size = 1001 + Double(step) / 64
            cairo_matrix_init_scale(&matrix, size, size)
            cairo_scaled_font_destroy(cairo_scaled_font_create(face, &matrix, &identity, options))
        }
    }

    deinit {
        let evictionFace = evictionFace, context = UnsafeMutableRawPointer(context), fontMap = UnsafeMutableRawPointer(fontMap),
            config = config
        RenderLock.run {
            if let evictionFace { cairo_font_face_destroy(evictionFace) }
            g_object_unref(context)
            g_object_unref(fontMap)
            FcConfigDestroy(config)
        }
    }

    func hasFamily(_ name: String) -> Bool { families.contains(name.lowercased()) }
}
