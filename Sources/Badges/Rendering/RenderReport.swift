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
    public var issues: [RenderIssue]
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
