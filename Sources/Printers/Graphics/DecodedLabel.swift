public import Raster

/// One label as a printer would print it, reconstructed from a job by a decoder.
public struct DecodedLabel: Sendable, Equatable {
    public let bitmap: Bitmap
    /// Labels the job asks for (`^PQ` / EPL `P`).
    public let copies: Int

    public init(bitmap: Bitmap, copies: Int) {
        self.bitmap = bitmap
        self.copies = copies
    }

    /// The bitmap of the job's only label; `unit` names what was counted in the error.
    static func onlyBitmap(of labels: [DecodedLabel], unit: String) throws(PrintersError) -> Bitmap {
        guard labels.count == 1 else {
            throw PrintersError(code: .malformedJob, message: "expected one \(unit), found \(labels.count)")
        }
        return labels[0].bitmap
    }
}

/// Bounds the decoders apply before allocating a label, so hostile or corrupt jobs cannot ask
/// for gigabytes. 8192 dots is wider than any head this project drives (8.5 in at 600 dpi).
enum DecoderLimits {
    static let maxLabelWidth = 8192
    static let maxLabelLength = 32000
    /// ZPL's own ceiling for `^GF` byte counts.
    static let maxFieldBytes = 99_999
    /// EPL `GW` has no documented ceiling; this is a whole 8192 x 32000 label.
    static let maxEPLGraphicBytes = 8192 / 8 * 32000
}
