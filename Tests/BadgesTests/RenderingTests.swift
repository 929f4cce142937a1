import Attendees
import Badges
import Foundation
import Raster
import Testing

@Suite struct RenderingTests {
    static let event: EventConfiguration = {
        do { return try EventConfiguration.load(file: templatesRoot.appending(path: "sample-event.yaml")) } catch {
            preconditionFailure("sample event: \(error)")
        }
    }()

    func renderer(_ template: String, dpi: Int) throws -> BadgeRenderer {
        try BadgeRenderer(bundle: try TemplateBundle.load(directory: templatesRoot.appending(path: template)), dpi: dpi, logger: testLogger)
    }

    func fields(first: String, last: String, tier: String = "general", company: String = "ACME") -> [String: String] {
        BadgeFields.fields(
            synthetic: [
                "attendee_id": "6f1c2a1e-3b4d-5e6f-8a9b-0c1d2e3f4a5b", "first_name": first, "last_name": last,
                "company": company, "access_tier": tier, "ticket_type": tier.capitalized, "source_id": "REG-1",
            ], event: Self.event)
    }

    /// Black dots of a bitmap inside and outside a rectangle.
    func dots(_ bitmap: Bitmap, in rect: DotRect) -> (inside: Int, outside: Int) {
        var inside = 0, total = 0
        for y in 0..<bitmap.height {
            for x in 0..<bitmap.width where bitmap[x, y] {
                total += 1
                if x >= rect.x, x < rect.x + rect.width, y >= rect.y, y < rect.y + rect.height { inside += 1 }
            }
        }
        return (inside, total - inside)
    }

    @Test func sizesFollowTheStockAndTheDPI() throws {
        #expect(try renderer("standard", dpi: 300).render(fields: fields(first: "A", last: "B")).bitmap.width == 1200)
        let standard203 = try renderer("standard", dpi: 203).render(fields: fields(first: "A", last: "B")).bitmap
        #expect(standard203.width == 812 && standard203.height == 609)
        // Landscape design on 2.25 x 4 in stock: turned so the raster is as wide as the stock.
        let staff = try renderer("staff", dpi: 203).render(fields: fields(first: "A", last: "B", tier: "staff")).bitmap
        #expect(staff.width == 457 && staff.height == 812)
        let speaker = try renderer("speaker", dpi: 600).render(fields: fields(first: "A", last: "B")).bitmap
        #expect(speaker.width == 2400 && speaker.height == 3600)
    }

    @Test func renderingIsDeterministicAcrossRenderers() throws {
        for template in ["standard", "vip", "speaker", "staff"] {
            let input = fields(first: "Zoë", last: "Ångström", tier: "vip")
            let first = try renderer(template, dpi: 300).render(fields: input)
            let second = try renderer(template, dpi: 300).render(fields: input)
            let again = try renderer(template, dpi: 300).render(fields: input)
            #expect(first.rasterSHA256 == second.rasterSHA256, "\(template)")
            #expect(first.bitmap == again.bitmap, "\(template)")
            let other = try renderer(template, dpi: 300).render(fields: fields(first: "Zoe", last: "Angstrom", tier: "vip"))
            #expect(other.rasterSHA256 != first.rasterSHA256, "a different name must change the raster")
        }
    }

    /// Renderers made, used and released on many threads at once (as parallel tests and printer
    /// workers do): no crash, and every badge is the one a lone render makes.
    @Test func renderersMayBeUsedFromManyThreadsAtOnce() async throws {
        let input = fields(first: "欧阳 Zoë", last: "Ångström", tier: "vip")
        let expected = try renderer("vip", dpi: 203).render(fields: input).rasterSHA256
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var allMatch = true
                    for round in 0..<12 {
                        let template = ["vip", "standard", "speaker", "staff"][(task + round) % 4]
                        let renderer = try self.renderer(template, dpi: 203)
                        let hash = try renderer.render(fields: input).rasterSHA256
                        if template == "vip" { allMatch = allMatch && hash == expected }
                    }
                    return allMatch
                }
            }
            for try await allMatch in group { #expect(allMatch) }
        }
    }

    @Test func conditionalElementsFollowTheTier() throws {
        let vip = try renderer("vip", dpi: 203)
        let asVIP = try vip.render(fields: fields(first: "A", last: "B", tier: "vip")).elements
        let asGuest = try vip.render(fields: fields(first: "A", last: "B", tier: "general")).elements
        #expect(asVIP.first { $0.id == "vip-band" }?.drawn == true)
        #expect(asGuest.first { $0.id == "vip-band" }?.drawn == false)
        #expect(asGuest.first { $0.id == "guest-band" }?.drawn == true)
    }

    @Test func reversedBandIsBlackWithWhiteText() throws {
        let badge = try renderer("vip", dpi: 203).render(fields: fields(first: "A", last: "B", tier: "vip"))
        let band = try #require(badge.elements.first { $0.id == "vip-band" }?.rect)
        let (inside, _) = dots(badge.bitmap, in: band)
        let area = band.width * band.height
        #expect(inside > area * 3 / 4, "mostly black")
        #expect(inside < area, "white letters cut through the black")
    }

    @Test func textNeverLeavesItsBox() throws {
        let long = String(repeating: "Wolfeschlegelsteinhausenbergerdorff ", count: 40)
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { id: name, type: text, text: "{name}", box: [10, 10, 40, 16], font: { families: [Noto Sans], size: [8, 30] }, max_lines: 2 }
                    """))
        defer { scratch.remove() }
        let renderer = try BadgeRenderer(bundle: try scratch.load(), dpi: 300, logger: testLogger)
        let badge = try renderer.render(fields: ["name": long])
        let element = try #require(badge.elements.first)
        #expect(element.text?.outcome == .ellipsized)
        #expect(element.issues.contains { $0.code == .textEllipsized })
        let rect = try #require(element.rect)
        #expect(dots(badge.bitmap, in: rect).outside == 0)
        #expect(dots(badge.bitmap, in: rect).inside > 0)

        let short = try renderer.render(fields: ["name": "Al"]).elements[0].text
        #expect(short?.outcome == .fits && short?.sizePoints == 30)
        let medium = try renderer.render(fields: ["name": "Maximiliane Alexandrina"]).elements[0].text
        #expect(medium?.outcome == .shrunk || medium?.outcome == .wrapped)
        #expect((medium?.sizePoints ?? 0) >= 8 && (medium?.sizePoints ?? 99) < 30)
    }

    @Test func overflowWithoutEllipsisIsAnError() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: text, text: "{name}", box: [10, 10, 20, 5], font: { families: [Noto Sans], size: 20 }, overflow: [shrink] }
                    """))
        defer { scratch.remove() }
        let badge = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger).render(fields: ["name": "Bartholomew"])
        #expect(badge.elements[0].text?.outcome == .overflow)
        #expect(badge.issues.contains { $0.code == .textOverflow && $0.severity == .error })
    }

    /// Names in the scripts a venue sees all find glyphs (bundle fonts first, then the system's Noto).
    @Test(arguments: [
        ("Arabic", "محمد الفلاحي"), ("Hebrew", "אביגיל בן־דוד"), ("Devanagari", "अनुष्का श्रीवास्तव"),
        ("Thai", "ประเสริฐศักดิ์"), ("Chinese", "欧阳娜娜"), ("Japanese", "高橋さくら"), ("Korean", "김서연"),
        ("Greek", "Παναγιώτης"), ("Cyrillic", "Александра"), ("Vietnamese", "Nguyễn Thị Phương Thảo"),
    ])
    func everyScriptHasGlyphs(script: String, name: String) throws {
        let badge = try renderer("standard", dpi: 300).render(fields: fields(first: name, last: ""))
        let element = try #require(badge.elements.first { $0.id == "display-name" })
        #expect(element.text?.missingGlyphs == 0, "\(script)")
        #expect(!badge.issues.contains { $0.severity == .error }, "\(script): \(badge.issues)")
        #expect(dots(badge.bitmap, in: try #require(element.rect)).inside > 500, "\(script) draws")
    }

    /// `left` is the start of the line: a right-to-left name begins at the box's right edge.
    @Test func rightToLeftNamesStartOnTheRight() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: text, text: "{name}", box: [0, 0, 101.6, 20], font: { families: \(allScripts), size: 14 }, align: left }
                    """))
        defer { scratch.remove() }
        let renderer = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger)
        func meanX(_ name: String) throws -> Double {
            let bitmap = try renderer.render(fields: ["name": name]).bitmap
            var sum = 0, count = 0
            for y in 0..<bitmap.height {
                for x in 0..<bitmap.width where bitmap[x, y] {
                    sum += x
                    count += 1
                }
            }
            return Double(sum) / Double(max(count, 1))
        }
        #expect(try meanX("אביגיל") > Double(812 / 2))
        #expect(try meanX("Abigail") < Double(812 / 2))
    }

    @Test func qrCodesSitOnWholeDotsWithAQuietZone() throws {
        let badge = try renderer("standard", dpi: 203).render(fields: fields(first: "A", last: "B"))
        let qr = try #require(badge.elements.first { $0.id == "check-in-qr" })
        let symbol = try #require(qr.symbol)
        #expect(symbol.moduleDots >= 4, "0.5 mm minimum module at 203 dpi is 4 dots")
        #expect(symbol.level == "Q" && symbol.downgradedFrom == nil)
        let rect = try #require(qr.rect)
        let side = (symbol.columns + 8) * symbol.moduleDots
        let x0 = rect.x + (rect.width - side) / 2, y0 = rect.y + (rect.height - side) / 2
        let quiet = 4 * symbol.moduleDots
        for y in y0..<(y0 + side) {
            for x in x0..<(x0 + side) {
                let inQuietZone = x < x0 + quiet || x >= x0 + side - quiet || y < y0 + quiet || y >= y0 + side - quiet
                if inQuietZone { #expect(!badge.bitmap[x, y], "quiet zone dot \(x),\(y) must be white") }
            }
        }
        // The top-left finder pattern: a dark 7x7 ring of whole modules.
        #expect(badge.bitmap[x0 + quiet, y0 + quiet] && badge.bitmap[x0 + quiet + 7 * symbol.moduleDots - 1, y0 + quiet])
        #expect(!badge.bitmap[x0 + quiet + symbol.moduleDots, y0 + quiet + symbol.moduleDots])
    }

    @Test func qrLevelIsLoweredAndRecordedWhenTheBoxIsSmall() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: qr, payload: "{p}", box: [5, 5, 10, 10], error_correction: H, min_module_mm: 0.25 }
                    """))
        defer { scratch.remove() }
        let renderer = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger)
        // 10 mm at 203 dpi is 80 dots: 40 two-dot modules, so version 3 at most (29 + 8 quiet).
        // 48 bytes fit version 3 only at level L (53 bytes; M holds 42).
        let payload = String(repeating: "devcon-2026|", count: 4)
        let report = try renderer.render(fields: ["p": payload]).elements[0]
        #expect(report.symbol?.downgradedFrom == "H" && report.symbol?.level == "L" && report.symbol?.version == 3)
        #expect(report.issues.contains { $0.code == .qrDowngraded })
        let tooMuch = try renderer.render(fields: ["p": String(repeating: "x", count: 400)]).elements[0]
        #expect(tooMuch.issues.contains { $0.code == .symbolEncodingFailed && $0.severity == .error })
    }

    @Test func aMissingFontFamilyWarnsAndFallsBack() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: text, text: "Hello", box: [5, 5, 60, 15], font: { families: [Nonexistent Grotesk, Noto Sans], size: 20 } }
                    """))
        defer { scratch.remove() }
        let renderer = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger)
        #expect(renderer.fontWarnings.map(\.code) == [.fontMissing])
        let badge = try renderer.render(fields: [:])
        #expect(badge.bitmap.blackDotCount > 100)
        #expect(badge.elements[0].text?.missingGlyphs == 0)
    }

    @Test func naughtyStringsNeverCrashTheRenderer() throws {
        let renderer = try renderer("standard", dpi: 203)
        let naughty = [
            "", " ", "\u{0}", "null", "undefined", "'; DROP TABLE attendees; --", "<script>alert(1)</script>",
            "\u{202E}evil", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐", "👩🏽‍💻🏳️‍🌈", String(repeating: "A", count: 100_000),
            "{display_name}{{", "\n\n\n", "%s%s%n", "\u{FEFF}\u{200B}",
        ]
        for text in naughty {
            let badge = try renderer.render(fields: fields(first: text, last: text, company: text))
            #expect(badge.bitmap.width == 812)
        }
    }

    /// Dropping the font and glyph caches between badges (see `GlyphCacheBudget`) must not
    /// change a single dot: a renderer that sheds after every badge matches one that never does.
    @Test func sheddingGlyphCachesLeavesRastersUnchanged() throws {
        let bundle = try TemplateBundle.load(directory: templatesRoot.appending(path: "standard"))
        let shedding = try BadgeRenderer(bundle: bundle, dpi: 300, glyphCacheBytes: 0, logger: testLogger)
        let keeping = try BadgeRenderer(bundle: bundle, dpi: 300, glyphCacheBytes: .max, logger: testLogger)
        let names = [
            ("Ada", "Lovelace"), ("欧阳", "娜娜"), ("محمد", "الفلاحي"), ("Maximiliane Alexandrina", "von Hohenzollern"),
            ("Ada", "Lovelace"), ("ประเสริฐศักดิ์", "ศรี"), ("김서연", ""),
        ]
        for (first, last) in names {
            let input = fields(first: first, last: last, tier: "speaker")
            #expect(try shedding.render(fields: input).rasterSHA256 == keeping.render(fields: input).rasterSHA256, "\(first) \(last)")
        }
    }

    /// Bitmaps (images, symbols) land dot for dot at any offset, including ones that do not fall
    /// on a byte boundary; white dots of a non-opaque image leave what lies beneath.
    @Test func imagesLandDotForDotAtOddOffsets() throws {
        var pattern = Bitmap(width: 37, height: 23)
        var state: UInt32 = 12345
        for y in 0..<23 {
            for x in 0..<37 {
                state = state &* 1_103_515_245 &+ 12345
                pattern[x, y] = state >> 16 & 1 == 1
            }
        }
        // At 300 dpi: x and y 0.93 mm are dot 11; 37 x 23 dots are 3.13267 x 1.94733 mm.
        let scratch = try ScratchBundle(
            template: templateYAML(
                elements: """
                      - { type: rect, box: [0.93, 0.93, 1.5, 1.94733], fill: black }
                      - { type: image, file: assets/pattern.png, box: [0.93, 0.93, 3.13267, 1.94733] }
                    """), extraFiles: ["assets/pattern.png": Data(try pattern.png())])
        defer { scratch.remove() }
        let badge = try BadgeRenderer(bundle: try scratch.load(), dpi: 300, logger: testLogger).render(fields: [:])
        #expect(badge.elements[1].rect == DotRect(x: 11, y: 11, width: 37, height: 23))
        let rectEnd = try #require(badge.elements[0].rect).x + (try #require(badge.elements[0].rect).width)
        var wrong = 0
        for y in 0..<badge.bitmap.height {
            for x in 0..<badge.bitmap.width {
                let inImage = (11..<48).contains(x) && (11..<34).contains(y)
                let underRect = (11..<rectEnd).contains(x) && (11..<34).contains(y)
                let expected = underRect || (inImage && pattern[x - 11, y - 11])
                if badge.bitmap[x, y] != expected { wrong += 1 }
            }
        }
        #expect(wrong == 0)
    }

    @Test func pdfIsWrittenAsAVectorDocument() throws {
        let url = FileManager.default.temporaryDirectory.appending(path: "lanyard-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: url) }
        let reports = try renderer("standard", dpi: 300).renderPDF(fields: fields(first: "Ada", last: "Lovelace"), to: url)
        let data = try Data(contentsOf: url)
        #expect(data.starts(with: Data("%PDF-".utf8)))
        #expect(data.count > 2000)
        #expect(reports.contains { $0.id == "check-in-qr" && $0.symbol != nil })
        // One page at the stock size in points: 4 x 3 in = 288 x 216 pt.
        #expect(String(decoding: data, as: UTF8.self).contains("/MediaBox [0 0 288 216]"))
    }
}

/// The shipped templates stay clean: `templates check` would report nothing for them.
@Suite struct ShippedTemplateCheckTests {
    /// Every bundle shipped, the calibration ladder included (its fields come from `printer
    /// ladder`, with defaults), passes the check that publishing and promotion apply.
    @Test(arguments: ["standard", "vip", "speaker", "staff", "calibration-ladder"])
    func theCheckFindsNothing(template: String) throws {
        let bundle = try TemplateBundle.load(directory: templatesRoot.appending(path: template))
        let check = try TemplateCheck(bundle: bundle, event: RenderingTests.event, dpis: [203, 300], logger: testLogger)
        #expect(check.findings.isEmpty, "\(template): \(check.findings)")
    }

    @Test(arguments: ["standard", "vip", "speaker", "staff"])
    func syntheticAttendeesRenderWithoutIssues(template: String) throws {
        let bundle = try TemplateBundle.load(directory: templatesRoot.appending(path: template))
        for dpi in [203, 300] {
            let renderer = try BadgeRenderer(bundle: bundle, dpi: dpi, logger: testLogger)
            #expect(renderer.fontWarnings.isEmpty, "\(template): \(renderer.fontWarnings)")
            for synthetic in SyntheticAttendees.cases {
                let badge = try renderer.render(fields: BadgeFields.fields(synthetic: synthetic.fields, event: RenderingTests.event))
                #expect(badge.issues.isEmpty, "\(template) @\(dpi) [\(synthetic.label)]: \(badge.issues)")
            }
        }
    }
}
