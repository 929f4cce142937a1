/// An error from templates, mapping or rendering. `location` names what the caller must fix: a file,
/// and inside it a YAML path such as `elements[3].font.size`.
public struct BadgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case templateMalformed = "template.malformed"
        case templateInvalid = "template.invalid"
        case manifestMissing = "template.manifest_missing"
        case manifestInvalid = "template.manifest_invalid"
        case checksumMismatch = "template.checksum_mismatch"
        case unlistedFile = "template.unlisted_file"
        case assetMissing = "template.asset_missing"
        case assetInvalid = "template.asset_invalid"
        case fontMissing = "template.font_missing"
        case eventInvalid = "event.invalid"
        case renderFailed = "render.failed"
        case symbolFailed = "render.symbol_failed"
        case outsidePrintableArea = "render.outside_printable_area"
        case io = "io.failed"
    }

    public let code: Code
    public let message: String
    /// File and path inside it, when the error has one.
    public let location: String?

    public init(_ code: Code, _ message: String, location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String {
        if let location { return "\(location): \(message) [\(code.rawValue)]" }
        return "\(message) [\(code.rawValue)]"
    }
}
