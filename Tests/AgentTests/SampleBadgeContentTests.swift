import Agent
import Attendees
import Badges
import Foundation
import Logging
import Printers
import Raster
import TestSupport
import Testing

/// Issue 18's proof for badge content: every sample template, for every access tier, for a
/// vegan wheelchair user with sessions. The kiosk's preview is checked against what the printer
/// is sent by tools Lanyard did not write: zplkit renders the ZPL the agent sends (as a ZD621
/// would, printer settings stripped) and must give the preview's raster dot for dot; zxing-cpp
/// reads the QR code on the preview back to the attendee's check-in payload. On the templates
/// that show icons, the vegan and wheelchair icons are in the raster where the report puts them,
/// pixel for pixel, and the standard badge's vegan meal tag is drawn.
@Suite(.enabled(if: PythonTools.required || PythonTools.canImport("zplkit, zxingcpp, PIL"), "needs Python with zplkit and zxing-cpp"))
struct SampleBadgeContentTests {
    static let root = Repository.root
    static let templates = ["standard", "vip", "speaker", "staff"]
    static var logger: Logger { Logger(label: "lanyard.tests") }

    static func attendee(_ tier: AccessTier, event: EventConfiguration, vegan: Bool = true) -> Attendee {
        Attendee(
            attendeeID: "5b0c3f4e-18a2-5d6c-9e7f-\(String(format: "%012d", AccessTier.allCases.firstIndex(of: tier) ?? 0))",
            source: "manual", sourceID: "REG-VEG-\(tier.rawValue)", eventSlug: event.slug, firstName: "Inês", lastName: "Carvalho",
            email: "ines@example.org", company: "Lisboa Labs", jobTitle: "Accessibility engineer", ticketType: tier.rawValue.capitalized,
            accessTier: tier, track: "engineering", sessions: ["KEY-01", "WS-02", "LAB-11"], dietary: vegan ? ["vegan"] : ["halal"],
            accessibility: ["wheelchair"], pronouns: "she/her", locale: "pt-PT")
    }

    /// The pixels of a shipped icon (true = black), read here rather than through the renderer.
    static func icon(_ name: String) throws -> [[Bool]] {
        let text = try String(contentsOf: root.appending(path: "badge-icons/\(name).pbm"), encoding: .utf8)
        let tokens = text.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0] }
            .joined(separator: " ").split(whereSeparator: \.isWhitespace)
        let width = try #require(Int(tokens[1])), height = try #require(Int(tokens[2]))
        let bits = tokens.dropFirst(3).joined().map { $0 == "1" }
        try #require(bits.count == width * height)
        return (0..<height).map { y in Array(bits[(y * width)..<((y + 1) * width)]) }
    }

    @Test(arguments: ["zebra-zd421d-203", "zebra-zd621d-300"])
    func everySampleTemplateAndTierForAVeganWheelchairUser(profileID: String) throws {
        let event = try EventConfiguration.load(file: Self.root.appending(path: "Templates/sample-event.yaml"))
        let profile = try ProfileLibrary.load(directory: Self.root.appending(path: "firmware-profiles").path).require(id: profileID)
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-content-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var jobs: [[String: any Sendable]] = []
        var expected: [String: String] = [:]
        var iconsShown = 0
        for template in Self.templates {
            let source = TemplateSource(
                name: template, directory: Self.root.appending(path: "Templates/\(template)", directoryHint: .isDirectory), label: "local",
                origin: .local)
            let active = ActiveTemplates(TemplateSet(event: nil, tracks: [:], fallback: source))
            let preview = BadgePreview(templates: active, profile: profile, language: .zpl, event: event, logger: Self.logger)
            let composer = BadgeComposer(templates: active, profile: profile, language: .zpl, logger: Self.logger)
            let bundle = try TemplateBundle.load(directory: source.directory)
            let renderer = try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: Self.logger)
            for tier in AccessTier.allCases {
                let id = "\(template)-\(tier.rawValue)"
                let attendee = Self.attendee(tier, event: event)
                let fields = BadgeFields.fields(for: attendee, event: event)
                let png = try preview.png(of: attendee)
                let composed = try composer.compose(attendee, event: event, overrides: JobOverrides())
                #expect(composed.templateName == template)
                // The preview is the raster rendered for this attendee (rendering is pure).
                let badge = try renderer.render(fields: fields)
                #expect(png == (try badge.bitmap.png()), "\(id): preview")
                #expect(!badge.hasErrors, "\(id): \(badge.issues)")
                var design = badge.bitmap
                if bundle.template.isRotatedOnStock {
                    for _ in 0..<3 { design = design.rotatedClockwise() }
                }
                if let needs = badge.elements.first(where: { $0.type == "icons" }) {
                    let placed = try #require(needs.icons?.placed, "\(id)")
                    #expect(placed.map(\.item) == ["vegan", "wheelchair"], "\(id)")
                    for icon in placed {
                        let pixels = try Self.icon(icon.item)
                        let n = icon.dotsPerPixel
                        #expect(n == (profile.dpi == 203 ? 2 : 3), "\(id): 6.5 mm icons")
                        var wrong = 0
                        for y in 0..<icon.rect.height {
                            for x in 0..<icon.rect.width where design[icon.rect.x + x, icon.rect.y + y] != pixels[y / n][x / n] {
                                wrong += 1
                            }
                        }
                        #expect(icon.rect.width == 24 * n && wrong == 0, "\(id): \(icon.item) differs in \(wrong) dots")
                    }
                    iconsShown += 1
                }
                if template == "standard" {
                    try expectVeganTag(badge, design: design, id: id)
                    let sessions = try #require(badge.elements.first { $0.id == "sessions" })
                    #expect(sessions.drawn && sessions.text != nil, "\(id): the sessions line")
                    #expect(fields["sessions_text"] == "KEY-01 · WS-02 · LAB-11")
                }
                let zpl = directory.appending(path: "\(id).zpl"), image = directory.appending(path: "\(id).png")
                try Data(composed.label.bytes).write(to: zpl)
                try Data(png).write(to: image)
                jobs.append(["id": "zpl:\(id)", "kind": "zpl", "zpl": zpl.path, "pbm": image.path, "dpi": profile.dpi])
                jobs.append(["id": "decode:\(id)", "kind": "decode", "png": image.path])
                expected[id] = fields["qr_payload"]
            }
            // Without the vegan item, the standard badge has no meal tag.
            if template == "standard" {
                let other = try renderer.render(
                    fields: BadgeFields.fields(for: Self.attendee(.general, event: event, vegan: false), event: event))
                #expect(other.elements.filter { ["vegan-tag", "vegan-label"].contains($0.id) }.allSatisfy { !$0.drawn })
                #expect(other.elements.first { $0.type == "icons" }?.icons?.placed.map(\.item) == ["halal", "wheelchair"])
            }
        }
        #expect(iconsShown == 2 * AccessTier.allCases.count, "standard and vip show icons for every tier")

        let results = try PythonTools.runJobs(script: "Tests/Tools/crosscheck.py", jobs)
        for (id, payload) in expected.sorted(by: { $0.key < $1.key }) {
            let zplResult = try #require(results["zpl:\(id)"])
            #expect(zplResult["error"] == nil, "\(id): \(zplResult["error"] ?? "")")
            #expect(zplResult["differing"] as? Int == 0, "\(id): zplkit differs from the preview in \(zplResult["differing"] ?? "?") dots")
            #expect((zplResult["stripped"] as? [String])?.isEmpty == false, "\(id): the label carries printer settings")
            let symbols = try #require(results["decode:\(id)"]?["symbols"] as? [[String: String]], "\(id) decode")
            let qr = symbols.filter { $0["format"] == "QRCode" || $0["format"] == "QR Code" }
            #expect(qr.map { $0["text"] } == [payload], "\(id): QR read as \(qr)")
        }
    }

    /// The tag is a white patch in the black event band with black lettering.
    func expectVeganTag(_ badge: RenderedBadge, design: Bitmap, id: String) throws {
        let tag = try #require(badge.elements.first { $0.id == "vegan-tag" })
        let label = try #require(badge.elements.first { $0.id == "vegan-label" })
        #expect(tag.drawn && label.drawn && label.text != nil, "\(id): the vegan meal tag")
        let rect = try #require(tag.rect)
        var black = 0
        for y in rect.y..<(rect.y + rect.height) {
            for x in rect.x..<(rect.x + rect.width) where design[x, y] { black += 1 }
        }
        let share = Double(black) / Double(rect.width * rect.height)
        #expect(share > 0.05 && share < 0.5, "\(id): the tag is \(Int(share * 100)) % black")
        #expect(design[rect.x - 3, rect.y + rect.height / 2], "\(id): the band around the tag is black")
    }
}
