internal import CCairo
import Foundation
import Raster

/// Turns a PNG asset into a 1-bit bitmap at printer resolution: scaled once with cairo's good
/// filter onto white paper, then thresholded or dithered. Logos are the same on every badge, so
/// results are cached per size.
final class ImageAssets {
    private struct Key: Hashable {
        let file: String
        let width: Int
        let height: Int
        let fit: ImageFit
        let dither: Dithering
        let threshold: Int
    }

    private var cache: [Key: Bitmap] = [:]
    private let bundle: TemplateBundle

    init(bundle: TemplateBundle) { self.bundle = bundle }

    /// The image fitted into `width` x `height` dots; with `contain` the result may be smaller in
    /// one direction and the caller centres it.
    func bitmap(for element: ImageElement, width: Int, height: Int) throws(BadgeError) -> Bitmap {
        let key = Key(
            file: element.file, width: width, height: height, fit: element.fit,
            dither: element.dither, threshold: element.threshold)
        if let cached = cache[key] { return cached }
        let made = try load(element, width: width, height: height)
        cache[key] = made
        return made
    }

    private func load(_ element: ImageElement, width: Int, height: Int) throws(BadgeError) -> Bitmap {
        let url = bundle.url(of: element.file)
        let source = cairo_image_surface_create_from_png(url.path)
        defer { cairo_surface_destroy(source) }
        let status = cairo_surface_status(source)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw BadgeError(.assetInvalid, "cannot read PNG: \(String(cString: cairo_status_to_string(status)))", location: url.path)
        }
        let sourceWidth = Double(cairo_image_surface_get_width(source))
        let sourceHeight = Double(cairo_image_surface_get_height(source))
        guard sourceWidth > 0, sourceHeight > 0, width > 0, height > 0 else {
            throw BadgeError(.assetInvalid, "image or its box is empty", location: url.path)
        }
        var scaleX = Double(width) / sourceWidth, scaleY = Double(height) / sourceHeight
        if element.fit == .contain {
            scaleX = min(scaleX, scaleY)
            scaleY = scaleX
        }
        let outWidth = max(1, Int((sourceWidth * scaleX).rounded()))
        let outHeight = max(1, Int((sourceHeight * scaleY).rounded()))

        let target = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(outWidth), Int32(outHeight))
        defer { cairo_surface_destroy(target) }
        let cr = cairo_create(target)
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scaleX, scaleY)
        cairo_set_source_surface(cr, source, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
        cairo_paint(cr)
        cairo_surface_flush(target)
        guard cairo_status(cr) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(target) else {
            throw BadgeError(.assetInvalid, "cairo could not scale the image", location: url.path)
        }
        let stride = Int(cairo_image_surface_get_stride(target))
        var coverage = GrayImage(width: outWidth, height: outHeight)
        data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * outHeight) { pixels in
            for y in 0..<outHeight {
                for x in 0..<outWidth {
                    let pixel = pixels[y * stride / 4 + x]
                    let r = (pixel >> 16) & 0xFF, g = (pixel >> 8) & 0xFF, b = pixel & 0xFF
                    let luminance = (r * 299 + g * 587 + b * 114) / 1000
                    coverage.pixels[y * outWidth + x] = UInt8(255 - luminance)
                }
            }
        }
        switch element.dither {
        case .threshold: return coverage.binarized(.threshold(level: UInt8(element.threshold)))
        case .floydSteinberg: return coverage.binarized(.floydSteinberg)
        }
    }
}
