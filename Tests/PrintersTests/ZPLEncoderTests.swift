import Foundation
import LanyardSupport
import Printers
import Raster
import Testing

@Suite("ZPL encoder")
struct ZPLEncoderTests {
    @Test func goldenJobForASmallPattern() throws {
        let job = try ZPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: Fixtures.settings(width: 16, length: 4))
        let expected = """
            ~SD20
            ~TA000
            ^XA
            ^PW16^LL4^LH0,0
            ^MNY^MTD^MMT^PR4,4,2^JZN
            ^FO0,0^GFA,8,8,2,HF,:0HF0,^FS
            ^PQ1,0,0,N
            ^XZ

            """
        #expect(job.text == expected)
        #expect(job.stripes.count == 1)
        #expect(job.stripes[0].encoding == .acs)
        #expect(job.stripes[0].dataBytes == 9)
        #expect(job.stripes[0].uncompressedBytes == 8)
    }

    @Test func goldenJobForAnOddWidthAndOtherSettings() throws {
        var bitmap = Bitmap(width: 12, height: 2)
        bitmap.fill(x: 0, y: 0, width: 12, height: 1, black: true)
        var settings = Fixtures.settings(width: 12, length: 40)
        settings.darkness = 7
        settings.speedIPS = 1
        settings.mediaTracking = .mark
        settings.mediaType = .thermalTransfer
        settings.printMode = .cutter
        settings.copies = 3
        settings.labelHome = LabelHome(x: 5, y: 6)
        settings.tearOffAdjustDots = -15
        settings.reprintAfterError = true
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: settings)
        let expected = """
            ~SD07
            ~TA-015
            ^XA
            ^PW12^LL40^LH5,6
            ^MNM^MTT^MMC^PR1,1,1^JZY
            ^FO0,0^GFA,4,4,2,IF0,^FS
            ^PQ3,0,0,N
            ^XZ

            """
        #expect(job.text == expected)
    }

    @Test func continuousMediaAndPeel() throws {
        var settings = Fixtures.settings(width: 16, length: 4)
        settings.mediaTracking = .continuous
        settings.printMode = .peel
        settings.speedIPS = 6
        let text = try ZPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: settings).text
        #expect(text.contains("^MNN^MTD^MMP^PR6,6,2^JZN"))
    }

    @Test func chooserPicksZ64ForPeriodicPatterns() throws {
        // Alternating AA55 / 55AA rows: no run or repeated row for ACS, trivial for deflate.
        let rows = (0..<600).flatMap { y in
            (0..<150).map { x in (x + y) % 2 == 0 ? UInt8(0xAA) : UInt8(0x55) }
        }
        let bitmap = try Bitmap(width: 1200, height: 600, packedRows: rows)
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 1200, length: 600))
        #expect(job.stripes.count == 1)
        let stripe = try #require(job.stripes.first)
        let acs = try #require(stripe.candidateBytes[.acs])
        let z64 = try #require(stripe.candidateBytes[.z64])
        #expect(z64 < acs)
        #expect(stripe.encoding == .z64)
        #expect(stripe.dataBytes == z64)
        #expect(job.text.contains("^GFA,90000,90000,150,:Z64:"))
        #expect(try ZPLGraphicDecoder.decodeLabel(job.bytes) == bitmap)
    }

    @Test func chooserPicksACSWhenItIsShorter() throws {
        let job = try ZPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: Fixtures.settings(width: 16, length: 4))
        let stripe = try #require(job.stripes.first)
        let acs = try #require(stripe.candidateBytes[.acs])
        let z64 = try #require(stripe.candidateBytes[.z64])
        #expect(acs < z64)
        #expect(stripe.encoding == .acs)
        #expect(stripe.dataBytes == acs)
    }

    @Test func everyStripeUsesTheShortestAllowedCandidate() throws {
        let bitmap = Fixtures.blocks(width: 800, height: 700, seed: 11)
        let options = ZPLEncoder.Options(allowedEncodings: [.acs, .z64, .hex], maxStripeBytes: 10_000)
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 800, length: 700), options: options)
        for stripe in job.stripes {
            #expect(stripe.candidateBytes.count == 3)
            #expect(stripe.dataBytes == stripe.candidateBytes.values.min())
            #expect(stripe.candidateBytes[.hex] == stripe.uncompressedBytes * 2)
        }
        #expect(try ZPLGraphicDecoder.decodeLabel(job.bytes) == bitmap)
    }

    @Test func quirksRestrictTheEncodings() throws {
        var profile = try Fixtures.profile("tsc-te210-203")
        let bitmap = Bitmap(width: 800, height: 300)
        let settings = Fixtures.settings(width: 800, length: 300)
        let acsOnly = try ZPLEncoder.encode(bitmap: bitmap, settings: settings, options: .init(profile: profile))
        #expect(!acsOnly.text.contains(":Z64:"))
        #expect(acsOnly.stripes.allSatisfy { $0.encoding == .acs && $0.candidateBytes[.z64] == nil })

        profile.quirks = [.noZ64, .noASCIICompression]
        let hexOnly = try ZPLEncoder.encode(bitmap: bitmap, settings: settings, options: .init(profile: profile))
        #expect(hexOnly.stripes.allSatisfy { $0.encoding == .hex })
        #expect(try ZPLGraphicDecoder.decodeLabel(hexOnly.bytes) == bitmap)

        profile.quirks = [.noASCIICompression]
        let z64Only = try ZPLEncoder.encode(bitmap: bitmap, settings: settings, options: .init(profile: profile))
        #expect(z64Only.stripes.allSatisfy { $0.encoding == .z64 })
    }

    @Test func largeNoisyRasterIsSplitIntoStripes() throws {
        // 1280 x 1900 dots at 300 dpi: 160 bytes x 1900 rows = 304,000 bytes, three times ^GF's limit.
        let bitmap = Fixtures.noise(width: 1280, height: 1900, density: 0.5, seed: 1900)
        let profile = try Fixtures.profile("zebra-zd421d-300")
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 1280, labelLengthDots: 1900)
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: resolved.settings, options: .init(profile: profile))
        #expect(job.stripes.count >= 2)
        #expect(job.stripes.allSatisfy { $0.uncompressedBytes <= 99_999 })
        #expect(job.stripes.allSatisfy { $0.uncompressedBytes % 160 == 0 })
        #expect(job.uncompressedGraphicBytes == 304_000)
        #expect(job.stripes.map(\.rows).reduce(0, +) == 1900)
        var expectedY = 0
        for stripe in job.stripes {
            #expect(stripe.originY == expectedY)
            #expect(job.text.contains("^FO0,\(stripe.originY)^GFA,\(stripe.uncompressedBytes),\(stripe.uncompressedBytes),160,"))
            expectedY += stripe.rows
        }
        #expect(job.text.components(separatedBy: "^GFA,").count - 1 == job.stripes.count)
        #expect(try ZPLGraphicDecoder.decodeLabel(job.bytes) == bitmap)
    }

    @Test func badgeSizedRasterNeedsTwoEqualStripes() throws {
        // 4 x 3 in at 300 dpi: 150 bytes x 900 rows = 135,000 bytes.
        let bitmap = Fixtures.blocks(width: 1200, height: 900, seed: 43)
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 1200, length: 900))
        #expect(job.stripes.map(\.rows) == [450, 450])
        #expect(job.stripes.map(\.originY) == [0, 450])
        #expect(try ZPLGraphicDecoder.decodeLabel(job.bytes) == bitmap)
    }

    @Test func badgeRoundTripsThroughBothLanguages() throws {
        let badge = Fixtures.badgeLike()
        let profile = try Fixtures.profile("zebra-zd421d-300")
        let settings = try JobSettings.resolve(profile: profile, labelWidthDots: 1200, labelLengthDots: 900).settings
        let zpl = try ZPLEncoder.encode(bitmap: badge, settings: settings, options: .init(profile: profile))
        #expect(zpl.stripes.count == 2)
        #expect(zpl.bytes.count < badge.bytes.count / 10, "a mostly white badge compresses well below 10 %")
        #expect(try ZPLGraphicDecoder.decodeLabel(zpl.bytes) == badge)
        let epl = try EPLEncoder.encode(bitmap: badge, settings: settings, profile: profile)
        #expect(try EPLGraphicDecoder.decodeLabel(epl.bytes) == badge)
    }

    @Test func paddingBitsNeverReachThePrinter() throws {
        // A raster whose padding bits were set by hand: the job must still print white there.
        var bitmap = try Bitmap(width: 4, height: 2, packedRows: [0xFF, 0xFF])
        let job = try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 4, length: 2))
        #expect(job.text.contains("^GFA,2,2,1,F0:^FS"))
        bitmap.bytes = [0xF0, 0xF0]
        #expect(try ZPLGraphicDecoder.decodeLabel(job.bytes) == bitmap)
    }

    @Test func invalidSettingsAreRejected() throws {
        let bitmap = try Fixtures.goldenBitmap()
        var cases: [(JobSettings, String)] = []
        var settings = Fixtures.settings(width: 16, length: 4)
        settings.darkness = 31
        cases.append((settings, "darkness"))
        settings = Fixtures.settings(width: 16, length: 4)
        settings.speedIPS = 0
        cases.append((settings, "speedIPS"))
        settings = Fixtures.settings(width: 16, length: 4)
        settings.copies = 0
        cases.append((settings, "copies"))
        settings = Fixtures.settings(width: 16, length: 4)
        settings.tearOffAdjustDots = 121
        cases.append((settings, "tearOffAdjustDots"))
        cases.append((Fixtures.settings(width: 15, length: 4), "bitmap"))
        cases.append((Fixtures.settings(width: 16, length: 3), "bitmap"))
        cases.append((Fixtures.settings(width: 16, length: 32001), "labelLengthDots"))
        cases.append((Fixtures.settings(width: Int.max, length: 4), "labelWidthDots"))
        for (settings, field) in cases {
            let error = try #require(throws: PrintersError.self) { try ZPLEncoder.encode(bitmap: bitmap, settings: settings) }
            #expect(error.code == .settingsInvalid)
            #expect(error.field == field)
        }
        let empty = try #require(throws: PrintersError.self) {
            try ZPLEncoder.encode(bitmap: Bitmap(width: 0, height: 0), settings: Fixtures.settings(width: 16, length: 4))
        }
        #expect(empty.field == "bitmap")
        let options = ZPLEncoder.Options(allowedEncodings: [])
        #expect(throws: PrintersError.self) {
            try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 16, length: 4), options: options)
        }
    }
}
