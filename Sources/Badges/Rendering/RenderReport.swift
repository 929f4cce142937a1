/// What rendering one badge did, element by element, so `templates check` and the agent's logs can
/// say exactly which element overflowed or lost its preferred QR level.
public struct ElementReport: Sendable, Equatable, Codable {
    public var index: Int
    public var id: String?
    public var type: String
    /// False when the element's conditions hid it.
    public var drawn: Bool
    /// Where it landed, in dots on the design.
    public var rect: DotRect?
    public var text: TextFit?
    public var symbol: SymbolReport?
    /// Icons elements: which items were drawn where, and which were left out.
    public var icons: IconsReport?
    public var issues: [RenderIssue]
}

/// What an `icons` element drew for one attendee.
public struct IconsReport: Sendable, Equatable, Codable {
    public struct Placed: Sendable, Equatable, Codable {
        /// The list item, as the template's mapping writes it (lower case).
        public var item: String
        public var file: String
        /// Where the icon landed, in dots on the design.
        public var rect: DotRect
        /// Printer dots per icon pixel, across and down.
        public var dotsPerPixel: Int
    }

    public var placed: [Placed]
    /// Items with an icon that did not fit the box, in order.
    public var leftOut: [String]
}

public struct SymbolReport: Sendable, Equatable, Codable {
    public var moduleDots: Int
    public var columns: Int
    public var rows: Int
    /// QR only: the level used and the one asked for when they differ.
    public var level: String?
    public var downgradedFrom: String?
    public var version: Int?
}

/// A problem found while rendering; `error` severity means the badge is not what the template meant.
public struct RenderIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case warning, error }
    public enum Code: String, Sendable, Codable {
        case textOverflow = "text.overflow"
        case textEllipsized = "text.ellipsized"
        case missingGlyphs = "text.missing_glyphs"
        case fontMissing = "font.missing"
        case qrDowngraded = "qr.downgraded"
        /// The printer's QR module floor (`RenderOptions`) does not fit the payload: drawn without it.
        case qrModuleFloorUnmet = "qr.module_floor_unmet"
        case symbolDoesNotFit = "symbol.does_not_fit"
        case symbolEncodingFailed = "symbol.encoding_failed"
        case outsideStock = "layout.outside_stock"
        case outsideSafeArea = "layout.outside_safe_area"
        /// Icons that do not fit their box are left out, never drawn outside it.
        case iconsDoNotFit = "icons.do_not_fit"
        /// `contains`, or an icons element's `from`, on a field that is not a list.
        case notAList = "template.not_a_list"
        /// A `{placeholder}`, rule or condition names a field no attendee has: it would print blank.
        case unknownField = "template.unknown_field"
    }

    public var severity: Severity
    public var code: Code
    public var message: String

    public init(_ severity: Severity, _ code: Code, _ message: String) {
        self.severity = severity
        self.code = code
        self.message = message
    }

    public var description: String { "\(severity.rawValue) \(code.rawValue): \(message)" }
}
