import Printers
import Testing

@Suite("Shipped printer profiles")
struct ShippedProfilesTests {
    @Test func loadsEveryShippedProfile() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        let required = [
            "zebra-zd421d-203", "zebra-zd421d-300", "zebra-zd621d-203", "zebra-zd621d-300", "zebra-zd411d-203",
            "zebra-gk420d-203", "zebra-gc420d-203", "zebra-zt230-203", "tsc-te210-203",
        ]
        #expect(library.profiles.count >= 9)
        for id in required {
            let profile = try #require(library.profile(id: id), "missing \(id)")
            #expect(profile.validationProblems(fileStem: id).isEmpty)
            #expect(profile.notes?.contains("nverified") == true, "\(id) must say what is unverified")
        }
    }

    @Test func profileValuesFollowTheReferenceTable() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        let zd421 = try library.require(id: "zebra-zd421d-300")
        #expect(zd421.dpi == 300)
        #expect(zd421.maxPrintWidthDots == 1280)
        #expect(zd421.languages == [.zpl, .epl])
        #expect(zd421.usb?.vendorId == 0x0A5F)
        #expect(zd421.usb?.productIds == [0x0187])

        let gk420 = try library.require(id: "zebra-gk420d-203")
        #expect(gk420.languages.first == .epl)
        #expect(gk420.eplSpeedCodes == [2: 2, 3: 3, 4: 4, 5: 5])
        #expect(gk420.speed.max == 5)

        let zt230 = try library.require(id: "zebra-zt230-203")
        #expect(zt230.languages == [.zpl])
        #expect(zt230.eplDensity == nil)

        let tsc = try library.require(id: "tsc-te210-203")
        #expect(tsc.has(.noZ64))
        #expect(ZPLEncoder.Options(profile: tsc).allowedEncodings == [.acs])
        #expect(ZPLEncoder.Options(profile: zd421).allowedEncodings == [.acs, .z64])
    }

    @Test func lookupFailsWithTheKnownIds() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        #expect(library.profile(id: "zebra-nope") == nil)
        let error = try #require(throws: ProfileError.self) { try library.require(id: "zebra-nope") }
        #expect(error.code == .notFound)
        #expect(error.message.contains("zebra-zd421d-203"))
    }

    @Test func usbCandidatesPreferModelStringThenProductId() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        let ids = library.candidates(vendorId: 0x0A5F, productId: 0x0187, deviceIdModel: "ZTC ZD421-300dpi ZPL").map(\.id)
        #expect(ids.first == "zebra-zd421d-300")
        #expect(ids.contains("zebra-zd421d-203"))
        #expect(library.candidates(vendorId: 0x1234, productId: 0x0187, deviceIdModel: nil).isEmpty)
        #expect(library.candidates(vendorId: 0x195F, productId: 0x0001, deviceIdModel: nil).map(\.id) == ["godex-g500-203"])
    }

    @Test func rasterLanguageHonoursEPLOnlyGraphics() throws {
        var profile = try Fixtures.profile("zebra-zd421d-203")
        #expect(profile.rasterLanguage == .zpl)
        profile.quirks = [.eplOnlyGraphics]
        #expect(profile.rasterLanguage == .epl)
        #expect(profile.validationProblems().isEmpty)
    }
}
