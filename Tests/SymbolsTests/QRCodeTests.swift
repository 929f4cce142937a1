import LanyardSupport
import Symbols
import Testing

struct QRCodeTests {
    @Test func shortPayloadIsVersionOne() throws {
        let encoding = try QRCode.encode("LANYARD", level: .low)
        #expect(encoding.version == 1)
        #expect(encoding.level == .low)
        #expect(encoding.matrix.columns == 21)
        #expect(encoding.matrix.rows == 21)
        #expect(encoding.matrix.layout == .matrix)
        #expect(encoding.matrix.quietZone == .uniform(4))
        #expect(encoding.matrix.humanReadableText == nil)
    }

    @Test func sizeFollowsVersion() throws {
        let encoding = try QRCode.encode(String(repeating: "7", count: 200), level: .medium)
        #expect(encoding.version > 1)
        #expect(encoding.matrix.columns == QRCode.modulesAcross(version: encoding.version))
        #expect(encoding.matrix.columns == 17 + 4 * encoding.version)
    }

    /// Each finder is a dark 7x7 ring, a light 5x5 ring and a dark 3x3 centre, with a light
    /// separator towards the symbol; only the bottom-right corner has none.
    @Test func finderPatternsSitInThreeCorners() throws {
        let matrix = try QRCode.encode("https://example.org/b/42").matrix
        let size = matrix.columns
        for (left, top) in [(0, 0), (size - 7, 0), (0, size - 7)] {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(matrix[left + dx, top + dy] == (ring != 2), "finder at (\(left), \(top)) module (\(dx), \(dy))")
                }
            }
        }
        for index in 0..<8 {
            #expect(!matrix[7, index] && !matrix[index, 7], "top-left separator")
            #expect(!matrix[size - 8, index] && !matrix[size - 1 - index, 7], "top-right separator")
            #expect(!matrix[7, size - 1 - index] && !matrix[index, size - 8], "bottom-left separator")
        }
        let bottomRightIsFinder = (0..<7).allSatisfy { dy in
            (0..<7).allSatisfy { dx in
                matrix[size - 7 + dx, size - 7 + dy] == (max(abs(dx - 3), abs(dy - 3)) != 2)
            }
        }
        #expect(!bottomRightIsFinder)
    }

    @Test func timingPatternsAlternate() throws {
        let matrix = try QRCode.encode("timing").matrix
        for index in 8..<(matrix.columns - 8) {
            #expect(matrix[index, 6] == index.isMultiple(of: 2))
            #expect(matrix[6, index] == index.isMultiple(of: 2))
        }
    }

    @Test func encodingIsDeterministicAndByteExact() throws {
        let first = try QRCode.encode("ID-000123")
        let second = try QRCode.encode("ID-000123")
        #expect(first == second)
        #expect(first.matrix.packedModules == second.matrix.packedModules)
        // Byte mode keeps case: other bytes, other modules.
        #expect(try QRCode.encode("id-000123").matrix != first.matrix)
        #expect(try QRCode.encode(Array("ID-000123".utf8)) == first)
    }

    @Test func nulBytesAreData() throws {
        let withNul = try QRCode.encode([0x41, 0x00, 0x42])
        let without = try QRCode.encode([0x41, 0x42])
        #expect(withNul.matrix != without.matrix)
    }

    /// ISO/IEC 18004 byte-mode capacities; libqrencode is asked, not a table.
    @Test(arguments: [
        (1, QRErrorCorrection.low, 17), (1, .medium, 14), (1, .quartile, 11), (1, .high, 7),
        (10, .quartile, 151), (40, .low, 2953), (40, .high, 1273),
    ])
    func byteCapacityMatchesTheStandard(version: Int, level: QRErrorCorrection, bytes: Int) throws {
        #expect(try QRCode.byteCapacity(version: version, level: level) == bytes)
    }

    @Test func maxVersionIsEnforcedWithTheLimit() throws {
        let payload = String(repeating: "A", count: 12)
        let error = try #require(throws: SymbolError.self) {
            try QRCode.encode(payload, level: .quartile, maxVersion: 1)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.capacity == SymbolError.Capacity(payloadLength: 12, limit: 11, unit: "bytes"))
        #expect(try QRCode.encode(payload, level: .quartile, maxVersion: 2).version == 2)
    }

    @Test func payloadBeyondVersion40IsACapacityError() throws {
        let error = try #require(throws: SymbolError.self) {
            try QRCode.encode([UInt8](repeating: 0x5A, count: 3000), level: .low)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.capacity?.limit == 2953)
        #expect(error.capacity?.payloadLength == 3000)
    }

    @Test(arguments: [0, 41, -3])
    func versionLimitOutOfRangeIsAnOptionError(maxVersion: Int) throws {
        let error = try #require(throws: SymbolError.self) { try QRCode.encode("x", maxVersion: maxVersion) }
        #expect(error.code == .invalidOption)
    }

    @Test func emptyPayloadIsAnError() throws {
        let fromString = try #require(throws: SymbolError.self) { try QRCode.encode("") }
        #expect(fromString.code == .emptyInput)
        let fromBytes = try #require(throws: SymbolError.self) { try QRCode.encode([UInt8]()) }
        #expect(fromBytes.code == .emptyInput)
        let fitting = try #require(throws: SymbolError.self) { try QRCode.encodeFitting("", maxModulesAcross: 100) }
        #expect(fitting.code == .emptyInput)
    }

    @Test func fittingKeepsThePreferredLevelWhenItFits() throws {
        let fitted = try QRCode.encodeFitting("ID-42", preferredLevel: .quartile, maxModulesAcross: 29)
        #expect(fitted.downgrade == nil)
        #expect(fitted.encoding.level == .quartile)
        #expect(fitted.encoding.version == 1)
    }

    /// 29 modules across = version 1 plus 4 quiet modules a side. Version 1 holds 11 bytes at Q,
    /// 14 at M and 17 at L.
    @Test(arguments: [(12, QRErrorCorrection.medium), (15, .low), (17, .low)])
    func fittingStepsDownAndRecordsIt(length: Int, expected: QRErrorCorrection) throws {
        let payload = String(repeating: "B", count: length)
        let fitted = try QRCode.encodeFitting(payload, preferredLevel: .quartile, maxModulesAcross: 29)
        #expect(fitted.downgrade == QRLevelDowngrade(from: .quartile, to: expected))
        #expect(fitted.encoding.level == expected)
        #expect(fitted.encoding.matrix.totalColumns(includeQuietZone: true) <= 29)
    }

    @Test func fittingWithoutQuietZoneCountsTheSymbolOnly() throws {
        let fitted = try QRCode.encodeFitting(
            String(repeating: "C", count: 15),
            preferredLevel: .high,
            maxModulesAcross: 25,
            includeQuietZone: false
        )
        #expect(fitted.encoding.version == 2)
        #expect(fitted.downgrade == QRLevelDowngrade(from: .high, to: .quartile))
    }

    @Test func fittingReportsLengthAndLimitWhenNothingFits() throws {
        let error = try #require(throws: SymbolError.self) {
            try QRCode.encodeFitting(String(repeating: "D", count: 18), preferredLevel: .high, maxModulesAcross: 32)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.capacity == SymbolError.Capacity(payloadLength: 18, limit: 17, unit: "bytes"))
        #expect(error.message.contains("18 bytes"))
        #expect(error.message.contains("17 bytes"))
    }

    @Test func fittingIntoLessThanTheSmallestSymbolIsACapacityError() throws {
        let error = try #require(throws: SymbolError.self) {
            try QRCode.encodeFitting("x", maxModulesAcross: 28)
        }
        #expect(error.code == .capacityExceeded)
        #expect(error.capacity?.limit == 0)
    }

    @Test func levelsStepDownInOrder() {
        #expect(QRErrorCorrection.high.lower == .quartile)
        #expect(QRErrorCorrection.quartile.lower == .medium)
        #expect(QRErrorCorrection.medium.lower == .low)
        #expect(QRErrorCorrection.low.lower == nil)
        #expect(QRErrorCorrection.low < .high)
        #expect(QRErrorCorrection(rawValue: "Q") == .quartile)
    }
}
