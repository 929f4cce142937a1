/// A rectangle in millimetres, in the template's design orientation, origin top-left.
/// Written in YAML as `[x, y, width, height]`.
public struct Box: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var values: [Double] = []
        while !container.isAtEnd { values.append(try container.decode(Double.self)) }
        guard values.count == 4 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a box is [x, y, width, height] in mm; got \(values.count) numbers"))
        }
        guard values[2] > 0, values[3] > 0, values.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "a box needs a positive, finite width and height"))
        }
        self.init(x: values[0], y: values[1], width: values[2], height: values[3])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(contentsOf: [x, y, width, height])
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
}

/// Converts millimetres to printer dots: dots = round(mm × dpi / 25.4), as DESIGN.md fixes it.
public struct DotGrid: Sendable, Equatable, Hashable {
    public let dpi: Int

    public init(dpi: Int) { self.dpi = dpi }

    public func dots(_ mm: Double) -> Int { Int((mm * Double(dpi) / 25.4).rounded()) }

    public func mm(_ dots: Int) -> Double { Double(dots) * 25.4 / Double(dpi) }

    /// A box snapped to whole dots; edges are rounded independently so adjacent boxes stay adjacent.
    public func rect(_ box: Box) -> DotRect {
        let x0 = dots(box.x), y0 = dots(box.y)
        return DotRect(x: x0, y: y0, width: dots(box.maxX) - x0, height: dots(box.maxY) - y0)
    }
}

/// A rectangle in whole printer dots.
public struct DotRect: Sendable, Equatable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}
