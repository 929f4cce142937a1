import Crypto
public import Foundation
public import Logging
public import Raster

/// A badge rendered for one printer resolution.
public struct RenderedBadge: Sendable {
    /// The raster as the printer feeds it: width across the head, first row printed first.
    public var bitmap: Bitmap
    public var elements: [ElementReport]
    /// Problems that concern the template as a whole (fonts).
    public var warnings: [RenderIssue]

    /// SHA-256 of the packed raster bytes and dimensions; equal inputs give equal hashes.
    public var rasterSHA256: String {
        var hasher = SHA256()
        hasher.update(data: Data("\(bitmap.width)x\(bitmap.height)\n".utf8))
        hasher.update(data: bitmap.bytes)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Every issue of every element, plus the template-level warnings.
    public var issues: [RenderIssue] { warnings + elements.flatMap(\.issues) }
}

/// A badge rendered as a PDF/A-2b document.
public struct RenderedPDF: Sendable {
    public var bytes: [UInt8]
    public var elements: [ElementReport]
}

/// Renders badges of one template at one resolution. Construction loads fonts and checks them;
/// each `render` is then a pure function of the fields. Renders are serialised process-wide (see
/// `RenderLock`), so renderers may be used from any thread.
public final class BadgeRenderer {
    public let bundle: TemplateBundle
    public let grid: DotGrid
    /// Problems with the template's fonts, found once at load.
    public let fontWarnings: [RenderIssue]
    let fonts: FontLibrary
    let images: ImageAssets
    /// The icons elements' files, read at load.
    let iconSet: IconAssets
    let logger: Logger
    /// The raster surface, made on first use and cleared for each badge.
    private var rasterCanvas: CairoCanvas?
    /// Glyph images drawn since the caches were last dropped (see `GlyphCacheBudget`).
    private var glyphBudget: GlyphCacheBudget
    /// The options of the raster render under way, read by the element drawing it concerns (the
    /// QR code's module floor) rather than passed through every element's drawing; set and
    /// cleared inside `RenderLock`, like the reused surface.
    var activeOptions = RenderOptions()

    /// The default glyph cache budget. 6 MiB keeps the 1,200-name fixture batch, in 14 scripts,
    /// near 73 MB of peak memory; each shed costs a re-load of fonts (about 0.2 s), a few times
    /// per thousand badges. See docs/benchmarks.md.
    public static let defaultGlyphCacheBytes = 6 << 20

    /// - Parameter glyphCacheBytes: the estimated glyph image memory after which the font
    ///   caches are dropped between two badges.
    public init(
        bundle: TemplateBundle, dpi: Int, glyphCacheBytes: Int = BadgeRenderer.defaultGlyphCacheBytes,
        logger: Logger
    ) throws(BadgeError) {
        guard [152, 203, 300, 600].contains(dpi) else {
            throw BadgeError(.renderFailed, "unsupported resolution \(dpi) dpi; expected 203, 300 or 600")
        }
        self.bundle = bundle
        self.grid = DotGrid(dpi: dpi)
        self.logger = logger
        self.glyphBudget = GlyphCacheBudget(limitBytes: glyphCacheBytes)
        self.fonts = try RenderLock.run { () throws(BadgeError) in
            try FontLibrary(fontFiles: bundle.template.fonts.map(bundle.url(of:)), dpi: dpi)
        }
        self.images = ImageAssets(bundle: bundle)
        self.iconSet = try IconAssets(bundle: bundle)
        var warnings: [RenderIssue] = []
        var reported = Set<String>()
        for element in bundle.template.elements {
            guard case .text(let text) = element.kind else { continue }
            for family in text.font.families where !fonts.hasFamily(family) && reported.insert(family).inserted {
                warnings.append(
                    RenderIssue(
                        .warning, .fontMissing,
                        "font family '\(family)' is neither in the bundle nor installed; text falls back to the next family or a system font"
                    ))
            }
        }
        self.fontWarnings = warnings
        for warning in warnings { logger.warning("\(warning.message)", metadata: ["template": "\(bundle.template.name)"]) }
    }

    /// The cached surface goes under the lock like every other cairo call; the font library
    /// takes the lock itself when it is released right after this.
    deinit {
        RenderLock.run { rasterCanvas = nil }
    }

    /// Design size in dots (before any turn onto the stock).
    public var designDots: (width: Int, height: Int) {
        let size = bundle.template.designSize
        return (grid.dots(size.width), grid.dots(size.height))
    }

    /// Renders the badge for resolved or raw fields (the template's mapping rules are applied here),
    /// with the printer's render options (`RenderOptions`: its stored QR module floor).
    public func render(fields input: [String: String], options: RenderOptions = RenderOptions()) throws(BadgeError) -> RenderedBadge {
        try RenderLock.run { () throws(BadgeError) in
            activeOptions = options
            defer { activeOptions = RenderOptions() }
            return try renderLocked(fields: input)
        }
    }

    private func renderLocked(fields input: [String: String]) throws(BadgeError) -> RenderedBadge {
        let fields = FieldMapper.resolve(bundle.template.fields, fields: input)
        let canvas: CairoCanvas
        if let reused = rasterCanvas {
            reused.clear()
            canvas = reused
        } else {
            let size = designDots
            canvas = try CairoCanvas(rasterWidth: size.width, height: size.height)
            rasterCanvas = canvas
        }
        let reports = try paint(on: canvas, fields: fields)
        shedGlyphCachesIfOverBudget()
        var bitmap = try canvas.bitmap()
        if bundle.template.isRotatedOnStock { bitmap = bitmap.rotatedClockwise() }
        return RenderedBadge(bitmap: bitmap, elements: reports, warnings: fontWarnings)
    }

    /// Writes the badge as a one-page vector PDF/A-2b document (`renderPDFDocument`).
    @discardableResult
    public func renderPDF(fields input: [String: String], to url: URL, date: Date = Date()) throws(BadgeError) -> [ElementReport] {
        let document = try renderPDFDocument(fields: input, date: date)
        do {
            try Data(document.bytes).write(to: url, options: .atomic)
        } catch {
            throw BadgeError(.io, "cannot write \(url.path): \(error.localizedDescription)", location: url.path, underlying: error)
        }
        return document.elements
    }

    /// The badge as a one-page vector PDF/A-2b document in the design orientation (for office
    /// printers and archives; see `PDFA`). Symbols and images keep the dot geometry of this
    /// renderer's resolution. `date` is the document's creation date: with the same date the
    /// same badge gives the same bytes.
    public func renderPDFDocument(fields input: [String: String], date: Date = Date()) throws(BadgeError) -> RenderedPDF {
        let (pdf, reports) = try RenderLock.run { () throws(BadgeError) in try renderPDFLocked(fields: input) }
        let info = PDFA.DocumentInfo(
            title: "\(bundle.template.name) badge", creatorTool: "Lanyard", producer: "Lanyard with cairo \(CairoCanvas.cairoVersion)",
            date: date)
        return RenderedPDF(bytes: try PDFA.conform(pdf, info: info), elements: reports)
    }

    private func renderPDFLocked(fields input: [String: String]) throws(BadgeError) -> ([UInt8], [ElementReport]) {
        let fields = FieldMapper.resolve(bundle.template.fields, fields: input)
        let size = designDots
        let canvas = try CairoCanvas(pdfWidthDots: size.width, heightDots: size.height, dpi: grid.dpi)
        let reports = try paint(on: canvas, fields: fields)
        let pdf = try canvas.finishPDF()
        shedGlyphCachesIfOverBudget()
        return (pdf, reports)
    }

    /// Between two badges, when the text drawn since the last shed has filled the budget.
    private func shedGlyphCachesIfOverBudget() {
        guard glyphBudget.isExceeded else { return }
        logger.debug("dropping font caches", metadata: ["estimated_glyph_bytes": "\(glyphBudget.estimatedBytes)"])
        fonts.shedGlyphCaches()
        glyphBudget.reset()
    }

    private func paint(on canvas: CairoCanvas, fields: [String: String]) throws(BadgeError) -> [ElementReport] {
        var reports: [ElementReport] = []
        for (index, element) in bundle.template.elements.enumerated() {
            var report = ElementReport(index: index, id: element.id, type: element.typeName, drawn: false, issues: [])
            if element.when.allSatisfy({ $0.holds(for: fields) }) {
                report.drawn = true
                report.issues += placementIssues(element)
                try draw(element, fields: fields, on: canvas, report: &report)
            }
            reports.append(report)
        }
        return reports
    }

    private func draw(_ element: Element, fields: [String: String], on canvas: CairoCanvas, report: inout ElementReport) throws(BadgeError)
    {
        switch element.kind {
        case .rect(let rect):
            let area = grid.rect(rect.box)
            report.rect = area
            let radius = Double(grid.dots(rect.cornerRadius))
            if let fill = rect.fill { canvas.fill(area, ink: fill, cornerRadius: radius) }
            if rect.stroke > 0 {
                canvas.stroke(area, thickness: max(1, grid.dots(rect.stroke)), ink: rect.strokeColor, cornerRadius: radius)
            }
        case .line(let line):
            report.rect = grid.rect(element.box)
            canvas.line(
                fromX: Double(grid.dots(line.from[0])), y0: Double(grid.dots(line.from[1])),
                toX: Double(grid.dots(line.to[0])), y1: Double(grid.dots(line.to[1])),
                thickness: max(1, grid.dots(line.thickness)), ink: line.color)
        case .text(let text):
            try drawText(text, fields: fields, on: canvas, report: &report)
        case .image(let image):
            let area = grid.rect(image.box)
            let bitmap = try images.bitmap(for: image, width: area.width, height: area.height)
            let x = area.x + (area.width - bitmap.width) / 2
            let y = area.y + (area.height - bitmap.height) / 2
            report.rect = DotRect(x: x, y: y, width: bitmap.width, height: bitmap.height)
            try canvas.draw(bitmap, atX: x, y: y, opaque: false)
        case .qr(let qr):
            try drawQR(qr, fields: fields, on: canvas, report: &report)
        case .barcode(let barcode):
            try drawBarcode(barcode, fields: fields, on: canvas, report: &report)
        case .icons(let icons):
            try drawIcons(icons, fields: fields, on: canvas, report: &report)
        }
    }

    private func drawText(
        _ element: TextElement, fields: [String: String], on canvas: CairoCanvas, report: inout ElementReport
    ) throws(BadgeError) {
        let area = grid.rect(element.box)
        report.rect = area
        if let background = element.background { canvas.fill(area, ink: background) }
        let text = FieldMapper.apply(element.transform, to: FieldMapper.fill(element.text, with: fields))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        let layout = TextLayout(
            context: fonts.context, text: text, font: element.font, align: element.align,
            widthDots: Double(area.width), heightDots: Double(area.height), maxLines: element.maxLines,
            language: TextLanguage(locale: fields["locale"]))
        let fit = layout.fit(policy: element.overflow)
        report.text = fit
        switch fit.outcome {
        case .overflow:
            report.issues.append(
                RenderIssue(.error, .textOverflow, "text does not fit its box even at \(fit.sizePoints) pt; it is cut off"))
        case .ellipsized:
            report.issues.append(RenderIssue(.warning, .textEllipsized, "text was shortened with an ellipsis at \(fit.sizePoints) pt"))
        case .fits, .shrunk, .wrapped:
            break
        }
        if fit.missingGlyphs > 0 {
            report.issues.append(
                RenderIssue(.error, .missingGlyphs, "\(fit.missingGlyphs) character(s) have no glyph in any available font"))
        }
        glyphBudget.noteDrawn(text, font: element.font, sizePoints: fit.sizePoints, dpi: grid.dpi)
        layout.prepareForDrawing(fit)
        let height = layout.height
        let top: Double =
            switch element.valign {
            case .top: Double(area.y)
            case .middle: Double(area.y) + (Double(area.height) - height) / 2
            case .bottom: Double(area.y + area.height) - height
            }
        canvas.save()
        canvas.clip(area)
        canvas.setInk(element.color)
        layout.draw(on: canvas, x: Double(area.x), y: top)
        canvas.restore()
    }

    /// Elements must sit on the stock and, unless they bleed, inside the safe margin.
    private func placementIssues(_ element: Element) -> [RenderIssue] {
        let template = bundle.template
        let size = template.designSize
        let box = element.box
        let tolerance = 0.01
        if box.x < -tolerance || box.y < -tolerance || box.maxX > size.width + tolerance || box.maxY > size.height + tolerance {
            return [
                RenderIssue(
                    .error, .outsideStock,
                    "box \(box.x),\(box.y) \(box.width)x\(box.height) mm reaches past the \(size.width)x\(size.height) mm stock")
            ]
        }
        let margin = template.stock.safeMarginMM
        if !element.bleeds,
            box.x < margin - tolerance || box.y < margin - tolerance
                || box.maxX > size.width - margin + tolerance || box.maxY > size.height - margin + tolerance
        {
            return [
                RenderIssue(.warning, .outsideSafeArea, "box reaches into the \(margin) mm unprintable margin; printers may cut it off")
            ]
        }
        return []
    }
}

extension Element {
    var typeName: String {
        switch kind {
        case .text: "text"
        case .qr: "qr"
        case .barcode: "barcode"
        case .image: "image"
        case .rect: "rect"
        case .line: "line"
        case .icons: "icons"
        }
    }
}
