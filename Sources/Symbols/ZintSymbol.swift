internal import CZint

/// One libzint `zint_symbol`, deleted when this object goes away. Used for one encoding only.
final class ZintSymbol {
    private let symbol: UnsafeMutablePointer<zint_symbol>

    init(symbology: Symbology, options: BarcodeOptions) throws(SymbolError) {
        guard let symbol = ZBarcode_Create() else {
            throw SymbolError(code: .encoderFailed, message: "libzint could not allocate a symbol")
        }
        self.symbol = symbol
        switch symbology {
        case .code128:
            symbol.pointee.symbology = BARCODE_CODE128
            symbol.pointee.input_mode = DATA_MODE
        case .code39:
            symbol.pointee.symbology = BARCODE_CODE39
            symbol.pointee.input_mode = DATA_MODE
            symbol.pointee.option_2 = options.code39CheckCharacter ? 1 : 0
        case .pdf417:
            symbol.pointee.symbology = BARCODE_PDF417
            // UTF-8 in: zint converts to ISO-8859-1 where it can and adds an ECI otherwise.
            symbol.pointee.input_mode = UNICODE_MODE
            if let level = options.pdf417SecurityLevel { symbol.pointee.option_1 = Int32(level) }
            if let columns = options.pdf417Columns { symbol.pointee.option_2 = Int32(columns) }
        case .dataMatrix:
            symbol.pointee.symbology = BARCODE_DATAMATRIX
            symbol.pointee.input_mode = UNICODE_MODE
            if options.dataMatrixSquareOnly { symbol.pointee.option_3 = DM_SQUARE }
        case .aztec:
            symbol.pointee.symbology = BARCODE_AZTEC
            symbol.pointee.input_mode = UNICODE_MODE
            if let correction = options.aztecErrorCorrection { symbol.pointee.option_1 = Int32(correction.rawValue) }
        }
    }

    deinit {
        ZBarcode_Delete(symbol)
    }

    /// Runs zint's encoder (no rendering). Return codes below `ZINT_ERROR` are warnings (for
    /// example "ECI added") and the symbol is still valid.
    func encode(_ bytes: [UInt8]) throws(SymbolError) {
        guard !bytes.isEmpty else {
            throw SymbolError(code: .emptyInput, message: "libzint must not be given empty data")
        }
        let status = bytes.withUnsafeBufferPointer { buffer in
            ZBarcode_Encode(symbol, buffer.baseAddress, Int32(buffer.count))
        }
        guard status >= ZINT_ERROR else { return }
        let reason = errorText
        let code: SymbolErrorCode =
            switch status {
            case ZINT_ERROR_TOO_LONG: .capacityExceeded
            case ZINT_ERROR_INVALID_DATA: .invalidCharacter
            case ZINT_ERROR_INVALID_OPTION: .invalidOption
            default: .encoderFailed
            }
        throw SymbolError(code: code, message: "libzint rejected the data (status \(status))", cause: reason)
    }

    var errorText: String {
        withUnsafeBytes(of: &symbol.pointee.errtxt) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    var text: String {
        withUnsafeBytes(of: &symbol.pointee.text) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Reads the encoded rows. zint packs `encoded_data` 8 modules per byte with the leftmost
    /// module in bit 0 (its internal `module_is_set`), one fixed-size byte row per symbol row.
    /// The rows are read through the field's offset: touching the 200 x 144 tuple Swift imports
    /// for it as a value makes the compiler expand all 28,800 elements and stall for many minutes.
    func matrix(symbology: Symbology) throws(SymbolError) -> SymbolMatrix {
        let rows = Int(symbol.pointee.rows)
        let columns = Int(symbol.pointee.width)
        let rowStride = MemoryLayout.size(ofValue: symbol.pointee.encoded_data.0)
        guard let dataOffset = MemoryLayout<zint_symbol>.offset(of: \zint_symbol.encoded_data),
            let dataEnd = MemoryLayout<zint_symbol>.offset(of: \zint_symbol.row_height)
        else {
            throw SymbolError(code: .encoderFailed, message: "libzint's symbol layout is not addressable")
        }
        // Any padding before `row_height` is smaller than a row, so the division drops it.
        let rowCapacity = (dataEnd - dataOffset) / rowStride
        guard rows >= 1, rows <= rowCapacity, columns >= 1, columns <= rowStride * 8 else {
            throw SymbolError(
                code: .encoderFailed,
                message: "libzint produced a \(columns)x\(rows) symbol, outside its own buffer",
                cause: errorText
            )
        }
        let packed = [UInt8](
            UnsafeRawBufferPointer(start: UnsafeRawPointer(symbol) + dataOffset, count: rows * rowStride)
        )
        let rowHeights: [Int]? =
            switch symbology.layout {
            case .stacked: stackedRowHeights(rows: rows)
            case .linear, .matrix: nil
            }
        let humanReadable: String? =
            switch symbology {
            case .code39: Self.withoutStartStop(text)
            case .code128: text
            case .pdf417, .dataMatrix, .aztec: nil
            }
        return try SymbolMatrix(
            layout: symbology.layout,
            columns: columns,
            rows: rows,
            rowHeights: rowHeights,
            quietZone: symbology.quietZone,
            humanReadableText: humanReadable
        ) { column, row in
            let byte: UInt8 = packed[row * rowStride + column / 8]
            let mask: UInt8 = 1 << UInt8(column % 8)
            return byte & mask != 0
        }
    }

    /// Code 39 is printed without its `*` start/stop characters under the bars by convention.
    private static func withoutStartStop(_ text: String) -> String {
        var trimmed = Substring(text)
        if trimmed.hasPrefix("*") { trimmed = trimmed.dropFirst() }
        if trimmed.hasSuffix("*") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// Row heights in whole modules: zint's per-row heights when it filled them in, otherwise
    /// its overall height shared evenly (zint 2.11 leaves `row_height` empty for PDF417 until
    /// output and sets `height` to 3 modules a row, the ISO/IEC 15438 minimum).
    private func stackedRowHeights(rows: Int) -> [Int] {
        let overall: Double = Double(symbol.pointee.height) / Double(rows)
        return withUnsafeBytes(of: &symbol.pointee.row_height) { (raw: UnsafeRawBufferPointer) -> [Int] in
            var heights: [Int] = []
            for row in 0..<rows {
                let own = Double(raw.load(fromByteOffset: row * MemoryLayout<Float>.stride, as: Float.self))
                let height: Double = own > 0 ? own : overall
                heights.append(max(1, Int(height.rounded())))
            }
            return heights
        }
    }
}
