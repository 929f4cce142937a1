import Foundation
import Raster
import Symbols

/// The code the technician page shows for the scanner self-test. Its payload holds what a
/// keyboard-wedge scanner set to the wrong keyboard country alters (y and z swap on a German
/// layout, digits shift on a French one, `|`, `-` and `_` move), so the page can say which
/// setting is wrong rather than only that the read differs.
public enum ScannerTestCode {
    public static let payload = "LANYARD-SCAN-TEST|yzYZ|-_/:.@|0123456789"

    /// The QR code as a PNG, `scale` pixels a module, with its quiet zone: sharp on any screen a
    /// scanner is held to.
    public static func png(scale: Int = 8) throws -> [UInt8] {
        let matrix = try QRCode.encode(payload, level: .medium).matrix
        let zone = QRCode.quietZoneModules
        let size = matrix.columns + 2 * zone
        var bitmap = Bitmap(width: size * scale, height: size * scale)
        for row in 0..<matrix.rows {
            for column in 0..<matrix.columns where matrix[column, row] {
                bitmap.fill(x: (column + zone) * scale, y: (row + zone) * scale, width: scale, height: scale, black: true)
            }
        }
        return try bitmap.png()
    }
}
