internal import CCairo
internal import CPango
import Raster

/// A cairo drawing surface whose user unit is one printer dot, for the 1-bit raster (an A8 image
/// surface where alpha is ink coverage) or for the vector PDF (scaled so dots map to points).
/// Owns its surface and context; not shared between threads.
final class CairoCanvas {
    enum Kind { case raster, pdf }

    let kind: Kind
    let widthDots: Int
    let heightDots: Int
    let surface: OpaquePointer
    let cr: OpaquePointer
    /// Where cairo writes the PDF; it outlives the surface, which may still write while destroyed.
    private let pdfOutput: PDFOutput?

    /// The cairo library the process runs with, for a PDF's producer.
    static var cairoVersion: String { String(cString: cairo_version_string()) }

    /// A white raster canvas.
    init(rasterWidth width: Int, height: Int) throws(BadgeError) {
        kind = .raster
        widthDots = width
        heightDots = height
        pdfOutput = nil
        surface = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(width), Int32(height))
        cr = cairo_create(surface)
        try checkStatus("creating a \(width)x\(height) raster surface")
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY)
    }

    /// A PDF canvas of one page, `dpi` dots to the inch, whose file `finishPDF` returns. cairo is
    /// held to PDF 1.4, which it writes as plain objects and one cross-reference table: what `PDFA`
    /// reads (from 1.5 on, newer cairo packs objects into compressed streams).
    init(pdfWidthDots width: Int, heightDots height: Int, dpi: Int) throws(BadgeError) {
        kind = .pdf
        widthDots = width
        heightDots = height
        let output = PDFOutput()
        pdfOutput = output
        let scale = 72.0 / Double(dpi)
        surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<PDFOutput>.fromOpaque(closure).takeUnretainedValue().bytes
                    .append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(output).toOpaque(), Double(width) * scale, Double(height) * scale)
        cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_4)
        cr = cairo_create(surface)
        try checkStatus("creating a PDF surface")
        cairo_scale(cr, scale, scale)
        // A white page, so reversed (white) ink has something to stand out from.
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    /// cairo reports failure through status codes on objects, never through NULL.
    func checkStatus(_ doing: String) throws(BadgeError) {
        let surfaceStatus = cairo_surface_status(surface)
        let contextStatus = cairo_status(cr)
        for status in [surfaceStatus, contextStatus] where status != CAIRO_STATUS_SUCCESS {
            let text = String(cString: cairo_status_to_string(status))
            throw BadgeError(.renderFailed, "cairo failed \(doing): \(text)")
        }
    }

    /// Selects ink. On the raster, black adds coverage: for opaque shapes that is the same as
    /// OVER, where anti-aliased edges overlap it darkens a little more (invisible after the
    /// threshold), and pixman composites glyph masks onto an A8 surface with ADD on a SIMD fast
    /// path where OVER takes the slow general one, which halves the cost of text. White is
    /// coverage 0 painted with SOURCE so it cuts through black beneath it. On the PDF both are
    /// plain paint.
    func setInk(_ ink: Ink) {
        switch (kind, ink) {
        case (.raster, .black):
            cairo_set_operator(cr, CAIRO_OPERATOR_ADD)
            cairo_set_source_rgba(cr, 0, 0, 0, 1)
        case (.raster, .white):
            cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE)
            cairo_set_source_rgba(cr, 0, 0, 0, 0)
        case (.pdf, .black):
            cairo_set_operator(cr, CAIRO_OPERATOR_OVER)
            cairo_set_source_rgb(cr, 0, 0, 0)
        case (.pdf, .white):
            cairo_set_operator(cr, CAIRO_OPERATOR_OVER)
            cairo_set_source_rgb(cr, 1, 1, 1)
        }
    }

    func fill(_ rect: DotRect, ink: Ink, cornerRadius: Double = 0) {
        setInk(ink)
        path(rect, cornerRadius: cornerRadius)
        cairo_fill(cr)
    }

    /// An outline of whole-dot thickness drawn inside the rectangle, so it never grows past the box.
    func stroke(_ rect: DotRect, thickness: Int, ink: Ink, cornerRadius: Double = 0) {
        guard thickness > 0 else { return }
        setInk(ink)
        let half = Double(thickness) / 2
        let inner = (
            x: Double(rect.x) + half, y: Double(rect.y) + half,
            w: Double(rect.width) - Double(thickness), h: Double(rect.height) - Double(thickness)
        )
        guard inner.w > 0, inner.h > 0 else {
            fill(rect, ink: ink)
            return
        }
        roundedPath(x: inner.x, y: inner.y, w: inner.w, h: inner.h, radius: max(0, cornerRadius - half))
        cairo_set_line_width(cr, Double(thickness))
        cairo_stroke(cr)
    }

    func line(fromX x0: Double, y0: Double, toX x1: Double, y1: Double, thickness: Int, ink: Ink) {
        setInk(ink)
        cairo_set_line_width(cr, Double(max(thickness, 1)))
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        cairo_move_to(cr, x0, y0)
        cairo_line_to(cr, x1, y1)
        cairo_stroke(cr)
    }

    /// Paints a 1-bit bitmap with its top-left at whole dots. `opaque` clears the area first, so the
    /// white modules of a symbol and its quiet zone are white whatever lay beneath. Every dot lands
    /// on exactly one pixel: no scaling, no anti-aliasing. On the raster the dots are written
    /// straight into the surface (cairo's compositor takes a slow general path for 1-bit masks, and
    /// a QR code's worth of them cost more than all the text of a badge); the area is not clipped
    /// except to the canvas. The PDF gets the same dots as nearest-neighbour scaled image masks.
    func draw(_ bitmap: Bitmap, atX x: Int, y: Int, opaque: Bool) throws(BadgeError) {
        guard bitmap.width > 0, bitmap.height > 0 else { return }
        if kind == .raster {
            try blit(bitmap, atX: x, y: y, opaque: opaque)
            return
        }
        if opaque { fill(DotRect(x: x, y: y, width: bitmap.width, height: bitmap.height), ink: .white) }
        let mask = try A1Surface(bitmap)
        setInk(.black)
        let pattern = cairo_pattern_create_for_surface(mask.surface)
        defer { cairo_pattern_destroy(pattern) }
        cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
        var matrix = cairo_matrix_t()
        cairo_matrix_init_translate(&matrix, Double(-x), Double(-y))
        cairo_pattern_set_matrix(pattern, &matrix)
        cairo_mask(cr, pattern)
    }

    /// Writes a bitmap into the A8 raster: a black dot becomes full coverage; a white dot becomes
    /// no coverage when `opaque`, and leaves what is beneath otherwise.
    private func blit(_ bitmap: Bitmap, atX x: Int, y: Int, opaque: Bool) throws(BadgeError) {
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else {
            throw BadgeError(.renderFailed, "cairo gave no pixel data")
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let columns = max(0, x)..<min(widthDots, x + bitmap.width)
        let rows = max(0, y)..<min(heightDots, y + bitmap.height)
        guard !columns.isEmpty, !rows.isEmpty else { return }
        let bytesPerRow = bitmap.bytesPerRow
        let expanded = Self.expandedBytes
        bitmap.bytes.withUnsafeBufferPointer { source in
            expanded.withUnsafeBufferPointer { table in
                for row in rows {
                    let sourceRow = (row - y) * bytesPerRow
                    let target = data + row * stride
                    var column = columns.lowerBound
                    while column < columns.upperBound {
                        let bit = column - x
                        // Eight dots at a time where the run is byte-aligned in the bitmap and
                        // whole on the canvas; single dots at the edges.
                        if bit & 7 == 0, column + 8 <= columns.upperBound {
                            let dots = table[Int(source[sourceRow + bit >> 3])]
                            let pointer = UnsafeMutableRawPointer(target + column)
                            let value = opaque ? dots : pointer.loadUnaligned(as: UInt64.self) | dots
                            pointer.storeBytes(of: value, as: UInt64.self)
                            column += 8
                        } else {
                            let black = source[sourceRow + bit >> 3] & (0x80 >> UInt8(bit & 7)) != 0
                            if black { target[column] = 0xFF } else if opaque { target[column] = 0 }
                            column += 1
                        }
                    }
                }
            }
        }
        cairo_surface_mark_dirty_rectangle(
            surface, Int32(columns.lowerBound), Int32(rows.lowerBound), Int32(columns.count), Int32(rows.count))
    }

    /// Each packed byte (leftmost dot in the top bit) as eight coverage bytes in memory order.
    private static let expandedBytes: [UInt64] = (0..<256).map { byte in
        var bytes: UInt64 = 0
        for dot in 0..<8 where byte & (0x80 >> dot) != 0 {
            bytes |= 0xFF << (8 * UInt64(dot))
        }
        return UInt64(littleEndian: bytes)
    }

    func clip(_ rect: DotRect) {
        cairo_rectangle(cr, Double(rect.x), Double(rect.y), Double(rect.width), Double(rect.height))
        cairo_clip(cr)
    }

    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }

    /// The raster canvas as a 1-bit bitmap: coverage of half or more prints.
    func bitmap() throws(BadgeError) -> Bitmap {
        precondition(kind == .raster, "only the raster canvas has a bitmap")
        cairo_surface_flush(surface)
        try checkStatus("rendering")
        guard let data = cairo_image_surface_get_data(surface) else {
            throw BadgeError(.renderFailed, "cairo gave no pixel data")
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let buffer = UnsafeBufferPointer(start: data, count: stride * heightDots)
        return GrayImage.threshold(pixels: buffer, width: widthDots, height: heightDots, stride: stride, level: 128)
    }

    /// Makes a raster canvas white and stateless again, so one surface serves every badge of a
    /// renderer: allocating a fresh megabyte per badge costs more than drawing it.
    func clear() {
        precondition(kind == .raster, "only the raster canvas is reused")
        cairo_surface_flush(surface)
        if let data = cairo_image_surface_get_data(surface) {
            data.initialize(repeating: 0, count: Int(cairo_image_surface_get_stride(surface)) * heightDots)
        }
        cairo_surface_mark_dirty(surface)
        cairo_reset_clip(cr)
        cairo_identity_matrix(cr)
        cairo_new_path(cr)
    }

    /// Ends the PDF page and returns the file.
    func finishPDF() throws(BadgeError) -> [UInt8] {
        precondition(kind == .pdf, "only the PDF canvas has a file")
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        try checkStatus("writing the PDF")
        return pdfOutput?.bytes ?? []
    }

    private func path(_ rect: DotRect, cornerRadius: Double) {
        roundedPath(x: Double(rect.x), y: Double(rect.y), w: Double(rect.width), h: Double(rect.height), radius: cornerRadius)
    }

    private func roundedPath(x: Double, y: Double, w: Double, h: Double, radius: Double) {
        let r = min(radius, w / 2, h / 2)
        guard r > 0 else {
            cairo_rectangle(cr, x, y, w, h)
            return
        }
        cairo_new_sub_path(cr)
        cairo_arc(cr, x + w - r, y + r, r, -Double.pi / 2, 0)
        cairo_arc(cr, x + w - r, y + h - r, r, 0, Double.pi / 2)
        cairo_arc(cr, x + r, y + h - r, r, Double.pi / 2, Double.pi)
        cairo_arc(cr, x + r, y + r, r, Double.pi, 3 * Double.pi / 2)
        cairo_close_path(cr)
    }
}

/// The bytes cairo's PDF surface writes, gathered in memory.
private final class PDFOutput {
    var bytes: [UInt8] = []
}

/// A cairo A1 surface holding a copy of a bitmap. cairo's A1 puts the leftmost pixel in the least
/// significant bit (on little-endian machines), the reverse of ZPL's packing, so bytes are mirrored.
final class A1Surface {
    let surface: OpaquePointer

    init(_ bitmap: Bitmap) throws(BadgeError) {
        surface = cairo_image_surface_create(CAIRO_FORMAT_A1, Int32(bitmap.width), Int32(bitmap.height))
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else {
            throw BadgeError(.renderFailed, "cairo could not make a \(bitmap.width)x\(bitmap.height) mask")
        }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let littleEndian = UInt16(1).littleEndian == 1
        let table = BitReversal.table
        bitmap.bytes.withUnsafeBufferPointer { source in
            table.withUnsafeBufferPointer { reversed in
                for y in 0..<bitmap.height {
                    let row = data.advanced(by: y * stride)
                    for b in 0..<bitmap.bytesPerRow {
                        let byte = source[y * bitmap.bytesPerRow + b]
                        row[b] = littleEndian ? reversed[Int(byte)] : byte
                    }
                }
            }
        }
        cairo_surface_mark_dirty(surface)
    }

    deinit { cairo_surface_destroy(surface) }
}

enum BitReversal {
    static let table: [UInt8] = (0..<256).map { value in
        var v = UInt8(value), r: UInt8 = 0
        for _ in 0..<8 {
            r = (r << 1) | (v & 1)
            v >>= 1
        }
        return r
    }
}
