public import Raster

/// Placement of a symbol on printer dots. A thermal head can only print whole dots, so every
/// module is an integer number of dots wide and tall: a module of 2.5 dots would come out as a
/// mix of 2- and 3-dot bars and ruin the width ratios scanners rely on. Nothing here scales,
/// resamples or anti-aliases.
extension SymbolMatrix {
    /// Width and height of a placed symbol, in dots.
    public struct DotSize: Sendable, Equatable, Hashable {
        public let width: Int
        public let height: Int

        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    /// The largest side a placed symbol may have, in dots. It bounds memory for a mistaken
    /// module size (a metre of label at 300 dpi is under 12,000 dots).
    public static let maximumPlacedSide = 32_000

    /// The bar height used when none is given: 15% of the bars' width (the usual minimum
    /// height for linear symbols, which keeps the code scannable at an angle), at least 1 dot.
    /// The absolute floor in millimetres is the layout's job, as only it knows the dpi.
    public func defaultBarHeightDots(moduleDots: Int) -> Int {
        max(1, (15 * columns * moduleDots + 99) / 100)
    }

    /// The size `bitmap(moduleDots:barHeightDots:includeQuietZone:)` would produce.
    public func placedSize(
        moduleDots: Int,
        barHeightDots: Int? = nil,
        includeQuietZone: Bool = true
    ) throws(SymbolError) -> DotSize {
        guard moduleDots >= 1 else {
            throw SymbolError(code: .invalidPlacement, message: "module size must be at least 1 dot, got \(moduleDots)")
        }
        if let barHeightDots, barHeightDots < 1 {
            throw SymbolError(code: .invalidPlacement, message: "bar height must be at least 1 dot, got \(barHeightDots)")
        }
        let widthModules = totalColumns(includeQuietZone: includeQuietZone)
        let (width, widthOverflow) = widthModules.multipliedReportingOverflow(by: moduleDots)
        let height: Int
        let heightOverflow: Bool
        switch layout {
        case .linear:
            let bar = barHeightDots ?? defaultBarHeightDots(moduleDots: moduleDots)
            let margin = (includeQuietZone ? 2 * quietZone.vertical : 0).multipliedReportingOverflow(by: moduleDots)
            let total = bar.addingReportingOverflow(margin.partialValue)
            (height, heightOverflow) = (total.partialValue, margin.overflow || total.overflow)
        case .stacked, .matrix:
            (height, heightOverflow) = totalRowModules(includeQuietZone: includeQuietZone)
                .multipliedReportingOverflow(by: moduleDots)
        }
        guard !widthOverflow, !heightOverflow, width <= Self.maximumPlacedSide, height <= Self.maximumPlacedSide else {
            throw SymbolError(
                code: .invalidPlacement,
                message: "a \(moduleDots)-dot module makes the symbol larger than \(Self.maximumPlacedSide) dots on a side"
            )
        }
        return DotSize(width: width, height: height)
    }

    /// Renders the symbol with each module an exact `moduleDots` x `moduleDots` square (rows of a
    /// stacked code are `rowHeights[row] * moduleDots` tall; a linear code's bars are
    /// `barHeightDots` tall, or `defaultBarHeightDots` when nil). The quiet zone, when included,
    /// is white dots around the symbol.
    public func bitmap(
        moduleDots: Int,
        barHeightDots: Int? = nil,
        includeQuietZone: Bool = true
    ) throws(SymbolError) -> Bitmap {
        let size = try placedSize(moduleDots: moduleDots, barHeightDots: barHeightDots, includeQuietZone: includeQuietZone)
        var bitmap = Bitmap(width: size.width, height: size.height)
        let originX = includeQuietZone ? quietZone.horizontal * moduleDots : 0
        var y = includeQuietZone ? quietZone.vertical * moduleDots : 0
        for row in 0..<rows {
            let rowDots: Int
            switch layout {
            case .linear: rowDots = barHeightDots ?? defaultBarHeightDots(moduleDots: moduleDots)
            case .stacked, .matrix: rowDots = rowHeights[row] * moduleDots
            }
            var column = 0
            while column < columns {
                guard self[column, row] else {
                    column += 1
                    continue
                }
                let start = column
                while column < columns, self[column, row] { column += 1 }
                bitmap.fill(
                    x: originX + start * moduleDots,
                    y: y,
                    width: (column - start) * moduleDots,
                    height: 1,
                    black: true
                )
            }
            // Every dot row of a module row is the same: draw the first, copy it down.
            if rowDots > 1 {
                let stride = bitmap.bytesPerRow
                let first = y
                bitmap.bytes.withUnsafeMutableBufferPointer { bytes in
                    guard let base = bytes.baseAddress else { return }
                    let source = base + first * stride
                    for copy in 1..<rowDots {
                        (source + copy * stride).update(from: source, count: stride)
                    }
                }
            }
            y += rowDots
        }
        return bitmap
    }

    /// The largest whole module size whose placed symbol fits a box of `width` x `height` dots,
    /// or nil when even 1-dot modules do not fit. Passing the result to `bitmap` with the same
    /// `barHeightDots` and `includeQuietZone` yields a bitmap inside the box. For a linear code
    /// without `barHeightDots` the default bar height (which grows with the module) must fit too.
    public func largestModuleDots(
        fittingWidth width: Int,
        height: Int,
        barHeightDots: Int? = nil,
        includeQuietZone: Bool = true
    ) -> Int? {
        let widthModules = totalColumns(includeQuietZone: includeQuietZone)
        var candidate = min(width, Self.maximumPlacedSide) / widthModules
        if layout != .linear {
            candidate = min(candidate, min(height, Self.maximumPlacedSide) / totalRowModules(includeQuietZone: includeQuietZone))
        }
        while candidate >= 1 {
            if let size = try? placedSize(
                moduleDots: candidate,
                barHeightDots: barHeightDots,
                includeQuietZone: includeQuietZone
            ), size.width <= width, size.height <= height {
                return candidate
            }
            candidate -= 1
        }
        return nil
    }
}
