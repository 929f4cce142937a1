public import LanyardSupport

extension RasterError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { nil }
    /// A raster the pipeline made itself that does not fit or compress is Lanyard's own fault.
    public var exitStatus: ExitStatus { code == .invalidImage ? .invalidData : .internalError }
}
