import Foundation
import Raster

/// The icon files of a bundle's `icons` elements, read once when a renderer is made: a file that
/// is missing or not a plain PBM fails the template at load (every badge would need it sooner or
/// later), not the one attendee whose list first names it.
struct IconAssets {
    /// Each file as a 1-bit bitmap, one pixel per bit.
    let bitmaps: [String: Bitmap]

    /// Largest icon side accepted: icons are pictograms of a few dozen pixels, scaled on whole dots.
    static let maximumSide = 256

    init(bundle: TemplateBundle) throws(BadgeError) {
        var bitmaps: [String: Bitmap] = [:]
        for element in bundle.template.elements {
            guard case .icons(let icons) = element.kind else { continue }
            for file in icons.files where bitmaps[file] == nil {
                let url = bundle.url(of: file)
                let data: Data
                do { data = try Data(contentsOf: url) } catch {
                    throw BadgeError(.assetMissing, "icon '\(file)' cannot be read", location: url.path, underlying: error)
                }
                bitmaps[file] = try Self.plainPBM(data, location: url.path)
            }
        }
        self.bitmaps = bitmaps
    }

    /// Reads a plain PBM (netpbm `P1`): the magic number, width and height in decimal, then one
    /// `0` (white) or `1` (black) per pixel, row by row; whitespace between tokens and `#` comments
    /// to the end of a line are allowed, as the format says.
    static func plainPBM(_ data: Data, location: String) throws(BadgeError) -> Bitmap {
        func malformed(_ why: String) -> BadgeError {
            BadgeError(.assetInvalid, "not a plain PBM icon (P1): \(why)", location: location)
        }
        let bytes = [UInt8](data)
        var index = 0
        func skipSpaceAndComments() {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") {
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\n"), bytes[index] != UInt8(ascii: "\r") { index += 1 }
                } else if [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[index]) {
                    index += 1
                } else {
                    return
                }
            }
        }
        func number() -> Int? {
            skipSpaceAndComments()
            var value = 0, digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 6 {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        guard bytes.starts(with: Array("P1".utf8)) else { throw malformed("it does not start with P1") }
        index = 2
        guard let width = number(), let height = number() else { throw malformed("no width and height after P1") }
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw malformed("\(width)x\(height) pixels; an icon is 1 to \(maximumSide) pixels on a side")
        }
        var bitmap = Bitmap(width: width, height: height)
        for pixel in 0..<(width * height) {
            skipSpaceAndComments()
            guard index < bytes.count else { throw malformed("it ends after \(pixel) of \(width * height) pixels") }
            switch bytes[index] {
            case UInt8(ascii: "1"): bitmap[pixel % width, pixel / width] = true
            case UInt8(ascii: "0"): break
            default: throw malformed("pixel \(pixel) is '\(Character(Unicode.Scalar(bytes[index])))', not 0 or 1")
            }
            index += 1
        }
        skipSpaceAndComments()
        guard index == bytes.count else { throw malformed("more than \(width * height) pixels") }
        return bitmap
    }
}

extension Bitmap {
    /// Every pixel as a `factor` x `factor` block of dots: enlarged without resampling.
    func scaled(by factor: Int) -> Bitmap {
        guard factor > 1 else { return self }
        var out = Bitmap(width: width * factor, height: height * factor)
        for y in 0..<height {
            for x in 0..<width where self[x, y] {
                out.fill(x: x * factor, y: y * factor, width: factor, height: factor, black: true)
            }
        }
        return out
    }
}

/// Dietary and accessibility pictograms on the badge. Like QR modules, icon pixels are whole
/// blocks of printer dots at whole-dot offsets, never resampled or anti-aliased, so a 24-pixel
/// leaf stays crisp at 6 mm on a 203 dpi head; and an icon is a tile whose white pixels are paper
/// (drawn opaque), so it reads the same on any background.
extension BadgeRenderer {
    func drawIcons(
        _ element: IconsElement, fields: [String: String], on canvas: CairoCanvas, report: inout ElementReport
    )
        throws(BadgeError)
    {
        let area = grid.rect(element.box)
        report.rect = area
        var wanted: [(item: String, file: String)] = []
        var seen = Set<String>()
        for field in element.from {
            for item in Condition.listItems(fields[field] ?? "") where seen.insert(item).inserted {
                if let file = element.icons[item] { wanted.append((item, file)) }
            }
        }
        let heightDots = max(1, grid.dots(element.sizeMM))
        let gap = grid.dots(element.gapMM)
        var chosen: [(item: String, file: String, bitmap: Bitmap, factor: Int)] = []
        var leftOut: [String] = []
        var rowWidth = 0
        for (item, file) in wanted {
            guard let icon = iconSet.bitmaps[file] else {
                throw BadgeError(.assetMissing, "icon '\(file)' was not loaded with the template", location: bundle.url(of: file).path)
            }
            let factor = max(1, heightDots / icon.height)
            let extra = (chosen.isEmpty ? 0 : gap) + icon.width * factor
            guard icon.height * factor <= area.height, rowWidth + extra <= area.width else {
                leftOut.append(item)
                continue
            }
            rowWidth += extra
            chosen.append((item, file, icon.scaled(by: factor), factor))
        }
        var x: Int =
            switch element.align {
            case .left: area.x
            case .center: area.x + (area.width - rowWidth) / 2
            case .right: area.x + area.width - rowWidth
            }
        var placed: [IconsReport.Placed] = []
        for icon in chosen {
            let y: Int =
                switch element.valign {
                case .top: area.y
                case .middle: area.y + (area.height - icon.bitmap.height) / 2
                case .bottom: area.y + area.height - icon.bitmap.height
                }
            try canvas.draw(icon.bitmap, atX: x, y: y, opaque: true)
            placed.append(
                IconsReport.Placed(
                    item: icon.item, file: icon.file, rect: DotRect(x: x, y: y, width: icon.bitmap.width, height: icon.bitmap.height),
                    dotsPerPixel: icon.factor))
            x += icon.bitmap.width + gap
        }
        report.icons = IconsReport(placed: placed, leftOut: leftOut)
        if !leftOut.isEmpty {
            report.issues.append(
                RenderIssue(
                    .warning, .iconsDoNotFit,
                    "\(leftOut.count) icon(s) do not fit the \(area.width)x\(area.height)-dot box and are left out: "
                        + leftOut.joined(separator: ", ")))
        }
    }
}
