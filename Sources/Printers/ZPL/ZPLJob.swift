/// A complete ZPL job and how its graphic was encoded.
public struct ZPLJob: Sendable, Equatable {
    /// One `^FO…^GFA…^FS` field: a horizontal stripe of the raster.
    public struct Stripe: Sendable, Equatable {
        /// Top row of the stripe in the raster (its `^FO` y).
        public let originY: Int
        public let rows: Int
        /// `c` of `^GFA`: bytes of raster data in the stripe.
        public let uncompressedBytes: Int
        public let encoding: ZPLGraphicEncoding
        /// Length of the data written after `d,`.
        public let dataBytes: Int
        /// Lengths of every candidate that was tried, for diagnostics and tests. ACS stops once it
        /// is longer than Z64, so its entry can be the length at which it gave up.
        public let candidateBytes: [ZPLGraphicEncoding: Int]
    }

    public let bytes: [UInt8]
    public let stripes: [Stripe]

    /// The job as text; ZPL jobs built here are pure ASCII.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var uncompressedGraphicBytes: Int { stripes.reduce(0) { $0 + $1.uncompressedBytes } }
    public var graphicDataBytes: Int { stripes.reduce(0) { $0 + $1.dataBytes } }
}
