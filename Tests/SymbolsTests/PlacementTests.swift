import LanyardSupport
import Raster
import Symbols
import Testing

struct PlacementTests {
    /// Every dot of the placed bitmap equals the module it belongs to, quiet zones are white.
    static func expectExactPlacement(
        _ matrix: SymbolMatrix,
        _ bitmap: Bitmap,
        moduleDots: Int,
        barHeightDots: Int? = nil,
        includeQuietZone: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let left = includeQuietZone ? matrix.quietZone.horizontal * moduleDots : 0
        let top = includeQuietZone ? matrix.quietZone.vertical * moduleDots : 0
        var rowOfDot = [Int](repeating: -1, count: bitmap.height)
        var y = top
        for row in 0..<matrix.rows {
            let height = matrix.layout == .linear ? (barHeightDots ?? 0) : matrix.rowHeights[row] * moduleDots
            for dy in 0..<height { rowOfDot[y + dy] = row }
            y += height
        }
        var mismatches = 0
        for dotY in 0..<bitmap.height {
            for dotX in 0..<bitmap.width {
                let column = dotX >= left ? (dotX - left) / moduleDots : -1
                let row = rowOfDot[dotY]
                let expected = row >= 0 && column >= 0 && column < matrix.columns && matrix[column, row]
                if bitmap[dotX, dotY] != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "dots differing from their module", sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 2, 3, 5])
    func qrModulesAreWholeDotSquares(moduleDots: Int) throws {
        let matrix = try QRCode.encode("LANYARD-000123").matrix
        let bitmap = try matrix.bitmap(moduleDots: moduleDots)
        #expect(bitmap.width == (matrix.columns + 8) * moduleDots)
        #expect(bitmap.height == (matrix.rows + 8) * moduleDots)
        #expect(bitmap.blackDotCount == matrix.darkModuleCount * moduleDots * moduleDots)
        Self.expectExactPlacement(matrix, bitmap, moduleDots: moduleDots)
    }

    @Test func quietZoneIsWhiteOnAllSides() throws {
        let matrix = try QRCode.encode("quiet").matrix
        let moduleDots = 3
        let bitmap = try matrix.bitmap(moduleDots: moduleDots)
        let margin = 4 * moduleDots
        for y in 0..<bitmap.height {
            for x in 0..<bitmap.width where x < margin || y < margin || x >= bitmap.width - margin || y >= bitmap.height - margin {
                #expect(!bitmap[x, y], "quiet zone dot (\(x), \(y))")
            }
        }
        // The finder's corner module starts right after the quiet zone.
        #expect(bitmap[margin, margin])
        #expect(!bitmap[margin - 1, margin])
    }

    @Test func withoutQuietZoneTheSymbolTouchesTheEdges() throws {
        let matrix = try QRCode.encode("edge").matrix
        let bitmap = try matrix.bitmap(moduleDots: 2, includeQuietZone: false)
        #expect(bitmap.width == matrix.columns * 2)
        #expect(bitmap[0, 0])
        #expect(bitmap.blackDotCount == matrix.darkModuleCount * 4)
        Self.expectExactPlacement(matrix, bitmap, moduleDots: 2, includeQuietZone: false)
    }

    @Test func linearBarsSpanTheGivenHeight() throws {
        let matrix = try Barcode.encode("ABC123", symbology: .code128)
        let bitmap = try matrix.bitmap(moduleDots: 2, barHeightDots: 50)
        #expect(bitmap.width == (101 + 20) * 2)
        #expect(bitmap.height == 50)
        #expect(bitmap.blackDotCount == matrix.darkModuleCount * 2 * 50)
        for x in 0..<20 { #expect(!bitmap[x, 0] && !bitmap[bitmap.width - 1 - x, 49]) }
        #expect(bitmap[20, 0] && bitmap[20, 49])
        Self.expectExactPlacement(matrix, bitmap, moduleDots: 2, barHeightDots: 50)
    }

    @Test func linearDefaultBarHeightIsFifteenPercentOfTheBars() throws {
        let matrix = try Barcode.encode("ABC123", symbology: .code39)
        let bitmap = try matrix.bitmap(moduleDots: 3)
        // 103 modules x 3 dots = 309 dots of bars; 15% = 46.35, rounded up.
        #expect(matrix.defaultBarHeightDots(moduleDots: 3) == 47)
        #expect(bitmap.height == 47)
        #expect(bitmap.blackDotCount == matrix.darkModuleCount * 3 * 47)
    }

    @Test func stackedRowsKeepTheirHeight() throws {
        let matrix = try Barcode.encode("Ada Lovelace|ADA-42", symbology: .pdf417)
        let bitmap = try matrix.bitmap(moduleDots: 2)
        #expect(bitmap.height == (matrix.rows * 3 + 4) * 2)
        #expect(bitmap.width == (matrix.columns + 4) * 2)
        #expect(bitmap.blackDotCount == matrix.darkModuleCount * 3 * 2 * 2)
        Self.expectExactPlacement(matrix, bitmap, moduleDots: 2)
    }

    @Test(arguments: Symbology.allCases)
    func everySymbologyPlacesExactly(symbology: Symbology) throws {
        let matrix = try Barcode.encode("PLACE 7", symbology: symbology)
        let bitmap = try matrix.bitmap(moduleDots: 3, barHeightDots: 40)
        let rowModules = matrix.layout == .linear ? 0 : matrix.rowHeights.reduce(0, +)
        let expectedBlack =
            matrix.layout == .linear
            ? matrix.darkModuleCount * 3 * 40
            : (0..<matrix.rows).reduce(0) { sum, row in
                sum + (0..<matrix.columns).filter { matrix[$0, row] }.count * matrix.rowHeights[row] * 9
            }
        #expect(bitmap.blackDotCount == expectedBlack)
        if matrix.layout != .linear {
            #expect(bitmap.height == (rowModules + 2 * matrix.quietZone.vertical) * 3)
        }
        Self.expectExactPlacement(matrix, bitmap, moduleDots: 3, barHeightDots: 40)
    }

    @Test(arguments: [0, -2])
    func moduleSizeBelowOneDotIsAnError(moduleDots: Int) throws {
        let matrix = try QRCode.encode("x").matrix
        let error = try #require(throws: SymbolError.self) { try matrix.bitmap(moduleDots: moduleDots) }
        #expect(error.code == .invalidPlacement)
    }

    @Test func zeroBarHeightAndOversizedSymbolsAreErrors() throws {
        let linear = try Barcode.encode("A", symbology: .code128)
        let flat = try #require(throws: SymbolError.self) { try linear.bitmap(moduleDots: 2, barHeightDots: 0) }
        #expect(flat.code == .invalidPlacement)
        let qr = try QRCode.encode("x").matrix
        let huge = try #require(throws: SymbolError.self) { try qr.bitmap(moduleDots: Int.max / 2) }
        #expect(huge.code == .invalidPlacement)
    }

    /// Version 1 with its quiet zone is 29 modules.
    @Test(arguments: [(100, 100, 3), (100, 60, 2), (29, 29, 1), (58, 200, 2)])
    func largestModuleForAMatrixBox(width: Int, height: Int, expected: Int) throws {
        let matrix = try QRCode.encode("box", level: .low).matrix
        #expect(matrix.largestModuleDots(fittingWidth: width, height: height) == expected)
    }

    @Test func nothingFitsABoxSmallerThanOneDotModules() throws {
        let matrix = try QRCode.encode("box", level: .low).matrix
        #expect(matrix.largestModuleDots(fittingWidth: 28, height: 500) == nil)
        #expect(matrix.largestModuleDots(fittingWidth: 500, height: 28) == nil)
        #expect(matrix.largestModuleDots(fittingWidth: 21, height: 21, includeQuietZone: false) == 1)
    }

    @Test func largestModuleForALinearBox() throws {
        let matrix = try Barcode.encode("ABC123", symbology: .code128)  // 121 modules with quiet zones
        #expect(matrix.largestModuleDots(fittingWidth: 250, height: 40, barHeightDots: 40) == 2)
        #expect(matrix.largestModuleDots(fittingWidth: 250, height: 39, barHeightDots: 40) == nil)
        #expect(matrix.largestModuleDots(fittingWidth: 120, height: 40, barHeightDots: 40) == nil)
        // With the default bar height the height limits too: 3 dots need 46, 2 dots 31, 1 dot 16.
        #expect(matrix.largestModuleDots(fittingWidth: 363, height: 100) == 3)
        #expect(matrix.largestModuleDots(fittingWidth: 363, height: 45) == 2)
        #expect(matrix.largestModuleDots(fittingWidth: 363, height: 15) == nil)
    }

    /// The chosen size fits and one dot more does not, for boxes of many shapes.
    @Test(arguments: Symbology.allCases)
    func largestModuleIsTheLargestThatFits(symbology: Symbology) throws {
        let matrix = try Barcode.encode("FIT 1234", symbology: symbology)
        for width in stride(from: 40, through: 700, by: 37) {
            for height in stride(from: 10, through: 400, by: 29) {
                guard let dots = matrix.largestModuleDots(fittingWidth: width, height: height) else {
                    if let one = try? matrix.placedSize(moduleDots: 1) {
                        #expect(one.width > width || one.height > height)
                    }
                    continue
                }
                let size = try matrix.placedSize(moduleDots: dots)
                #expect(size.width <= width && size.height <= height)
                let bigger = try matrix.placedSize(moduleDots: dots + 1)
                #expect(bigger.width > width || bigger.height > height)
                let bitmap = try matrix.bitmap(moduleDots: dots)
                #expect(bitmap.width == size.width && bitmap.height == size.height)
            }
        }
    }
}
