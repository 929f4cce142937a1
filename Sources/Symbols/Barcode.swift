/// Linear, stacked and matrix barcodes through libzint's encode-only path: the modules come from
/// zint's encoded rows, never from a rendered image, so every module is exact.
public enum Barcode {
    public static func encode(
        _ data: String,
        symbology: Symbology,
        options: BarcodeOptions = BarcodeOptions()
    ) throws(SymbolError) -> SymbolMatrix {
        try validate(data, symbology: symbology, options: options)
        let symbol = try ZintSymbol(symbology: symbology, options: options)
        try symbol.encode(Array(data.utf8))
        return try symbol.matrix(symbology: symbology)
    }

    /// Checks everything libzint would otherwise reject (or, worse, silently change: its Code 39
    /// upper-cases lower-case letters) so the caller gets a precise error, and so zint never sees
    /// empty input, which it reads past.
    static func validate(_ data: String, symbology: Symbology, options: BarcodeOptions) throws(SymbolError) {
        guard !data.isEmpty else {
            throw SymbolError(code: .emptyInput, message: "\(symbology.rawValue) needs at least one character of data")
        }
        let length: Int
        let unit: String
        switch symbology {
        case .code128, .code39:
            length = data.count
            unit = "characters"
        case .pdf417, .dataMatrix, .aztec:
            length = data.utf8.count
            unit = "bytes"
        }
        guard length <= symbology.maximumInputLength else {
            throw SymbolError(
                code: .inputTooLong,
                message:
                    "\(symbology.rawValue) data of \(length) \(unit) exceeds the \(symbology.maximumInputLength)-\(unit.dropLast()) maximum",
                capacity: SymbolError.Capacity(payloadLength: length, limit: symbology.maximumInputLength, unit: unit)
            )
        }
        switch symbology {
        case .code39:
            try requireCharacters(of: data, in: symbology) {
                Symbology.code39Characters.contains($0)
            } hint: { character in
                character.isLowercase
                    ? "Code 39 has no lower case; upper-case the data explicitly if that is acceptable"
                    : "Code 39 encodes only 0-9, A-Z, space and - . $ / + %"
            }
        case .code128:
            // Code 128 reaches Latin-1 only through FNC4, which many scanners ignore; ASCII is
            // what reads back reliably.
            try requireCharacters(of: data, in: symbology) {
                $0.isASCII
            } hint: { _ in
                "Code 128 data must be ASCII"
            }
        case .pdf417, .dataMatrix, .aztec:
            break
        }
        if symbology == .pdf417 {
            if let level = options.pdf417SecurityLevel, !(0...8).contains(level) {
                throw SymbolError(
                    code: .invalidOption,
                    message: "PDF417 security level must be within 0...8, got \(level)",
                    cause: "pdf417SecurityLevel"
                )
            }
            if let columns = options.pdf417Columns, !(1...30).contains(columns) {
                throw SymbolError(
                    code: .invalidOption,
                    message: "PDF417 data columns must be within 1...30, got \(columns)",
                    cause: "pdf417Columns"
                )
            }
        }
    }

    private static func requireCharacters(
        of data: String,
        in symbology: Symbology,
        allowed: (Character) -> Bool,
        hint: (Character) -> String
    ) throws(SymbolError) {
        for (offset, character) in data.enumerated() where !allowed(character) {
            let scalars = character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }
            throw SymbolError(
                code: .invalidCharacter,
                message: "\(symbology.rawValue) cannot encode \(scalars.joined(separator: " ")) at position \(offset): \(hint(character))",
                cause: String(character)
            )
        }
    }
}
