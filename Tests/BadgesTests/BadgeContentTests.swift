import Attendees
import Badges
import Foundation
import LanyardSupport
import Raster
import Testing

/// The icon set as shipped, read by a parser of the tests' own (not the renderer's).
enum IconFiles {
    static let directory = repositoryRoot.appending(path: "badge-icons")

    /// The set's items: the registrations' dietary and accessibility vocabulary.
    static let items = [
        "halal", "nut-allergy", "gluten-free", "vegetarian", "kosher", "vegan", "lactose-free",
        "quiet-room", "large-print", "hearing-loop", "wheelchair", "sign-language",
    ]

    /// A plain PBM as rows of pixels, true = black.
    static func pixels(_ name: String) throws -> [[Bool]] {
        let text = try String(contentsOf: directory.appending(path: "\(name).pbm"), encoding: .utf8)
        let tokens = text.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0] }
            .joined(separator: " ").split(whereSeparator: \.isWhitespace).map(String.init)
        try #require(tokens.count >= 3 && tokens[0] == "P1", "\(name): not P1")
        let width = try #require(Int(tokens[1])), height = try #require(Int(tokens[2]))
        let bits = tokens.dropFirst(3).joined().map { $0 == "1" }
        try #require(bits.count == width * height, "\(name): \(bits.count) pixels for \(width)x\(height)")
        return (0..<height).map { y in Array(bits[(y * width)..<((y + 1) * width)]) }
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appending(path: "\(name).pbm")) }
}

/// Whether `bitmap` holds exactly `icon`, each pixel an n x n block, with its top-left at `rect`.
func holdsIcon(_ bitmap: Bitmap, _ icon: [[Bool]], at rect: DotRect, factor n: Int) -> Bool {
    guard rect.width == icon[0].count * n, rect.height == icon.count * n else { return false }
    for y in 0..<rect.height {
        for x in 0..<rect.width where bitmap[rect.x + x, rect.y + y] != icon[y / n][x / n] { return false }
    }
    return true
}

@Suite struct ContainsConditionTests {
    func conditions(_ when: String) throws -> [Condition] {
        let scratch = try ScratchBundle(template: templateYAML(elements: "  - { type: rect, box: [1, 1, 2, 2], when: \(when) }"))
        defer { scratch.remove() }
        return try scratch.load().template.elements[0].when
    }

    func holds(_ when: String, _ fields: [String: String]) throws -> Bool {
        try conditions(when).allSatisfy { $0.holds(for: fields) }
    }

    @Test func itemsAreComparedWholeNeverAsSubstrings() throws {
        let vegan = "{ field: dietary, contains: vegan }"
        #expect(try holds(vegan, ["dietary": "vegan"]))
        #expect(try holds(vegan, ["dietary": "halal,vegan"]))
        #expect(try !holds(vegan, ["dietary": "non-vegan"]))
        #expect(try !holds(vegan, ["dietary": "vegans,lacto-vegan"]))
        #expect(try !holds(vegan, ["dietary": "vegetarian"]))
        // Case and surrounding spaces do not matter, on either side.
        #expect(try holds(vegan, ["dietary": "Halal, VEGAN "]))
        #expect(try holds("{ field: dietary, contains: ' Vegan ' }", ["dietary": "vegan"]))
    }

    @Test func aListOfItemsHoldsForAnyOfThem() throws {
        let either = "{ field: dietary, contains: [vegan, vegetarian] }"
        #expect(try holds(either, ["dietary": "vegetarian"]))
        #expect(try holds(either, ["dietary": "nut-allergy,vegan"]))
        #expect(try !holds(either, ["dietary": "halal,kosher"]))
    }

    @Test func anAbsentOrEmptyListContainsNothing() throws {
        let wheelchair = "{ field: accessibility, contains: wheelchair }"
        #expect(try !holds(wheelchair, [:]))
        #expect(try !holds(wheelchair, ["accessibility": ""]))
        #expect(try !holds(wheelchair, ["accessibility": " , ,"]))
    }

    /// Keys of one condition all hold ("and"); a list of conditions too.
    @Test func containsComposesWithTheOtherKeysByAnd() throws {
        let amongOthers = "{ field: dietary, contains: vegan, not_in: [vegan] }"
        #expect(try !holds(amongOthers, ["dietary": "vegan"]))
        #expect(try holds(amongOthers, ["dietary": "vegan,nut-allergy"]))
        let both = "[{ field: dietary, contains: vegan }, { field: accessibility, contains: wheelchair }]"
        #expect(try holds(both, ["dietary": "vegan", "accessibility": "wheelchair"]))
        #expect(try !holds(both, ["dietary": "vegan", "accessibility": "hearing-loop"]))
    }

    /// An item with a comma could never match one item; an empty list would never hold.
    @Test(arguments: [
        "{ field: dietary, contains: [] }", "{ field: dietary, contains: 'vegan,halal' }", "{ field: dietary, contains: [' '] }",
    ])
    func impossibleItemsAreRefused(when: String) throws {
        let error = try #require(throws: BadgeError.self) { try conditions(when) }
        #expect(error.code == .templateMalformed)
        #expect(error.location?.contains("elements[0].when.contains") == true, "\(error)")
    }

    @Test func containsOnAFieldThatIsNoListIsACheckError() throws {
        let scratch = try ScratchBundle(
            template: templateYAML(
                fields: "fields:\n  - { name: needs, format: '{dietary},{accessibility}' }",
                elements: """
                      - { id: on-company, type: rect, box: [5, 5, 2, 2], when: { field: company, contains: acme } }
                      - { id: on-dietary, type: rect, box: [5, 5, 2, 2], when: { field: dietary, contains: vegan } }
                      - { id: on-custom, type: rect, box: [5, 5, 2, 2], when: { field: custom.allergies, contains: soy } }
                      - { id: on-rule, type: rect, box: [5, 5, 2, 2], when: { field: needs, contains: vegan } }
                      - { id: icons-from-title, type: icons, from: [job_title], icons: { cto: i.pbm }, box: [5, 10, 20, 7], size_mm: 6 }
                    """), extraFiles: ["i.pbm": try IconFiles.data("vegan")])
        defer { scratch.remove() }
        let check = try TemplateCheck(bundle: try scratch.load(), event: RenderingTests.event, dpis: [203], logger: testLogger)
        let notAList = check.findings.filter { $0.issue.code == .notAList }
        #expect(notAList.map(\.element) == ["on-company", "icons-from-title"], "\(check.findings)")
        #expect(notAList.allSatisfy { $0.isError })
        #expect(notAList.first?.issue.message.contains("'company' is not a list field") == true)
    }
}

@Suite struct IconsElementTests {
    static let mapping = "{ vegan: icons/vegan.pbm, wheelchair: icons/wheelchair.pbm, hearing-loop: icons/hearing-loop.pbm }"

    func bundle(_ element: String, files: [String: Data]? = nil) throws -> ScratchBundle {
        let icons =
            try files ?? [
                "icons/vegan.pbm": IconFiles.data("vegan"), "icons/wheelchair.pbm": IconFiles.data("wheelchair"),
                "icons/hearing-loop.pbm": IconFiles.data("hearing-loop"),
            ]
        return try ScratchBundle(template: templateYAML(elements: "  - \(element)"), extraFiles: icons)
    }

    /// Each icon pixel is an exact n x n block of dots, n the largest that keeps the icon within
    /// size_mm: 6.5 mm is 52 dots at 203 dpi (n = 2), 77 at 300 (n = 3), 154 at 600 (n = 6).
    @Test(arguments: [(203, 2), (300, 3), (600, 6)])
    func iconsAreDrawnOnWholeDots(dpi: Int, factor: Int) throws {
        let scratch = try bundle(
            "{ id: needs, type: icons, from: [dietary, accessibility], icons: \(Self.mapping), box: [10.3, 10.7, 40, 8], size_mm: 6.5, gap_mm: 1.1 }"
        )
        defer { scratch.remove() }
        let renderer = try BadgeRenderer(bundle: try scratch.load(), dpi: dpi, logger: testLogger)
        let badge = try renderer.render(fields: ["dietary": "Vegan,halal", "accessibility": "wheelchair"])
        let report = try #require(badge.elements[0].icons)
        #expect(report.placed.map(\.item) == ["vegan", "wheelchair"], "halal has no icon in the mapping: skipped")
        #expect(report.leftOut.isEmpty && badge.elements[0].issues.isEmpty)
        let grid = DotGrid(dpi: dpi)
        let box = grid.rect(Box(x: 10.3, y: 10.7, width: 40, height: 8))
        var x = box.x
        for placed in report.placed {
            #expect(placed.dotsPerPixel == factor)
            #expect(placed.rect.x == x, "left-aligned, whole-dot gap")
            #expect(placed.rect.y == box.y + (box.height - 24 * factor) / 2)
            #expect(holdsIcon(badge.bitmap, try IconFiles.pixels(placed.item), at: placed.rect, factor: factor), "\(placed.item) @\(dpi)")
            x += placed.rect.width + grid.dots(1.1)
        }
        // Nothing else is black: every dot of the badge belongs to one of the two icons.
        let iconDots = try report.placed.reduce(0) { sum, placed in
            sum + (try IconFiles.pixels(placed.item)).joined().filter { $0 }.count * factor * factor
        }
        #expect(badge.bitmap.blackDotCount == iconDots)
    }

    @Test(arguments: [HorizontalAlignment.center, .right])
    func theRowIsAlignedInTheBox(align: HorizontalAlignment) throws {
        let scratch = try bundle(
            "{ type: icons, from: accessibility, icons: \(Self.mapping), box: [10, 10, 40, 8], size_mm: 6.5, gap_mm: 1, align: \(align.rawValue), valign: top }"
        )
        defer { scratch.remove() }
        let badge = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger).render(fields: [
            "accessibility": "wheelchair,hearing-loop"
        ])
        let placed = try #require(badge.elements[0].icons?.placed)
        let box = DotGrid(dpi: 203).rect(Box(x: 10, y: 10, width: 40, height: 8))
        let row = 48 + 8 + 48
        #expect(placed.map(\.rect.y) == [box.y, box.y])
        #expect(placed[0].rect.x == (align == .center ? box.x + (box.width - row) / 2 : box.x + box.width - row))
        #expect(placed[1].rect.x + placed[1].rect.width <= box.x + box.width)
    }

    /// Icons that do not fit are left out and named in a warning; nothing is drawn past the box.
    @Test func iconsThatDoNotFitAreLeftOutAndNamed() throws {
        // 15 mm at 203 dpi is 120 dots: two 48-dot icons and an 8-dot gap fit, a third does not.
        let scratch = try bundle(
            "{ type: icons, from: [dietary, accessibility], icons: \(Self.mapping), box: [10, 10, 15, 7], size_mm: 6.5 }")
        defer { scratch.remove() }
        let badge = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger).render(fields: [
            "dietary": "vegan", "accessibility": "wheelchair,hearing-loop",
        ])
        let element = badge.elements[0]
        #expect(element.icons?.placed.map(\.item) == ["vegan", "wheelchair"])
        #expect(element.icons?.leftOut == ["hearing-loop"])
        let issue = try #require(element.issues.first)
        #expect(issue.code == .iconsDoNotFit && issue.severity == .warning && !issue.blocksPrinting)
        #expect(issue.message.contains("hearing-loop"))
        let box = try #require(element.rect)
        var outside = 0
        for y in 0..<badge.bitmap.height {
            for x in 0..<badge.bitmap.width where badge.bitmap[x, y] {
                if x < box.x || x >= box.x + box.width || y < box.y || y >= box.y + box.height { outside += 1 }
            }
        }
        #expect(outside == 0)

        // A box lower than the icon draws none of them.
        let low = try bundle("{ type: icons, from: dietary, icons: \(Self.mapping), box: [10, 10, 40, 4], size_mm: 6.5 }")
        defer { low.remove() }
        let none = try BadgeRenderer(bundle: try low.load(), dpi: 203, logger: testLogger).render(fields: ["dietary": "vegan"])
        #expect(none.elements[0].icons?.leftOut == ["vegan"] && none.bitmap.blackDotCount == 0)
    }

    @Test(arguments: [
        (
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_m: 6 }", "size_m",
            "unknown setting; did you mean 'size_mm'?"
        ),
        ("{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7] }", "size_mm", "required"),
        ("{ type: icons, from: [], icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_mm: 6 }", "from", "list field"),
        ("{ type: icons, from: dietary, icons: {}, box: [1, 1, 20, 7], size_mm: 6 }", "icons", "at least one"),
        ("{ type: icons, from: dietary, icons: { Vegan: a.pbm, vegan: b.pbm }, box: [1, 1, 20, 7], size_mm: 6 }", "icons", "twice"),
        ("{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_mm: 0 }", "size_mm", "above 0"),
        (
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_mm: 6, gap_mm: -1 }", "gap_mm",
            "gap_mm must be 0 to 100"
        ),
        (
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_mm: 6, align: justify }", "align",
            "justify"
        ),
    ])
    func malformedElementsNameTheSetting(element: String, path: String, message: String) throws {
        let scratch = try bundle(element)
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .templateMalformed)
        #expect(error.location?.contains("elements[0].\(path)") == true, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func aMissingIconFileIsNamed() throws {
        let scratch = try bundle(
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm, kosher: icons/kosher.pbm }, box: [1, 1, 20, 7], size_mm: 6 }")
        defer { scratch.remove() }
        let error = try #require(throws: BadgeError.self) { try scratch.load() }
        #expect(error.code == .assetMissing)
        #expect(error.message.contains("icons/kosher.pbm"), "\(error)")
        #expect(error.location?.contains("elements[0].icons") == true, "\(error)")
    }

    @Test(arguments: [
        ("P4\n2 2\n\u{0}\u{0}", "start with P1"),
        ("P1\n2 2\n1 0 1", "ends after 3 of 4"),
        ("P1\n2 2\n1 0 2 1", "pixel 2"),
        ("P1\n2 2\n1 0 1 1 0", "more than 4"),
        ("P1\n# no size\n", "no width and height"),
        ("P1\n300 1\n" + String(repeating: "0", count: 300), "300x1"),
        ("P1\n0 4\n", "0x4"),
    ])
    func aMalformedIconFileIsNamed(content: String, reason: String) throws {
        let scratch = try bundle(
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [1, 1, 20, 7], size_mm: 6 }",
            files: ["icons/vegan.pbm": Data(content.utf8)])
        defer { scratch.remove() }
        let bundle = try scratch.load()
        let error = try #require(throws: BadgeError.self) { try BadgeRenderer(bundle: bundle, dpi: 203, logger: testLogger) }
        #expect(error.code == .assetInvalid)
        #expect(error.location?.hasSuffix("icons/vegan.pbm") == true, "\(error)")
        #expect(error.message.contains(reason), "\(error)")
    }

    /// Comments and runs of digits without spaces are plain PBM too.
    @Test func plainPBMAsTheFormatAllowsIt() throws {
        let scratch = try bundle(
            "{ type: icons, from: dietary, icons: { vegan: icons/vegan.pbm }, box: [0, 0, 20, 7], size_mm: 0.25, valign: top }",
            files: ["icons/vegan.pbm": Data("P1 # a comment\n3 # width\n2\n101\n0 1 0\n".utf8)])
        defer { scratch.remove() }
        let badge = try BadgeRenderer(bundle: try scratch.load(), dpi: 203, logger: testLogger).render(fields: ["dietary": "vegan"])
        #expect(badge.elements[0].icons?.placed.first?.dotsPerPixel == 1, "0.25 mm is 2 dots: one dot a pixel for 2 rows")
        #expect(
            [badge.bitmap[0, 0], badge.bitmap[1, 0], badge.bitmap[2, 0], badge.bitmap[0, 1], badge.bitmap[1, 1]] == [
                true, false, true, false, true,
            ])
        #expect(badge.bitmap.blackDotCount == 3)
    }

    /// The PDF draws icons as image masks like symbols, and stays PDF/A-2b.
    @Test func thePDFCarriesTheIcons() throws {
        let renderer = try BadgeRenderer(
            bundle: try TemplateBundle.load(directory: templatesRoot.appending(path: "standard")), dpi: 300, logger: testLogger)
        let fields = BadgeFields.fields(
            synthetic: [
                "attendee_id": "a", "first_name": "Ada", "access_tier": "general", "dietary": "vegan", "accessibility": "wheelchair",
            ],
            event: RenderingTests.event)
        let withIcons = try renderer.renderPDFDocument(fields: fields, date: Date(timeIntervalSince1970: 0))
        #expect(withIcons.elements.first { $0.id == "needs" }?.icons?.placed.count == 2)
        let text = String(decoding: withIcons.bytes, as: UTF8.self)
        #expect(text.contains("/ImageMask true"))
        var plain = fields
        plain["dietary"] = ""
        plain["accessibility"] = ""
        let without = try renderer.renderPDFDocument(fields: plain, date: Date(timeIntervalSince1970: 0))
        #expect(without.bytes != withIcons.bytes)
    }
}

@Suite struct ShippedIconSetTests {
    /// Every item of the registrations' vocabulary has an icon on the one 24 x 24 grid.
    @Test(arguments: IconFiles.items)
    func everyItemHasAnIconOnTheGrid(item: String) throws {
        let pixels = try IconFiles.pixels(item)
        #expect(pixels.count == 24 && pixels.allSatisfy { $0.count == 24 })
        let black = pixels.joined().filter { $0 }.count
        #expect(black > 24 * 24 / 8 && black < 24 * 24 * 3 / 4, "\(item): \(black) black pixels is no silhouette")
    }

    @Test func theIconsAreDistinct() throws {
        let all = try IconFiles.items.map(IconFiles.pixels)
        #expect(Set(all.map { $0.map { $0.map { $0 ? "1" : "0" }.joined() }.joined() }).count == IconFiles.items.count)
    }

    /// Bundles carry copies of the set; they must not drift from it.
    @Test(arguments: ["standard", "vip"])
    func bundleCopiesMatchTheSet(template: String) throws {
        let bundle = try TemplateBundle.load(directory: templatesRoot.appending(path: template))
        let files = bundle.template.elements.flatMap { element -> [String] in
            if case .icons(let icons) = element.kind { return icons.files }
            return []
        }
        #expect(!files.isEmpty)
        for file in files {
            #expect(file.hasPrefix("icons/") && bundle.manifest.files[file] != nil, "\(template): \(file)")
            let name = String(file.dropFirst("icons/".count).dropLast(".pbm".count))
            #expect(try Data(contentsOf: bundle.url(of: file)) == IconFiles.data(name), "\(template): \(file)")
        }
        #expect(bundle.manifest.files["icons/COPYING"] != nil)
        let copying = try Data(contentsOf: bundle.url(of: "icons/COPYING"))
        #expect(copying == (try Data(contentsOf: IconFiles.directory.appending(path: "COPYING"))))
    }
}
