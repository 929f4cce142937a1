import LanyardSupport
import Printers
import Raster
import Testing

@Suite("EPL encoder")
struct EPLEncoderTests {
    @Test func goldenJobForASmallPattern() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        let job = try EPLEncoder.encode(
            bitmap: Fixtures.goldenBitmap(), settings: Fixtures.settings(width: 16, length: 4), profile: profile)
        // Rows FF00, FF00, 0FF0, 0000 inverted: 0 = black in EPL.
        let expected =
            Array("\nN\nOD\nq16\nQ4,24\nS4\nD10\nZT\nGW0,0,2,4,".utf8)
            + [0x00, 0xFF, 0x00, 0xFF, 0xF0, 0x0F, 0xFF, 0xFF]
            + Array("\nP1\n".utf8)
        #expect(job.bytes == expected)
        #expect(job.speedCode == 4)
        #expect(job.speedIPS == 4)
        #expect(job.density == 10)
    }

    @Test func goldenJobForAnOddWidthMarkMediaAndCutter() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        var bitmap = Bitmap(width: 12, height: 2)
        bitmap.fill(x: 0, y: 0, width: 12, height: 1, black: true)
        var settings = Fixtures.settings(width: 12, length: 2)
        settings.mediaTracking = .mark
        settings.mediaType = .thermalTransfer
        settings.printMode = .cutter
        settings.eplDensity = 7
        settings.speedIPS = 3
        settings.copies = 2
        settings.labelHome = LabelHome(x: 8, y: 3)
        let job = try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile)
        // Row 0: FF F0 -> 00 0F (padding bits become 1 = white); row 1: 00 00 -> FF FF.
        let expected =
            Array("\nN\nOC\nq12\nQ2,B24\nS3\nD7\nZT\nGW8,3,2,2,".utf8)
            + [0x00, 0x0F, 0xFF, 0xFF]
            + Array("\nP2\n".utf8)
        #expect(job.bytes == expected)
    }

    @Test func continuousMediaPeelAndDirectThermal() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        var settings = Fixtures.settings(width: 16, length: 4)
        settings.mediaTracking = .continuous
        settings.printMode = .peel
        let text = try EPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: settings, profile: profile).bytes.ascii
        #expect(text.hasPrefix("\nN\nOD,P\nq16\nQ4,0\n"))
    }

    @Test func speedCodeIsTheFastestNotAboveTheRequest() {
        let gk420: [Int: Double] = [2: 2, 3: 3, 4: 4, 5: 5]
        #expect(EPLEncoder.speedCode(for: 4, codes: gk420).code == 4)
        #expect(EPLEncoder.speedCode(for: 9, codes: gk420).code == 5)
        #expect(EPLEncoder.speedCode(for: 1, codes: gk420).code == 2, "slowest code when all are faster")
        let lp2844: [Int: Double] = [1: 1.5, 2: 2.0, 3: 2.5, 4: 3.5]
        #expect(EPLEncoder.speedCode(for: 3, codes: lp2844).code == 3)
        #expect(EPLEncoder.speedCode(for: 2, codes: lp2844).code == 2)
        #expect(EPLEncoder.speedCode(for: 4, codes: lp2844).code == 4)
        #expect(EPLEncoder.speedCode(for: 3, codes: [7: 3, 5: 3]).code == 5, "lowest code on a tie")
    }

    @Test func zplOnlyProfileIsRefused() throws {
        let profile = try Fixtures.profile("zebra-zt230-203")
        let error = try #require(throws: PrintersError.self) {
            try EPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: Fixtures.settings(width: 16, length: 4), profile: profile)
        }
        #expect(error.code == .languageUnsupported)
    }

    @Test func invalidSettingsAreRejected() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        let bitmap = try Fixtures.goldenBitmap()
        var settings = Fixtures.settings(width: 16, length: 4)
        settings.eplDensity = 16
        #expect(throws: PrintersError.self) { try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile) }
        settings = Fixtures.settings(width: 16, length: 4)
        settings.copies = 65535
        #expect(throws: PrintersError.self) { try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile) }
        settings = Fixtures.settings(width: 16, length: 4)
        settings.gapDots = 10
        #expect(throws: PrintersError.self) { try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile) }
        settings.mediaTracking = .continuous
        #expect(throws: Never.self) { try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile) }
    }

    @Test(arguments: [1, 7, 8, 13, 203, 832])
    func randomBitmapsRoundTrip(width: Int) throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        for (index, bitmap) in [
            Fixtures.noise(width: width, height: 31, density: 0.3, seed: UInt64(width)),
            Fixtures.blocks(width: width, height: 31, seed: UInt64(width + 1)),
            Bitmap(width: width, height: 31),
        ].enumerated() {
            let settings = Fixtures.settings(width: max(width, 2), length: 31 + index)
            let job = try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile)
            let labels = try EPLGraphicDecoder.decodeLabels(job.bytes)
            #expect(labels.count == 1)
            let label = try #require(labels.first)
            #expect(label.copies == 1)
            #expect(label.bitmap.width == max(width, 2))
            #expect(label.bitmap.height == 31 + index)
            var expected = Bitmap(width: max(width, 2), height: 31 + index)
            expected.draw(bitmap, atX: 0, y: 0)
            #expect(label.bitmap == expected)
        }
    }

    @Test func decoderHonoursPositionCRLFAndSeveralLabels() throws {
        // Two labels: the second clears the buffer with N and places a 1-byte graphic at x = 4.
        var job = Array("\r\nN\r\nq16\r\nQ2,24\r\nGW0,0,2,2,".utf8) + [0x00, 0xFF, 0xFF, 0x00]
        job += Array("\r\nP1\r\nN\r\nGW4,1,1,1\r\n".utf8) + [0x0F] + Array("\r\nP3,2\r\n".utf8)
        let labels = try EPLGraphicDecoder.decodeLabels(job)
        #expect(labels.count == 2)
        #expect(labels[0].bitmap.bytes == [0xFF, 0x00, 0x00, 0xFF])
        #expect(labels[1].bitmap.bytes == [0x00, 0x00, 0x0F, 0x00])
        #expect(labels[1].copies == 6)
    }
}
