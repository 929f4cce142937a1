import Foundation
import LanyardSupport
import Printers
import Raster
import TestSupport

enum Fixtures {
    /// The repository root (`TestSupport`).
    static let repositoryRoot: URL = Repository.root

    static var profilesDirectory: String { repositoryRoot.appendingPathComponent("firmware-profiles").path }

    /// A bitmap whose dots are black with probability `density`.
    static func noise(width: Int, height: Int, density: Double, seed: UInt64) -> Bitmap {
        var generator = SplitMix64(seed: seed)
        var bitmap = Bitmap(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width where Double.random(in: 0..<1, using: &generator) < density {
                bitmap[x, y] = true
            }
        }
        return bitmap
    }

    /// Random horizontal bars and repeated rows: long runs, `,`/`!` row ends and `:` repeats.
    static func blocks(width: Int, height: Int, seed: UInt64) -> Bitmap {
        var generator = SplitMix64(seed: seed)
        var bitmap = Bitmap(width: width, height: height)
        var y = 0
        while y < height {
            let bandHeight = Int.random(in: 1...6, using: &generator)
            let x = Int.random(in: 0..<max(width, 1), using: &generator)
            let barWidth = Int.random(in: 0...width, using: &generator)
            let toEdge = Bool.random(using: &generator)
            bitmap.fill(x: x, y: y, width: toEdge ? width : barWidth, height: bandHeight, black: true)
            y += bandHeight + Int.random(in: 0...3, using: &generator)
        }
        return bitmap
    }

    /// A 4 x 3 in badge at 300 dpi (1200 x 900): three lines of letter-like strokes and a
    /// 33 x 33-module QR-like block at 8 dots per module; about 9 % black.
    static func badgeLike(seed: UInt64 = 99) -> Bitmap {
        var generator = SplitMix64(seed: seed)
        var badge = Bitmap(width: 1200, height: 900)
        for (line, glyphHeight) in [(0, 90), (1, 60), (2, 40)] {
            var x = 60
            let top = 80 + line * 150
            while x < 1100 {
                let glyphWidth = Int.random(in: glyphHeight / 3...glyphHeight * 2 / 3, using: &generator)
                let stroke = max(glyphHeight / 9, 3)
                badge.fill(x: x, y: top, width: stroke, height: glyphHeight, black: true)
                badge.fill(x: x, y: top, width: glyphWidth, height: stroke, black: true)
                if Bool.random(using: &generator) {
                    badge.fill(x: x + glyphWidth - stroke, y: top, width: stroke, height: glyphHeight, black: true)
                }
                if Bool.random(using: &generator) {
                    badge.fill(x: x, y: top + glyphHeight - stroke, width: glyphWidth, height: stroke, black: true)
                }
                x += glyphWidth + stroke * 2
            }
        }
        for moduleY in 0..<33 {
            for moduleX in 0..<33 where Bool.random(using: &generator) {
                badge.fill(x: 880 + moduleX * 8, y: 560 + moduleY * 8, width: 8, height: 8, black: true)
            }
        }
        return badge
    }

    /// 16 x 4 pattern used by the golden tests: rows FF00, FF00, 0FF0, 0000.
    static func goldenBitmap() throws -> Bitmap {
        try Bitmap(width: 16, height: 4, packedRows: [0xFF, 0x00, 0xFF, 0x00, 0x0F, 0xF0, 0x00, 0x00])
    }

    static func settings(width: Int, length: Int) -> JobSettings {
        JobSettings(
            darkness: 20, eplDensity: 10, speedIPS: 4, mediaTracking: .gap, mediaType: .directThermal,
            printMode: .tearOff, copies: 1, labelWidthDots: width, labelLengthDots: length
        )
    }

    static func profile(_ id: String) throws -> PrinterProfile {
        try ProfileLibrary.load(file: profilesDirectory + "/" + id + ".yaml")
    }
}

/// A scratch directory removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("printers-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension Array where Element == UInt8 {
    var ascii: String { String(decoding: self, as: UTF8.self) }
}
