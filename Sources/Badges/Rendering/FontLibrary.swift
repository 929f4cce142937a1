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
    }

    deinit {
        let context = UnsafeMutableRawPointer(context), fontMap = UnsafeMutableRawPointer(fontMap), config = config
        RenderLock.run {
            g_object_unref(context)
            g_object_unref(fontMap)
            FcConfigDestroy(config)
        }
    }

    func hasFamily(_ name: String) -> Bool { families.contains(name.lowercased()) }
}
