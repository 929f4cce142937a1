import Attendees
import Badges
import Foundation
import Printers
import Raster
import Testing

/// Every sample badge, checked by tools Lanyard did not write: zplkit renders the emitted ZPL as a
/// ZD621 would and must produce Lanyard's own raster dot for dot; zxing-cpp must read every QR
/// code and barcode back to the data Lanyard put in it.
@Suite(.enabled(if: CrossCheck.enabled, "needs Python with zplkit and zxing-cpp (run 'make test')"))
struct CrossCheckTests {
    struct Rendered {
        var id: String
        var attendee: Attendee
        var template: String
        var dpi: Int
        var bitmap: Bitmap
        var zpl: [UInt8]
    }

    /// Every template for every sample attendee on a 300 dpi printer, and for a few on 203 dpi.
    static func renderAll() throws -> [Rendered] {
        var rendered: [Rendered] = []
        for (profileID, count) in [("zebra-zd621d-300", Int.max), ("zebra-zd421d-203", 4)] {
            let profile = try Fixtures.profile(profileID)
            for template in Fixtures.templates {
                let renderer = try BadgeRenderer(bundle: try Fixtures.bundle(template), dpi: profile.dpi, logger: Fixtures.logger)
                for attendee in Fixtures.attendees.prefix(count) {
                    let badge = try renderer.render(fields: BadgeFields.fields(for: attendee, event: Fixtures.event))
                    #expect(!badge.issues.contains { $0.severity == .error }, "\(template) \(attendee.sourceID): \(badge.issues)")
                    let zpl = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: .zpl).bytes
                    rendered.append(
                        Rendered(
                            id: "\(template)-\(profile.dpi)-\(attendee.sourceID)", attendee: attendee,
                            template: template, dpi: profile.dpi, bitmap: badge.bitmap, zpl: zpl))
                }
            }
        }
        return rendered
    }

    @Test func zplkitDrawsExactlyLanyardsRasterAndQRCodesScan() throws {
        let badges = try Self.renderAll()
        #expect(badges.count == Fixtures.templates.count * (Fixtures.attendees.count + 4))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var jobs: [[String: any Sendable]] = []
        for badge in badges {
            let zpl = directory.appending(path: "\(badge.id).zpl"), pbm = directory.appending(path: "\(badge.id).pbm")
            let png = directory.appending(path: "\(badge.id).png")
            try Data(badge.zpl).write(to: zpl)
            try Data(badge.bitmap.pbm()).write(to: pbm)
            try Data(try badge.bitmap.png()).write(to: png)
            jobs.append(["id": "zpl:\(badge.id)", "kind": "zpl", "zpl": zpl.path, "pbm": pbm.path, "dpi": badge.dpi])
            jobs.append(["id": "decode:\(badge.id)", "kind": "decode", "png": png.path])
        }
        let results = try CrossCheck.check(jobs)

        for badge in badges {
            let zplResult = try #require(results["zpl:\(badge.id)"])
            #expect(zplResult["error"] == nil, "\(badge.id): \(zplResult["error"] ?? "")")
            #expect(zplResult["width"] as? Int == badge.bitmap.width, "\(badge.id) width")
            #expect(zplResult["height"] as? Int == badge.bitmap.height, "\(badge.id) height")
            #expect(zplResult["differing"] as? Int == 0, "\(badge.id): zplkit differs in \(zplResult["differing"] ?? "?") dots")

            let decoded = try #require(results["decode:\(badge.id)"]?["symbols"] as? [[String: String]], "\(badge.id) decode")
            let fields = BadgeFields.fields(for: badge.attendee, event: Fixtures.event)
            let qr = decoded.filter { $0["format"] == "QRCode" || $0["format"] == "QR Code" }
            #expect(qr.map { $0["text"] } == [fields["qr_payload"]], "\(badge.id): QR read as \(qr)")
            if let text = qr.first?["text"] {
                let verified = CheckIn.verify(payload: text, secret: Fixtures.event.checkInSecret)
                #expect(verified?.attendeeID == badge.attendee.attendeeID, "\(badge.id): scanned token must verify")
            }
            if badge.template == "staff" {
                let linear = decoded.filter { $0["format"]?.contains("128") == true }
                #expect(linear.map { $0["text"] } == [badge.attendee.sourceID], "\(badge.id): Code 128 read as \(linear)")
            }
        }
    }
}

/// Lanyard's own decoders read every sample badge back from both printer languages.
@Suite struct PrinterLanguageRoundTripTests {
    @Test func z64AndEPLDecodeBackToTheRaster() throws {
        let profile = try Fixtures.profile("zebra-gc420d-203")
        for template in Fixtures.templates {
            let renderer = try BadgeRenderer(bundle: try Fixtures.bundle(template), dpi: profile.dpi, logger: Fixtures.logger)
            for attendee in Fixtures.attendees.prefix(5) {
                let bitmap = try renderer.render(fields: BadgeFields.fields(for: attendee, event: Fixtures.event)).bitmap
                let epl = try LabelEncoder.encode(bitmap: bitmap, profile: profile, language: .epl).bytes
                #expect(try EPLGraphicDecoder.decodeLabel(epl) == bitmap, "\(template) EPL")
                let zpl = try LabelEncoder.encode(bitmap: bitmap, profile: profile, language: .zpl).bytes
                #expect(try ZPLGraphicDecoder.decodeLabel(zpl) == bitmap, "\(template) ZPL")
            }
        }
    }
}
