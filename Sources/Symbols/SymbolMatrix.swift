/// A symbol as a grid of modules, before it meets a printer: the exact modules the encoder
/// produced, how tall each row is, and how much clear space the symbology asks for. Placement on
/// dots (`bitmap(moduleDots:...)`) is a separate step so one encoding serves every dpi.
public struct SymbolMatrix: Sendable, Equatable, Hashable {
    /// How rows become dots. Linear codes have one row whose height is chosen at placement;
    /// stacked codes (PDF417) have rows several modules tall; matrix codes have square modules.
    public enum Layout: String, Sendable, Hashable {
        case linear
        case stacked
        case matrix
    }

    /// Clear space in modules on each side. Linear codes only need it left and right, which is
    /// why the two directions are separate.
    public struct QuietZone: Sendable, Equatable, Hashable {
        /// Modules of white on the left and, again, on the right.
        public let horizontal: Int
        /// Modules of white above and, again, below.
        public let vertical: Int

        public init(horizontal: Int, vertical: Int) {
            self.horizontal = horizontal
            self.vertical = vertical
        }

        public static func uniform(_ modules: Int) -> QuietZone {
            QuietZone(horizontal: modules, vertical: modules)
        }
    }

    public let layout: Layout
    /// Modules across.
    public let columns: Int
    /// Module rows (one for a linear code).
    public let rows: Int
    /// Height of each row in modules. For `.linear` the single entry is 1: the bar height is
    /// chosen at placement, in dots.
    public let rowHeights: [Int]
    /// The recommended clear space (see each encoder for the standard it follows).
    public let quietZone: QuietZone
    /// The text printed under a linear code by convention (Code 39 without its `*` start/stop
    /// characters); nil for 2D symbols, which carry no human-readable line.
    public let humanReadableText: String?
    /// Bytes per module row in `packedModules`.
    public let bytesPerRow: Int
    /// Module rows packed like `Bitmap` (leftmost module in bit 7, 1 = dark, zero padding), so
    /// equal symbols compare equal byte for byte.
    public let packedModules: [UInt8]

    /// Builds a matrix from a predicate; `isDark(column, row)` is asked once per module.
    public init(
        layout: Layout,
        columns: Int,
        rows: Int,
        rowHeights: [Int]? = nil,
        quietZone: QuietZone,
        humanReadableText: String? = nil,
        isDark: (_ column: Int, _ row: Int) -> Bool
    ) throws(SymbolError) {
        guard columns > 0, rows > 0 else {
            throw SymbolError(code: .invalidMatrix, message: "a symbol needs at least one module, got \(columns)x\(rows)")
        }
        guard layout != .linear || rows == 1 else {
            throw SymbolError(code: .invalidMatrix, message: "a linear symbol has one row, got \(rows)")
        }
        let heights = rowHeights ?? [Int](repeating: 1, count: rows)
        guard heights.count == rows, heights.allSatisfy({ $0 > 0 }) else {
            throw SymbolError(
                code: .invalidMatrix,
                message: "expected \(rows) positive row heights, got \(heights)"
            )
        }
        guard layout != .linear || heights == [1] else {
            throw SymbolError(code: .invalidMatrix, message: "a linear symbol's row height is set at placement")
        }
        guard layout != .matrix || heights.allSatisfy({ $0 == 1 }) else {
            throw SymbolError(code: .invalidMatrix, message: "a matrix symbol has square modules (row height 1)")
        }
        guard quietZone.horizontal >= 0, quietZone.vertical >= 0 else {
            throw SymbolError(code: .invalidMatrix, message: "quiet zone must not be negative")
        }
        let stride = (columns + 7) / 8
        var packed = [UInt8](repeating: 0, count: stride * rows)
        for row in 0..<rows {
            for column in 0..<columns where isDark(column, row) {
                packed[row * stride + column >> 3] |= 0x80 >> UInt8(column & 7)
            }
        }
        self.layout = layout
        self.columns = columns
        self.rows = rows
        self.rowHeights = heights
        self.quietZone = quietZone
        self.humanReadableText = humanReadableText
        self.bytesPerRow = stride
        self.packedModules = packed
    }

    /// Whether the module at (column, row) is dark; outside the symbol is light.
    public subscript(column: Int, row: Int) -> Bool {
        guard column >= 0, row >= 0, column < columns, row < rows else { return false }
        return packedModules[row * bytesPerRow + column >> 3] & (0x80 >> UInt8(column & 7)) != 0
    }

    public var darkModuleCount: Int {
        packedModules.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Modules across, with the left and right quiet zones when asked.
    public func totalColumns(includeQuietZone: Bool) -> Int {
        columns + (includeQuietZone ? 2 * quietZone.horizontal : 0)
    }

    /// Module heights stacked top to bottom, with the top and bottom quiet zones when asked.
    /// For `.linear` the bar counts as one module; its real height is set at placement.
    public func totalRowModules(includeQuietZone: Bool) -> Int {
        rowHeights.reduce(0, +) + (includeQuietZone ? 2 * quietZone.vertical : 0)
    }
}
