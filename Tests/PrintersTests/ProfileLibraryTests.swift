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

    /// A `~HI` model must contain one of a profile's model patterns, and its resolution must be
    /// the profile's: the same model at another resolution is another profile, or none.
    @Test func hiMatchesModelPatternsAtTheProfilesResolution() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        func matched(_ model: String, dpi: Int) -> String? {
            library.match(identification: PrinterIdentification(model: model, firmware: "V84.20.18Z", dpi: dpi))?.id
        }
        #expect(matched("ZD421-300dpi", dpi: 300) == "zebra-zd421d-300")
        #expect(matched("ZTC ZD421-203dpi ZPL", dpi: 203) == "zebra-zd421d-203")
        #expect(matched("zd421-300DPI", dpi: 203) == nil, "a 300 dpi model answering 8 dots/mm matches no profile")
        #expect(matched("GK420d", dpi: 300) == nil)
        #expect(matched("GK420d", dpi: 203) == "zebra-gk420d-203")
        #expect(matched("LP2844", dpi: 203) == nil)
    }

    /// Several profiles matching: the longest matching pattern wins, then the lowest id, whatever
    /// order the profiles were given in.
    @Test func amongSeveralHIMatchesTheLongestPatternThenTheIdDecides() throws {
        let shipped = try Fixtures.profile("zebra-zd421d-300")
        func profile(_ id: String, _ patterns: [String]) -> PrinterProfile {
            var profile = shipped
            profile.id = id
            profile.usb?.deviceIdModelPatterns = patterns
            return profile
        }
        let specific = profile("b-specific", ["ZD4", "ZD421-300dpi"])
        let generic = profile("a-generic", ["ZD421"])
        let twin = profile("c-twin", ["ZD421-300DPI"])
        let hi = PrinterIdentification(model: "ZD421-300dpi", firmware: "V84.20.18Z", dpi: 300)
        for profiles in [[generic, specific, twin], [twin, specific, generic]] {
            #expect(try ProfileLibrary(profiles: profiles).match(identification: hi)?.id == "b-specific")
        }
        #expect(try ProfileLibrary(profiles: [generic, twin]).match(identification: hi)?.id == "c-twin")
        #expect(try ProfileLibrary(profiles: [generic]).match(identification: hi)?.id == "a-generic")
        #expect(
            try ProfileLibrary(profiles: [generic]).match(identification: PrinterIdentification(model: "ZD420", firmware: "V1", dpi: 300))
                == nil)
    }

    @Test func rasterLanguageHonoursEPLOnlyGraphics() throws {
        var profile = try Fixtures.profile("zebra-zd421d-203")
        #expect(profile.rasterLanguage == .zpl)
        profile.quirks = [.eplOnlyGraphics]
        #expect(profile.rasterLanguage == .epl)
        #expect(profile.validationProblems().isEmpty)
    }
}
