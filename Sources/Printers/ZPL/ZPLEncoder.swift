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
        /// zlib level for Z64. Level 1 by default: on a mostly white 1200 x 900 badge it keeps
        /// the whole encode near 0.4 ms, where level 6 takes about 1 ms for a Z64 half the
        /// size, a saving of 1-2 KB that the USB link sends in about a millisecond.
        public var zlibLevel: Int32

        public init(
            allowedEncodings: Set<ZPLGraphicEncoding> = [.acs, .z64],
            maxStripeBytes: Int = ZPLEncoder.maxFieldBytes,
            zlibLevel: Int32 = 1
        ) {
            self.allowedEncodings = allowedEncodings
            self.maxStripeBytes = maxStripeBytes
            self.zlibLevel = zlibLevel
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
        appendHeader(settings, into: &out)

        let raster = PackedRows.normalizedBytes(of: bitmap)
        let maxRows = options.maxStripeBytes / bytesPerRow
        let stripeCount = (bitmap.height + maxRows - 1) / maxRows
        // Equal stripes rather than full ones plus a sliver: same field count, even sizes.
        let rowsPerStripe = (bitmap.height + stripeCount - 1) / stripeCount
        var stripes: [ZPLJob.Stripe] = []
        var top = 0
        while top < bitmap.height {
            let rows = min(rowsPerStripe, bitmap.height - top)
            let slice = raster[(top * bytesPerRow)..<((top + rows) * bytesPerRow)]
            let stripe = try appendField(
                slice, originY: top, rows: rows, bytesPerRow: bytesPerRow, options: options, into: &out
            )
            stripes.append(stripe)
            top += rows
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

    private static func appendHeader(_ settings: JobSettings, into out: inout [UInt8]) {
        out.append(ascii: "~SD")
        out.append(decimal: settings.darkness, width: 2)
        out.append(ascii: "\n~TA")
        if settings.tearOffAdjustDots < 0 { out.append(ASCII.minus) }
        out.append(decimal: abs(settings.tearOffAdjustDots), width: 3)
        out.append(ascii: "\n^XA\n^PW")
        out.append(decimal: settings.labelWidthDots)
        out.append(ascii: "^LL")
        out.append(decimal: settings.labelLengthDots)
        out.append(ascii: "^LH")
        out.append(decimal: settings.labelHome.x)
        out.append(ASCII.comma)
        out.append(decimal: settings.labelHome.y)
        let tracking = switch settings.mediaTracking {
        case .gap: "Y"
        case .mark: "M"
        case .continuous: "N"
        }
        out.append(ascii: "\n^MN" + tracking)
        out.append(ascii: settings.mediaType == .directThermal ? "^MTD" : "^MTT")
        let mode = switch settings.printMode {
        case .tearOff: "T"
        case .peel: "P"
        case .cutter: "C"
        case .rewind: "R"
        }
        out.append(ascii: "^MM" + mode)
        // Print, slew and backfeed are all given: the documented defaults for slew (6 ips) and
        // backfeed (2 ips) are not what a single-parameter ^PR leaves on every firmware. Slew
        // follows the print speed; backfeed stays at 2 ips or less so the label registers.
        out.append(ascii: "^PR")
        out.append(decimal: settings.speedIPS)
        out.append(ASCII.comma)
        out.append(decimal: settings.speedIPS)
        out.append(ASCII.comma)
        out.append(decimal: min(settings.speedIPS, 2))
        out.append(ascii: settings.reprintAfterError ? "^JZY\n" : "^JZN\n")
    }

    /// Writes `^FO0,y^GFA,c,c,d,<data>^FS` with the shortest allowed encoding. For ASCII data
    /// `b` equals `c` (uncompressed bytes), which real printers require.
    private static func appendField(
        _ slice: ArraySlice<UInt8>, originY: Int, rows: Int, bytesPerRow: Int, options: Options,
        into out: inout [UInt8]
    ) throws(PrintersError) -> ZPLJob.Stripe {
        var candidates: [ZPLGraphicEncoding: Int] = [:]
        var best: (encoding: ZPLGraphicEncoding, data: [UInt8])?
        func consider(_ encoding: ZPLGraphicEncoding, _ data: [UInt8]) {
            candidates[encoding] = data.count
            if let current = best, current.data.count <= data.count { return }
            best = (encoding, data)
        }
        // Order matters on ties: ACS first, because more emulations decode it than Z64.
        if options.allowedEncodings.contains(.acs) {
            var data: [UInt8] = []
            data.reserveCapacity(slice.count / 8)
            ZPLASCIICompression.encode(slice, bytesPerRow: bytesPerRow, into: &data)
            consider(.acs, data)
        }
        if options.allowedEncodings.contains(.z64) {
            consider(.z64, try ZPLGraphicData.z64(Array(slice), level: options.zlibLevel))
        }
        if options.allowedEncodings.contains(.hex) {
            var data: [UInt8] = []
            ZPLGraphicData.hex(slice, into: &data)
            consider(.hex, data)
        }
        guard let chosen = best else {
            throw PrintersError(code: .settingsInvalid, message: "no graphic encoding is allowed", field: "allowedEncodings")
        }
        out.append(ascii: "^FO0,")
        out.append(decimal: originY)
        out.append(ascii: "^GFA,")
        out.append(decimal: slice.count)
        out.append(ASCII.comma)
        out.append(decimal: slice.count)
        out.append(ASCII.comma)
        out.append(decimal: bytesPerRow)
        out.append(ASCII.comma)
        out.append(contentsOf: chosen.data)
        out.append(ascii: "^FS\n")
        return ZPLJob.Stripe(
            originY: originY, rows: rows, uncompressedBytes: slice.count, encoding: chosen.encoding,
            dataBytes: chosen.data.count, candidateBytes: candidates
        )
    }
}
