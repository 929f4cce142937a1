/// The barcode symbologies Lanyard prints through libzint (QR codes go through libqrencode,
/// see `QRCode`). libzint draws Code 39's wide elements 2 modules wide (a 2:1 ratio, the low end
/// of what the symbology allows); placement keeps that ratio exact because modules are whole dots.
public enum Symbology: String, Sendable, CaseIterable, Hashable {
    case code128
    case code39
    case pdf417
    case dataMatrix
    case aztec

    public var layout: SymbolMatrix.Layout {
        switch self {
        case .code128, .code39: .linear
        case .pdf417: .stacked
        case .dataMatrix, .aztec: .matrix
        }
    }

    /// Recommended clear space, per side, from each symbology's standard:
    /// Code 128 10 X left and right (ISO/IEC 15417); Code 39 10 X left and right (ISO/IEC 16388);
    /// PDF417 2 X on all sides (ISO/IEC 15438); Data Matrix 1 X on all sides (ISO/IEC 16022).
    /// Aztec (ISO/IEC 24778) needs none thanks to its central finder; Lanyard still keeps 1 module
    /// so badge artwork cannot touch the outer data layer and be read as part of it.
    public var quietZone: SymbolMatrix.QuietZone {
        switch self {
        case .code128, .code39: SymbolMatrix.QuietZone(horizontal: 10, vertical: 0)
        case .pdf417: .uniform(2)
        case .dataMatrix, .aztec: .uniform(1)
        }
    }

    /// Input longer than this can never fit, whatever it contains, so it is refused before the
    /// encoder sees it: for Code 39 and Code 128 libzint's own input limits (in characters), for
    /// the 2D codes the numeric-only capacity of the largest symbol (in UTF-8 bytes). Shorter
    /// input can still be too long for its content; libzint then reports the capacity error.
    public var maximumInputLength: Int {
        switch self {
        case .code128: 160
        case .code39: 85
        case .pdf417: 2710
        case .dataMatrix: 3116
        case .aztec: 3832
        }
    }

    /// The characters Code 39 can encode: digits, upper-case letters, space and `-.$/+%`. The
    /// start/stop character `*` is added by the encoder and refused in data.
    public static let code39Characters: Set<Character> = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
}

/// Per-symbology settings; each is ignored by the symbologies it does not name.
public struct BarcodeOptions: Sendable, Equatable, Hashable {
    /// Aztec error correction as the share of codewords spent on it (plus 3 codewords).
    public enum AztecErrorCorrection: Int, Sendable, CaseIterable, Hashable {
        case percent10 = 1
        case percent23 = 2
        case percent36 = 3
        case percent50 = 4
    }

    /// Appends the modulo-43 check character to Code 39 (it shows in the human-readable text).
    public var code39CheckCharacter: Bool
    /// PDF417 error-correction level 0...8; nil lets libzint choose by data length.
    public var pdf417SecurityLevel: Int?
    /// PDF417 data columns 1...30; nil lets libzint choose.
    public var pdf417Columns: Int?
    /// Only square Data Matrix sizes (libzint otherwise may pick a rectangle, which fits badge
    /// layouts designed around a square box badly).
    public var dataMatrixSquareOnly: Bool
    /// nil uses libzint's default (23% + 3 codewords).
    public var aztecErrorCorrection: AztecErrorCorrection?

    public init(
        code39CheckCharacter: Bool = false,
        pdf417SecurityLevel: Int? = nil,
        pdf417Columns: Int? = nil,
        dataMatrixSquareOnly: Bool = true,
        aztecErrorCorrection: AztecErrorCorrection? = nil
    ) {
        self.code39CheckCharacter = code39CheckCharacter
        self.pdf417SecurityLevel = pdf417SecurityLevel
        self.pdf417Columns = pdf417Columns
        self.dataMatrixSquareOnly = dataMatrixSquareOnly
        self.aztecErrorCorrection = aztecErrorCorrection
    }
}
