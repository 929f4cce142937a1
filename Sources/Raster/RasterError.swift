public import LanyardSupport

/// An error from the raster layer: what went wrong, in terms a caller can act on.
public typealias RasterError = CodedError<RasterErrorCode>

extension CodedError where Code == RasterErrorCode {
    public init(code: Code, message: String) {
        self.init(code, message)
    }
}
