import YAMLReading

/// A badge template as written in `template.yaml`. The format is documented in docs/templates.md;
/// every length is in millimetres in the design orientation.
public struct Template: Sendable, Equatable, Codable {
    /// Format marker so that a future incompatible format is refused rather than misread.
    public var format: String
    public var name: String
    public var version: String
    public var description: String?
    public var stock: Stock
    public var orientation: Orientation
    /// Font files of the bundle (paths relative to the bundle) loaded before any system font.
    public var fonts: [String]
    /// Declarative field mapping, applied in order; later rules may use earlier results.
    public var fields: [FieldRule]
    public var elements: [Element]

    public static let formatMarker = "lanyard-template/1"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, name, version, description, stock, orientation, fonts, fields, elements
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        guard format == Template.formatMarker else {
            throw DecodingError.dataCorruptedError(
                forKey: .format, in: c, debugDescription: "unsupported format '\(format)'; expected '\(Template.formatMarker)'")
        }
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(String.self, forKey: .version)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        stock = try c.decode(Stock.self, forKey: .stock)
        orientation = try c.decodeIfPresent(Orientation.self, forKey: .orientation) ?? .landscape
        fonts = try c.decodeIfPresent([String].self, forKey: .fonts) ?? []
        fields = try c.decodeIfPresent([FieldRule].self, forKey: .fields) ?? []
        elements = try c.decode([Element].self, forKey: .elements)
    }

    /// Width and height of the design in mm (the stock, turned if the orientation asks for it).
    public var designSize: (width: Double, height: Double) {
        let long = max(stock.widthMM, stock.lengthMM), short = min(stock.widthMM, stock.lengthMM)
        return orientation == .landscape ? (long, short) : (short, long)
    }

    /// True when the design must be turned a quarter turn to lie on the stock as fed.
    public var isRotatedOnStock: Bool {
        abs(designSize.width - stock.widthMM) > 0.001
    }
}

/// Ink colour on a 1-bit badge.
public enum Ink: String, Sendable, Codable, Hashable {
    case black, white
}

/// One thing drawn on the badge, in order: later elements paint over earlier ones.
public struct Element: Sendable, Equatable, Codable {
    public var id: String?
    public var kind: Kind
    /// All conditions must hold for the element to be drawn.
    public var when: [Condition]

    public enum Kind: Sendable, Equatable {
        case text(TextElement)
        case qr(QRElement)
        case barcode(BarcodeElement)
        case image(ImageElement)
        case rect(RectElement)
        case line(LineElement)
        case icons(IconsElement)
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, type, when }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        let type = try c.decode(String.self, forKey: .type)
        // An element's keys: those every element has, and those of its kind.
        func element<E: Decodable, Keys: CodingKey & CaseIterable>(_: E.Type, _: Keys.Type) throws -> E {
            try rejectUnknownKeys(in: decoder, knownNames: CodingKeys.allCases.map(\.stringValue) + Keys.allCases.map(\.stringValue))
            return try E(from: decoder)
        }
        switch type {
        case "text": kind = .text(try element(TextElement.self, TextElement.CodingKeys.self))
        case "qr": kind = .qr(try element(QRElement.self, QRElement.CodingKeys.self))
        case "barcode": kind = .barcode(try element(BarcodeElement.self, BarcodeElement.CodingKeys.self))
        case "image": kind = .image(try element(ImageElement.self, ImageElement.CodingKeys.self))
        case "rect": kind = .rect(try element(RectElement.self, RectElement.CodingKeys.self))
        case "line": kind = .line(try element(LineElement.self, LineElement.CodingKeys.self))
        case "icons": kind = .icons(try element(IconsElement.self, IconsElement.CodingKeys.self))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "unknown element type '\(type)'; expected text, qr, barcode, image, rect, line or icons")
        }
        // One condition as a mapping, or a list of them; a mistake inside a single condition is
        // reported as itself, not as "expected a list".
        if !c.contains(.when) {
            when = []
        } else {
            do {
                when = [try c.decode(Condition.self, forKey: .when)]
            } catch let single {
                do { when = try c.decode([Condition].self, forKey: .when) } catch DecodingError.typeMismatch { throw single }
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(when, forKey: .when)
        switch kind {
        case .text(let e):
            try c.encode("text", forKey: .type)
            try e.encode(to: encoder)
        case .qr(let e):
            try c.encode("qr", forKey: .type)
            try e.encode(to: encoder)
        case .barcode(let e):
            try c.encode("barcode", forKey: .type)
            try e.encode(to: encoder)
        case .image(let e):
            try c.encode("image", forKey: .type)
            try e.encode(to: encoder)
        case .rect(let e):
            try c.encode("rect", forKey: .type)
            try e.encode(to: encoder)
        case .line(let e):
            try c.encode("line", forKey: .type)
            try e.encode(to: encoder)
        case .icons(let e):
            try c.encode("icons", forKey: .type)
            try e.encode(to: encoder)
        }
    }

    /// The element's area in mm, for printable-area checks.
    public var box: Box {
        switch kind {
        case .text(let e): e.box
        case .qr(let e): e.box
        case .barcode(let e): e.box
        case .image(let e): e.box
        case .rect(let e): e.box
        case .icons(let e): e.box
        case .line(let e):
            Box(
                x: min(e.from[0], e.to[0]), y: min(e.from[1], e.to[1]),
                width: max(abs(e.to[0] - e.from[0]), e.thickness),
                height: max(abs(e.to[1] - e.from[1]), e.thickness))
        }
    }

    /// Whether the element may reach past the safe margin to the stock edge (background bands).
    public var bleeds: Bool {
        if case .rect(let e) = kind { return e.bleed }
        return false
    }
}

/// Text policy when the text does not fit its box at the largest size.
public enum OverflowStep: String, Sendable, Codable, Hashable {
    case shrink, wrap, ellipsis
}

public enum TextTransform: String, Sendable, Codable, Hashable {
    case none, upper, lower
}

public enum HorizontalAlignment: String, Sendable, Codable, Hashable {
    /// `left` and `right` follow the reading direction: a right-to-left name aligned `left` starts
    /// at the right edge, the way the reader expects the start of a line.
    case left, center, right
}

public enum VerticalAlignment: String, Sendable, Codable, Hashable {
    case top, middle, bottom
}

public struct FontSpec: Sendable, Equatable, Codable, Hashable {
    /// Families in order of preference; Pango falls back through them per character, then to the
    /// system's fonts for scripts none of them covers.
    public var families: [String]
    public var weight: Weight
    /// Size range in points: text starts at the largest and shrinks no further than the smallest.
    public var size: ClosedRange<Double>

    public enum Weight: String, Sendable, Codable, Hashable {
        case regular, medium, semibold, bold
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case families, weight, size }

    public init(families: [String], weight: Weight, size: ClosedRange<Double>) {
        self.families = families
        self.weight = weight
        self.size = size
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        families = try c.decode([String].self, forKey: .families)
        guard !families.isEmpty, families.allSatisfy({ !$0.isEmpty && !$0.contains(",") }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .families, in: c, debugDescription: "families must list at least one non-empty family name without commas")
        }
        weight = try c.decodeIfPresent(Weight.self, forKey: .weight) ?? .regular
        if let single = try? c.decode(Double.self, forKey: .size) {
            size = single...single
        } else {
            let pair = try c.decode([Double].self, forKey: .size)
            guard pair.count == 2, pair[0] > 0, pair[0] <= pair[1], pair[1] <= 400 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .size, in: c,
                    debugDescription: "size is a point size or [smallest, largest] with 0 < smallest <= largest <= 400")
            }
            size = pair[0]...pair[1]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(families, forKey: .families)
        try c.encode(weight, forKey: .weight)
        try c.encode([size.lowerBound, size.upperBound], forKey: .size)
    }
}

public struct TextElement: Sendable, Equatable, Codable {
    /// A literal with `{field}` placeholders; a bare field is written `{field}`.
    public var text: String
    public var box: Box
    public var font: FontSpec
    public var maxLines: Int
    public var align: HorizontalAlignment
    public var valign: VerticalAlignment
    public var overflow: [OverflowStep]
    public var transform: TextTransform
    public var color: Ink
    /// Fills the box before drawing the text: `black` with `color: white` gives a reversed band.
    public var background: Ink?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case text, box, font, maxLines = "max_lines", align, valign, overflow, transform, color, background
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        box = try c.decode(Box.self, forKey: .box)
        font = try c.decode(FontSpec.self, forKey: .font)
        maxLines = try c.decodeIfPresent(Int.self, forKey: .maxLines) ?? 1
        guard (1...20).contains(maxLines) else {
            throw DecodingError.dataCorruptedError(forKey: .maxLines, in: c, debugDescription: "max_lines must be 1–20")
        }
        align = try c.decodeIfPresent(HorizontalAlignment.self, forKey: .align) ?? .left
        valign = try c.decodeIfPresent(VerticalAlignment.self, forKey: .valign) ?? .middle
        overflow = try c.decodeIfPresent([OverflowStep].self, forKey: .overflow) ?? [.shrink, .wrap, .ellipsis]
        transform = try c.decodeIfPresent(TextTransform.self, forKey: .transform) ?? .none
        color = try c.decodeIfPresent(Ink.self, forKey: .color) ?? .black
        background = try c.decodeIfPresent(Ink.self, forKey: .background)
    }
}

public enum QRErrorLevel: String, Sendable, Codable, Hashable, CaseIterable {
    case L, M, Q, H
}

public struct QRElement: Sendable, Equatable, Codable {
    public var payload: String
    /// The symbol, quiet zone included, is centred in the box at the largest whole-dot module size.
    public var box: Box
    public var errorCorrection: QRErrorLevel
    /// Smallest module that scanners at a kiosk read reliably; below it the level is lowered first.
    public var minModuleMM: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case payload, box, errorCorrection = "error_correction", minModuleMM = "min_module_mm"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        payload = try c.decode(String.self, forKey: .payload)
        box = try c.decode(Box.self, forKey: .box)
        errorCorrection = try c.decodeIfPresent(QRErrorLevel.self, forKey: .errorCorrection) ?? .Q
        minModuleMM = try c.decodeIfPresent(Double.self, forKey: .minModuleMM) ?? 0.33
        guard minModuleMM > 0, minModuleMM < 10 else {
            throw DecodingError.dataCorruptedError(forKey: .minModuleMM, in: c, debugDescription: "min_module_mm must be between 0 and 10")
        }
    }
}

public enum BarcodeKind: String, Sendable, Codable, Hashable, CaseIterable {
    case code128, code39, pdf417, datamatrix, aztec
}

public struct BarcodeElement: Sendable, Equatable, Codable {
    public var symbology: BarcodeKind
    public var data: String
    public var box: Box
    /// Narrowest module in mm; rounded to whole dots, never below one dot.
    public var moduleMM: Double
    public var humanReadable: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case symbology, data, box, moduleMM = "module_mm", humanReadable = "human_readable"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbology = try c.decode(BarcodeKind.self, forKey: .symbology)
        data = try c.decode(String.self, forKey: .data)
        box = try c.decode(Box.self, forKey: .box)
        moduleMM = try c.decodeIfPresent(Double.self, forKey: .moduleMM) ?? 0.25
        humanReadable = try c.decodeIfPresent(Bool.self, forKey: .humanReadable) ?? false
        guard moduleMM > 0, moduleMM < 10 else {
            throw DecodingError.dataCorruptedError(forKey: .moduleMM, in: c, debugDescription: "module_mm must be between 0 and 10")
        }
    }
}

public enum ImageFit: String, Sendable, Codable, Hashable {
    /// Scale to fit inside the box, keeping proportions, centred.
    case contain
    /// Stretch to the box.
    case fill
}

public enum Dithering: String, Sendable, Codable, Hashable {
    case threshold
    case floydSteinberg = "floyd-steinberg"
}

public struct ImageElement: Sendable, Equatable, Codable {
    /// A PNG file of the bundle.
    public var file: String
    public var box: Box
    public var fit: ImageFit
    public var dither: Dithering
    /// Coverage (0–255) at which a pixel prints, for `threshold`.
    public var threshold: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case file, box, fit, dither, threshold }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        box = try c.decode(Box.self, forKey: .box)
        fit = try c.decodeIfPresent(ImageFit.self, forKey: .fit) ?? .contain
        dither = try c.decodeIfPresent(Dithering.self, forKey: .dither) ?? .threshold
        threshold = try c.decodeIfPresent(Int.self, forKey: .threshold) ?? 128
        guard (1...255).contains(threshold) else {
            throw DecodingError.dataCorruptedError(forKey: .threshold, in: c, debugDescription: "threshold must be 1–255")
        }
    }
}

public struct RectElement: Sendable, Equatable, Codable {
    public var box: Box
    public var fill: Ink?
    /// Outline width in mm; 0 or absent draws no outline.
    public var stroke: Double
    public var strokeColor: Ink
    public var cornerRadius: Double
    /// Allowed to run past the safe margin to the stock edge.
    public var bleed: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case box, fill, stroke, strokeColor = "stroke_color", cornerRadius = "corner_radius", bleed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        box = try c.decode(Box.self, forKey: .box)
        fill = try c.decodeIfPresent(Ink.self, forKey: .fill)
        stroke = try c.decodeIfPresent(Double.self, forKey: .stroke) ?? 0
        strokeColor = try c.decodeIfPresent(Ink.self, forKey: .strokeColor) ?? .black
        cornerRadius = try c.decodeIfPresent(Double.self, forKey: .cornerRadius) ?? 0
        bleed = try c.decodeIfPresent(Bool.self, forKey: .bleed) ?? false
        guard stroke >= 0, cornerRadius >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .stroke, in: c, debugDescription: "stroke and corner_radius must not be negative")
        }
    }
}

public struct LineElement: Sendable, Equatable, Codable {
    public var from: [Double]
    public var to: [Double]
    public var thickness: Double
    public var color: Ink

    enum CodingKeys: String, CodingKey, CaseIterable { case from, to, thickness, color }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decode([Double].self, forKey: .from)
        to = try c.decode([Double].self, forKey: .to)
        thickness = try c.decodeIfPresent(Double.self, forKey: .thickness) ?? 0.3
        color = try c.decodeIfPresent(Ink.self, forKey: .color) ?? .black
        guard from.count == 2, to.count == 2, thickness > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .from, in: c, debugDescription: "a line has from: [x, y], to: [x, y] and a positive thickness")
        }
    }
}

/// A row of pictograms for the items of list fields (dietary and accessibility needs): each
/// item with an icon in `icons` is drawn, in the order of `from` and then of the attendee's list,
/// as a 1-bit PBM whose pixels become whole blocks of printer dots (see `IconDrawing`).
public struct IconsElement: Sendable, Equatable, Codable {
    /// The list fields whose items are shown, in order.
    public var from: [String]
    /// Item (compared case-insensitively, trimmed) to a PBM file of the bundle.
    public var icons: [String: String]
    public var box: Box
    /// Height of an icon: each icon pixel becomes the largest whole number of dots that keeps
    /// the icon no taller than this.
    public var sizeMM: Double
    /// Space between two icons, rounded to whole dots.
    public var gapMM: Double
    public var align: HorizontalAlignment
    public var valign: VerticalAlignment

    enum CodingKeys: String, CodingKey, CaseIterable {
        case from, icons, box, sizeMM = "size_mm", gapMM = "gap_mm", align, valign
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .from) {
            from = [one]
        } else {
            from = try c.decode([String].self, forKey: .from)
        }
        guard !from.isEmpty, from.allSatisfy({ !$0.isEmpty }) else {
            throw DecodingError.dataCorruptedError(forKey: .from, in: c, debugDescription: "from names one list field or a list of them")
        }
        let mapping = try c.decode([String: String].self, forKey: .icons)
        var icons: [String: String] = [:]
        for (item, file) in mapping {
            let key = Condition.normalised(item)
            guard !key.isEmpty, !key.contains(","), !file.isEmpty else {
                throw DecodingError.dataCorruptedError(
                    forKey: .icons, in: c, debugDescription: "icons maps list items (non-empty, without commas) to PBM files of the bundle")
            }
            guard icons.updateValue(file, forKey: key) == nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .icons, in: c, debugDescription: "icons names '\(key)' twice (items are compared case-insensitively)")
            }
        }
        guard !icons.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .icons, in: c, debugDescription: "icons maps at least one list item to a file")
        }
        self.icons = icons
        box = try c.decode(Box.self, forKey: .box)
        sizeMM = try c.decode(Double.self, forKey: .sizeMM)
        guard sizeMM > 0, sizeMM <= 100 else {
            throw DecodingError.dataCorruptedError(forKey: .sizeMM, in: c, debugDescription: "size_mm must be above 0 and at most 100")
        }
        gapMM = try c.decodeIfPresent(Double.self, forKey: .gapMM) ?? 1
        guard gapMM >= 0, gapMM <= 100 else {
            throw DecodingError.dataCorruptedError(forKey: .gapMM, in: c, debugDescription: "gap_mm must be 0 to 100")
        }
        align = try c.decodeIfPresent(HorizontalAlignment.self, forKey: .align) ?? .left
        valign = try c.decodeIfPresent(VerticalAlignment.self, forKey: .valign) ?? .middle
    }

    /// The icon files, each once, in a stable order.
    public var files: [String] { Array(Set(icons.values)).sorted() }
}
