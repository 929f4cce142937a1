import Dispatch
public import Raster

/// Turns a badge raster and job settings into a complete ZPL II job.
///
/// Layout of a job (LF after each group, which ZPL ignores between commands):
/// ```
/// ~SD20                         darkness, a control command so it sits outside the format
/// ~TA000                        tear-off adjustment, exactly three digits (sign extra)
/// ^XA
/// ^PW1200^LL900^LH0,0
/// ^MNY^MTD^MMT^PR4,4,2^JZN
/// ^FO0,0^GFA,c,c,d,data^FS      one field per stripe
/// ^PQ1,0,0,N
/// ^XZ
/// ```
public enum ZPLEncoder {
    /// Largest `c` a `^GF` field accepts.
    public static let maxFieldBytes = 99_999

    public struct Options: Sendable, Equatable {
        /// Encodings the printer accepts; each stripe uses the shortest of them.
        public var allowedEncodings: Set<ZPLGraphicEncoding>
        /// Upper bound on `c` per stripe (tests lower it to force stripes).
        public var maxStripeBytes: Int
        /// libdeflate level (1–12) for Z64. 8 by default: on a 300 dpi badge it makes Z64 about
        /// a quarter smaller than zlib's level 1 at about twice the time, and the stripes are
        /// compressed in parallel to pay for it (docs/benchmarks.md has the measurements).
        public var compressionLevel: Int32

        public init(
            allowedEncodings: Set<ZPLGraphicEncoding> = [.acs, .z64],
            maxStripeBytes: Int = ZPLEncoder.maxFieldBytes,
            compressionLevel: Int32 = 8
        ) {
            self.allowedEncodings = allowedEncodings
            self.maxStripeBytes = maxStripeBytes
            self.compressionLevel = compressionLevel
        }

        /// Options honouring a profile's quirks: `no-z64` and `no-acs` remove those encodings;
        /// plain hex is the fallback when both are gone.
        public init(profile: PrinterProfile) {
            var allowed: Set<ZPLGraphicEncoding> = [.acs, .z64]
            if profile.has(.noZ64) { allowed.remove(.z64) }
            if profile.has(.noASCIICompression) { allowed.remove(.acs) }
            if allowed.isEmpty { allowed = [.hex] }
            self.init(allowedEncodings: allowed)
        }
    }

    public static func encode(
        bitmap: Bitmap, settings: JobSettings, options: Options = Options()
    ) throws(PrintersError) -> ZPLJob {
        try settings.validateCommon(bitmapWidth: bitmap.width, bitmapHeight: bitmap.height)
        try validate(settings)
        guard !options.allowedEncodings.isEmpty else {
            throw PrintersError(code: .settingsInvalid, message: "no graphic encoding is allowed", field: "allowedEncodings")
        }
        let bytesPerRow = bitmap.bytesPerRow
        guard options.maxStripeBytes >= bytesPerRow, options.maxStripeBytes <= maxFieldBytes else {
            throw PrintersError(
                code: .settingsInvalid,
                message: "\(options.maxStripeBytes) must lie between one row (\(bytesPerRow) bytes) and \(maxFieldBytes)",
                field: "maxStripeBytes"
            )
        }

        var out: [UInt8] = []
        out.reserveCapacity(256 + bitmap.bytes.count / 4)
        ZPLSetup.appendHeader(settings, into: &out)

        let raster = PackedRows.normalizedBytes(of: bitmap)
        let maxRows = options.maxStripeBytes / bytesPerRow
        let stripeCount = (bitmap.height + maxRows - 1) / maxRows
        // Equal stripes rather than full ones plus a sliver: same field count, even sizes.
        let rowsPerStripe = (bitmap.height + stripeCount - 1) / stripeCount
        var ranges: [(top: Int, rows: Int)] = []
        var top = 0
        while top < bitmap.height {
            let rows = min(rowsPerStripe, bitmap.height - top)
            ranges.append((top, rows))
            top += rows
        }
        // Stripes are independent, so they are encoded at once, one per core: the compression
        // of a 300 dpi badge is the largest single cost of its encode.
        let encoded = ResultSlots<Result<EncodedField, PrintersError>>(count: ranges.count)
        let stripeRanges = ranges
        let work: @Sendable (Int) -> Void = { index in
            let range = stripeRanges[index]
            let slice = raster[(range.top * bytesPerRow)..<((range.top + range.rows) * bytesPerRow)]
            encoded.slots[index] = Result { () throws(PrintersError) in try encodeField(slice, bytesPerRow: bytesPerRow, options: options) }
        }
        if ranges.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: ranges.count, execute: work) }
        var stripes: [ZPLJob.Stripe] = []
        for (range, result) in zip(ranges, encoded.slots) {
            guard let result else { continue }
            let field = try result.get()
            appendField(field, originY: range.top, bytesPerRow: bytesPerRow, uncompressedBytes: range.rows * bytesPerRow, into: &out)
            stripes.append(
                ZPLJob.Stripe(
                    originY: range.top, rows: range.rows, uncompressedBytes: range.rows * bytesPerRow,
                    encoding: field.encoding, dataBytes: field.data.count, candidateBytes: field.candidates))
        }

        out.append(ascii: "^PQ")
        out.append(decimal: settings.copies)
        out.append(ascii: ",0,0,N\n^XZ\n")
        return ZPLJob(bytes: out, stripes: stripes)
    }

    private static func validate(_ settings: JobSettings) throws(PrintersError) {
        guard PrinterProfile.zplDarknessLimits.contains(settings.darkness) else {
            throw PrintersError(code: .settingsInvalid, message: "\(settings.darkness) is outside 0...30", field: "darkness")
        }
        guard JobSettings.tearOffAdjustLimits.contains(settings.tearOffAdjustDots) else {
            throw PrintersError(
                code: .settingsInvalid, message: "\(settings.tearOffAdjustDots) is outside -120...120", field: "tearOffAdjustDots"
            )
        }
        guard JobSettings.zplCopiesLimits.contains(settings.copies) else {
            throw PrintersError(code: .settingsInvalid, message: "\(settings.copies) is outside 1...99999999", field: "copies")
        }
    }

    /// One stripe's data in the shortest allowed encoding, with the size of every candidate.
    struct EncodedField: Sendable {
        var encoding: ZPLGraphicEncoding
        var data: [UInt8]
        var candidates: [ZPLGraphicEncoding: Int]
    }

    private static func encodeField(
        _ slice: ArraySlice<UInt8>, bytesPerRow: Int, options: Options
    ) throws(PrintersError) -> EncodedField {
        var candidates: [ZPLGraphicEncoding: Int] = [:]
        var best: (encoding: ZPLGraphicEncoding, data: [UInt8])?
        func consider(_ encoding: ZPLGraphicEncoding, _ data: [UInt8]) {
            candidates[encoding] = data.count
            if let current = best, current.data.count <= data.count { return }
            best = (encoding, data)
        }
        // Z64 first, so ACS can stop as soon as it is longer; on a tie ACS still wins, because
        // more emulations decode it than Z64.
        var z64: [UInt8]?
        if options.allowedEncodings.contains(.z64) {
            z64 = try ZPLGraphicData.z64(slice, level: options.compressionLevel)
        }
        if options.allowedEncodings.contains(.acs) {
            var data: [UInt8] = []
            data.reserveCapacity(slice.count / 8)
            if ZPLASCIICompression.encode(slice, bytesPerRow: bytesPerRow, into: &data, limit: z64?.count ?? .max) {
                consider(.acs, data)
            } else {
                candidates[.acs] = data.count
            }
        }
        if let z64 { consider(.z64, z64) }
        if options.allowedEncodings.contains(.hex) {
            var data: [UInt8] = []
            ZPLGraphicData.hex(slice, into: &data)
            consider(.hex, data)
        }
        guard let chosen = best else {
            throw PrintersError(code: .settingsInvalid, message: "no graphic encoding is allowed", field: "allowedEncodings")
        }
        return EncodedField(encoding: chosen.encoding, data: chosen.data, candidates: candidates)
    }

    /// Writes `^FO0,y^GFA,c,c,d,<data>^FS`. For ASCII data `b` equals `c` (uncompressed bytes),
    /// which real printers require.
    private static func appendField(
        _ field: EncodedField, originY: Int, bytesPerRow: Int, uncompressedBytes: Int, into out: inout [UInt8]
    ) {
        out.append(ascii: "^FO0,")
        out.append(decimal: originY)
        out.append(ascii: "^GFA,")
        out.append(decimal: uncompressedBytes)
        out.append(ASCII.comma)
        out.append(decimal: uncompressedBytes)
        out.append(ASCII.comma)
        out.append(decimal: bytesPerRow)
        out.append(ASCII.comma)
        out.append(contentsOf: field.data)
        out.append(ascii: "^FS\n")
    }
}

/// Results of parallel work, one slot per iteration. `@unchecked Sendable` is safe here because
/// each slot is written by exactly one iteration of `concurrentPerform` and read only after
/// `concurrentPerform` has returned, so no two threads ever touch the same memory at once.
final class ResultSlots<Value>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}
