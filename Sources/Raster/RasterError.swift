/// An error from the raster layer: what went wrong, in terms a caller can act on.
public struct RasterError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case dimensionMismatch = "raster.dimension_mismatch"
        case compressionFailed = "raster.compression_failed"
        case invalidImage = "raster.invalid_image"
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
