/// An error from job settings, the encoders or the job decoders. Decoder errors carry the byte
/// offset in the job so a malformed job (from a test or from the simulator) can be located.
public struct PrintersError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case settingsInvalid = "printers.settings_invalid"
        case rasterTooWide = "printers.raster_too_wide"
        case languageUnsupported = "printers.language_unsupported"
        case encodingFailed = "printers.encoding_failed"
        case malformedJob = "printers.malformed_job"
        /// The list of network printers (printers.yaml) cannot be read.
        case configurationInvalid = "printers.configuration_invalid"
        /// A TCP printer or device file was named without a profile: neither can say what it is.
        case profileRequired = "printers.profile_required"
        /// No profile matches the USB printer's ids.
        case profileUnmatched = "printers.profile_unmatched"
        /// Several USB printers are attached and none was chosen.
        case printerAmbiguous = "printers.printer_ambiguous"
    }

    public let code: Code
    public let message: String
    /// The setting or job parameter at fault, e.g. `speed` or `^GF.c`.
    public let field: String?
    /// Byte offset in the job being decoded, when the error comes from a decoder.
    public let offset: Int?
    /// Text of an underlying error (zlib, raster layer).
    public let cause: String?

    public init(code: Code, message: String, field: String? = nil, offset: Int? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        var text = code.rawValue + ": "
        if let field { text += field + ": " }
        text += message
        if let offset { text += " (at byte \(offset))" }
        if let cause { text += " [\(cause)]" }
        return text
    }
}
