public import Raster

/// Turns a badge raster and job settings into a complete EPL2 page-mode job.
///
/// Layout (every line ends in a single LF, which EPL documents as the command terminator):
/// ```
/// (empty line)             ends whatever command an earlier, interrupted job left open
/// N                        clear the image buffer
/// OD                       options; `D` = direct thermal, `P` = peel, `C` = cutter
/// q1200                    label width in dots
/// Q900,24                  label length, gap (`B24` for black mark, `0` for continuous)
/// S4                       speed code from the profile's table
/// D10                      density 0...15
/// ZT                       print from the top of the image buffer
/// GW0,0,150,900,<bytes>    the raster, inverted: in EPL 0 = black
/// P1                       print
/// ```
///
/// Density: `settings.eplDensity` is sent as is. `JobSettings.resolve` takes it from the
/// profile's EPL default, or derives it from a ZPL-scale darkness override by halving, so one
/// darkness ladder tunes both languages.
public enum EPLEncoder {
    public static func encode(
        bitmap: Bitmap, settings: JobSettings, profile: PrinterProfile
    ) throws(PrintersError) -> EPLJob {
        try settings.validateCommon(bitmapWidth: bitmap.width, bitmapHeight: bitmap.height)
        guard profile.supports(.epl), let codes = profile.eplSpeedCodes, !codes.isEmpty else {
            throw PrintersError(
                code: .languageUnsupported, message: "profile \(profile.id) has no EPL support or no EPL speed codes",
                field: "languages"
            )
        }
        guard PrinterProfile.eplDensityLimits.contains(settings.eplDensity) else {
            throw PrintersError(code: .settingsInvalid, message: "\(settings.eplDensity) is outside 0...15", field: "eplDensity")
        }
        guard JobSettings.eplCopiesLimits.contains(settings.copies) else {
            throw PrintersError(code: .settingsInvalid, message: "\(settings.copies) is outside 1...65534", field: "copies")
        }
        if settings.mediaTracking != .continuous {
            guard JobSettings.gapLimits.contains(settings.gapDots) else {
                throw PrintersError(code: .settingsInvalid, message: "\(settings.gapDots) is outside 16...240", field: "gapDots")
            }
        }
        let speed = speedCode(for: settings.speedIPS, codes: codes)

        var out: [UInt8] = []
        out.reserveCapacity(128 + bitmap.bytes.count)
        // `N` clears the image buffer; the setup lines are those a settings command sends alone.
        out.append(ascii: "\nN")
        EPLSetup.appendSettings(settings, speedCode: speed.code, into: &out)
        out.append(ascii: "ZT\nGW")
        out.append(decimal: settings.labelHome.x)
        out.append(ASCII.comma)
        out.append(decimal: settings.labelHome.y)
        out.append(ASCII.comma)
        out.append(decimal: bitmap.bytesPerRow)
        out.append(ASCII.comma)
        out.append(decimal: bitmap.height)
        out.append(ASCII.comma)
        // Inverting every byte also turns the zero padding bits into 1 = white, as EPL needs.
        var data = PackedRows.normalizedBytes(of: bitmap)
        data.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = ~buffer[index] }
        }
        out.append(contentsOf: data)
        out.append(ascii: "\nP")
        out.append(decimal: settings.copies)
        out.append(ASCII.lf)
        return EPLJob(bytes: out, speedCode: speed.code, speedIPS: speed.ips, density: settings.eplDensity)
    }

    /// The fastest code whose speed does not exceed the request (lowest code on a tie); the
    /// slowest code when every code is faster than the request.
    public static func speedCode(for requestedIPS: Int, codes: [Int: Double]) -> (code: Int, ips: Double) {
        let ordered = codes.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
        var chosen = ordered.first.map { (code: $0.key, ips: $0.value) } ?? (code: 0, ips: 0)
        for (code, ips) in ordered where ips <= Double(requestedIPS) && ips > chosen.ips {
            chosen = (code, ips)
        }
        return chosen
    }
}
