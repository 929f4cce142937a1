import Badges
import Foundation
import Raster
import Symbols
import Testing

/// A printer's QR module floor (`RenderOptions`), what the scan-quality loop raises: the QR code
/// comes out with larger modules, at a lower error-correction level when that is what fits, and
/// still reads; a floor the payload cannot meet never costs the badge its code.
@Suite struct RenderOptionsTests {
    /// A ticket's payload: `event|attendee|token|tier`, 79 bytes.
    static let payload = "devcon-2026|3f1c5b8e-0000-4000-8000-000000000001|AbCdEfGhIjKlMnOpQrStUv|general"

    func renderer() throws -> (BadgeRenderer, ScratchBundle) {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: qr, payload: "{p}", box: [5, 5, 30, 30], error_correction: Q, min_module_mm: 0.25 }
                    """))
        return (try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger), scratch)
    }

    func decoded(_ bitmap: Bitmap) throws -> [String] {
        var luminance = [UInt8](repeating: 255, count: bitmap.width * bitmap.height)
        for y in 0..<bitmap.height {
            for x in 0..<bitmap.width where bitmap[x, y] { luminance[y * bitmap.width + x] = 0 }
        }
        return try SymbolReader.readQRCodes(luminance: luminance, width: bitmap.width, height: bitmap.height).map(\.text)
    }

    @Test func aFloorOneDotLargerGivesLargerModulesThatStillRead() throws {
        let (renderer, scratch) = try renderer()
        defer { scratch.remove() }
        let plain = try renderer.render(fields: ["p": Self.payload])
        let base = try #require(plain.elements[0].symbol)
        #expect(base.level == "Q" && base.downgradedFrom == nil)

        let raised = try renderer.render(fields: ["p": Self.payload], options: RenderOptions(minimumQRModuleDots: base.moduleDots + 1))
        let symbol = try #require(raised.elements[0].symbol)
        #expect(symbol.moduleDots >= base.moduleDots + 1)
        #expect(try #require(symbol.version) < (try #require(base.version)), "a larger module in the same box is a smaller symbol")
        #expect(symbol.downgradedFrom == "Q" && symbol.level != "Q", "fitting it lowered the level, and says so")
        #expect(raised.blockingIssue == nil)
        #expect(try decoded(raised.bitmap) == [Self.payload])
        #expect(raised.rasterSHA256 != plain.rasterSHA256)

        // The option is per render: the next badge without it is the plain one again.
        #expect(try renderer.render(fields: ["p": Self.payload]).rasterSHA256 == plain.rasterSHA256)
    }

    @Test func aFloorAtOrBelowTheTemplatesOwnChangesNothing() throws {
        let (renderer, scratch) = try renderer()
        defer { scratch.remove() }
        let plain = try renderer.render(fields: ["p": Self.payload])
        let low = try renderer.render(fields: ["p": Self.payload], options: RenderOptions(minimumQRModuleDots: 1))
        #expect(low.rasterSHA256 == plain.rasterSHA256)
    }

    @Test func aFloorThePayloadCannotMeetLeavesTheCodeAsItWasWithAWarning() throws {
        let (renderer, scratch) = try renderer()
        defer { scratch.remove() }
        let plain = try renderer.render(fields: ["p": Self.payload])
        // 30 mm is 240 dots: a 12-dot floor leaves 20 modules across, less than the smallest code.
        let unmet = try renderer.render(fields: ["p": Self.payload], options: RenderOptions(minimumQRModuleDots: 12))
        #expect(unmet.elements[0].issues.map(\.code) == [.qrModuleFloorUnmet])
        #expect(unmet.blockingIssue == nil, "the badge still prints")
        #expect(unmet.bitmap == plain.bitmap)
        #expect(try decoded(unmet.bitmap) == [Self.payload])
    }
}
