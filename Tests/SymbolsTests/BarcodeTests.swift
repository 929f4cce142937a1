import LanyardSupport
import Symbols
import Testing

struct BarcodeTests {
    /// The modules of one row as a string of 1 (dark) and 0 (light).
    static func row(_ matrix: SymbolMatrix, _ row: Int = 0) -> String {
        String((0..<matrix.columns).map { matrix[$0, row] ? "1" : "0" })
    }

    /// Bar/space widths as modules, starting with a bar: Code 128's notation for patterns.
    static func modules(_ widths: String) -> String {
        widths.enumerated().map { index, width in
            String(repeating: index.isMultiple(of: 2) ? "1" : "0", count: Int(String(width)) ?? 0)
        }.joined()
    }

    /// "ABC123" in code set B: start, 6 data characters and the check character at 11 modules
    /// each, then the 13-module stop pattern: 8 x 11 + 13 = 101.
    @Test func code128HasTheExpectedModules() throws {
        let matrix = try Barcode.encode("ABC123", symbology: .code128)
        #expect(matrix.columns == 8 * 11 + 13)
        #expect(matrix.rows == 1)
        #expect(matrix.layout == .linear)
        #expect(matrix.rowHeights == [1])
        #expect(matrix.quietZone == SymbolMatrix.QuietZone(horizontal: 10, vertical: 0))
        #expect(matrix.humanReadableText == "ABC123")
        let modules = Self.row(matrix)
        #expect(modules.hasPrefix(Self.modules("211214")))  // start B
        #expect(modules.dropFirst(11).hasPrefix(Self.modules("111323")))  // "A"
        #expect(modules.hasSuffix(Self.modules("2331112")))  // stop
    }

    /// Digits pack two to a character in code set C: start C, 3 pairs, check, stop.
    @Test func code128PacksDigitPairs() throws {
        let matrix = try Barcode.encode("123456", symbology: .code128)
        #expect(matrix.columns == 5 * 11 + 13)
        #expect(Self.row(matrix).hasPrefix(Self.modules("211232")))  // start C
    }

    /// libzint draws Code 39 with wide elements of 2 modules: 6 narrow + 3 wide = 12 modules a
    /// character, plus a 1-module gap between characters. "*ABC123*" is 8 characters.
    @Test func code39HasTheExpectedModules() throws {
        let matrix = try Barcode.encode("ABC123", symbology: .code39)
        #expect(matrix.columns == 8 * 13 - 1)
        #expect(matrix.humanReadableText == "ABC123")
        #expect(matrix.quietZone == SymbolMatrix.QuietZone(horizontal: 10, vertical: 0))
        #expect(Self.row(matrix).hasPrefix("100101101101"))  // "*": n W n w N n N n n
    }

    /// Modulo 43 of A(10) + B(11) + C(12) = 33, which is "X".
    @Test func code39CheckCharacterIsAppended() throws {
        let matrix = try Barcode.encode(
            "ABC",
            symbology: .code39,
            options: BarcodeOptions(code39CheckCharacter: true)
        )
        #expect(matrix.humanReadableText == "ABCX")
        #expect(matrix.columns == 6 * 13 - 1)
    }

    @Test(arguments: [("abc", 0, "a"), ("AB*C", 2, "*"), ("ABÄ", 2, "Ä"), ("A_B", 1, "_")])
    func code39RefusesCharactersOutsideItsSet(data: String, position: Int, character: String) throws {
        let error = try #require(throws: SymbolError.self) { try Barcode.encode(data, symbology: .code39) }
        #expect(error.code == .invalidCharacter)
        #expect(error.cause == character)
        #expect(error.message.contains("position \(position)"))
    }

    @Test func code39NamesLowerCaseAsTheProblem() throws {
        let error = try #require(throws: SymbolError.self) { try Barcode.encode("Smith", symbology: .code39) }
        #expect(error.message.contains("lower case"))
    }

    @Test func code128RefusesNonASCII() throws {
        let error = try #require(throws: SymbolError.self) { try Barcode.encode("Café", symbology: .code128) }
        #expect(error.code == .invalidCharacter)
        #expect(error.message.contains("U+E9"))
    }

    @Test(arguments: Symbology.allCases)
    func emptyDataIsAnErrorNotACrash(symbology: Symbology) throws {
        let error = try #require(throws: SymbolError.self) { try Barcode.encode("", symbology: symbology) }
        #expect(error.code == .emptyInput)
    }

    @Test(arguments: Symbology.allCases)
    func inputBeyondTheHardLimitIsRefusedBeforeEncoding(symbology: Symbology) throws {
        let data = String(repeating: "7", count: symbology.maximumInputLength + 1)
        let error = try #require(throws: SymbolError.self) { try Barcode.encode(data, symbology: symbology) }
        #expect(error.code == .inputTooLong)
        #expect(error.capacity?.limit == symbology.maximumInputLength)
        #expect(error.capacity?.payloadLength == symbology.maximumInputLength + 1)
    }

    /// Under libzint's input limit but over Code 128's 60 symbol characters: zint's own message
    /// becomes the cause.
    @Test func code128SymbolCharacterLimitComesFromZint() throws {
        let error = try #require(throws: SymbolError.self) {
            try Barcode.encode(String(repeating: "Q", count: 100), symbology: .code128)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.cause?.contains("60") == true)
    }

    @Test func dataMatrixTooLongForTheLargestSymbolIsACapacityError() throws {
        let error = try #require(throws: SymbolError.self) {
            try Barcode.encode(String(repeating: "é", count: 1558), symbology: .dataMatrix)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.cause?.isEmpty == false)
    }

    /// A PDF417 row is start (17) + left indicator (17) + data columns (17 each) + right
    /// indicator (17) + stop (18) modules; rows are 3 modules tall.
    @Test func pdf417HasRowsOfWholeCodewords() throws {
        let matrix = try Barcode.encode(
            "Ada Lovelace|ADA-42|Speaker",
            symbology: .pdf417,
            options: BarcodeOptions(pdf417Columns: 3)
        )
        #expect(matrix.layout == .stacked)
        #expect(matrix.columns == 69 + 17 * 3)
        #expect(matrix.rows >= 3)
        #expect(matrix.rowHeights == [Int](repeating: 3, count: matrix.rows))
        #expect(matrix.quietZone == .uniform(2))
        #expect(matrix.humanReadableText == nil)
        for row in 0..<matrix.rows {
            #expect(Self.row(matrix, row).hasPrefix("11111111010101000"), "start pattern in row \(row)")
            #expect(Self.row(matrix, row).hasSuffix("111111101000101001"), "stop pattern in row \(row)")
        }
    }

    @Test(arguments: [-1, 9])
    func pdf417SecurityLevelIsValidated(level: Int) throws {
        let error = try #require(throws: SymbolError.self) {
            try Barcode.encode("x", symbology: .pdf417, options: BarcodeOptions(pdf417SecurityLevel: level))
        }
        #expect(error.code == .invalidOption)
        #expect(error.cause == "pdf417SecurityLevel")
    }

    @Test(arguments: [0, 31])
    func pdf417ColumnsAreValidated(columns: Int) throws {
        let error = try #require(throws: SymbolError.self) {
            try Barcode.encode("x", symbology: .pdf417, options: BarcodeOptions(pdf417Columns: columns))
        }
        #expect(error.cause == "pdf417Columns")
    }

    /// The "L" finder: solid left column and bottom row; alternating top row and right column.
    @Test func dataMatrixHasItsFinderPattern() throws {
        let matrix = try Barcode.encode("ATTENDEE:000123", symbology: .dataMatrix)
        #expect(matrix.layout == .matrix)
        #expect(matrix.columns == matrix.rows)
        #expect(matrix.columns.isMultiple(of: 2))
        #expect(matrix.quietZone == .uniform(1))
        let last = matrix.columns - 1
        for index in 0...last {
            #expect(matrix[0, index], "left column")
            #expect(matrix[index, last], "bottom row")
            #expect(matrix[index, 0] == index.isMultiple(of: 2), "top row")
            #expect(matrix[last, index] == !index.isMultiple(of: 2), "right column")
        }
    }

    @Test func dataMatrixMayBeRectangularWhenAllowed() throws {
        let data = "Hello World 12345678"
        let square = try Barcode.encode(data, symbology: .dataMatrix)
        let any = try Barcode.encode(data, symbology: .dataMatrix, options: BarcodeOptions(dataMatrixSquareOnly: false))
        #expect(square.columns == square.rows)
        #expect(any.columns != any.rows)
        #expect(any.columns * any.rows < square.columns * square.rows)
    }

    /// Compact Aztec symbols are 15, 19, 23 or 27 modules; all have a dark centre module inside
    /// the bullseye's alternating rings.
    @Test func aztecIsASquareAroundItsBullseye() throws {
        let matrix = try Barcode.encode("ATTENDEE:000123", symbology: .aztec)
        #expect(matrix.columns == matrix.rows)
        #expect([15, 19, 23, 27].contains(matrix.columns))
        #expect(matrix.quietZone == .uniform(1))
        let centre = matrix.columns / 2
        for ring in 0...4 {
            #expect(matrix[centre + ring, centre] == ring.isMultiple(of: 2), "bullseye ring \(ring)")
            #expect(matrix[centre, centre - ring] == ring.isMultiple(of: 2), "bullseye ring \(ring)")
        }
    }

    @Test func strongerAztecCorrectionNeedsMoreModules() throws {
        let data = "ATTENDEE:000123 Speaker Track B"
        let weak = try Barcode.encode(data, symbology: .aztec, options: BarcodeOptions(aztecErrorCorrection: .percent10))
        let strong = try Barcode.encode(data, symbology: .aztec, options: BarcodeOptions(aztecErrorCorrection: .percent50))
        #expect(strong.columns > weak.columns)
    }

    @Test(arguments: Symbology.allCases)
    func encodingIsDeterministic(symbology: Symbology) throws {
        let first = try Barcode.encode("ID 42", symbology: symbology)
        let second = try Barcode.encode("ID 42", symbology: symbology)
        #expect(first == second)
        #expect(first.layout == symbology.layout)
        #expect(first.darkModuleCount > 0)
    }

    @Test func matricesAreValidated() throws {
        let empty = try #require(throws: SymbolError.self) {
            try SymbolMatrix(layout: .matrix, columns: 0, rows: 3, quietZone: .uniform(1)) { _, _ in true }
        }
        #expect(empty.code == .invalidMatrix)
        let tallLinear = try #require(throws: SymbolError.self) {
            try SymbolMatrix(layout: .linear, columns: 5, rows: 2, quietZone: .uniform(0)) { _, _ in true }
        }
        #expect(tallLinear.code == .invalidMatrix)
        let wrongHeights = try #require(throws: SymbolError.self) {
            try SymbolMatrix(layout: .stacked, columns: 5, rows: 2, rowHeights: [3], quietZone: .uniform(0)) { _, _ in true }
        }
        #expect(wrongHeights.code == .invalidMatrix)
    }
}
