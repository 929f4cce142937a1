import Printers
import Testing

@Suite("Profile matching from the device ID")
struct StatusProfileMatchTests {
    let library: ProfileLibrary

    init() throws {
        library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
    }

    @Test func theModelStringSeparatesResolutionsSharingAProductId() throws {
        let id = try DeviceID(text: "MFG:Zebra Technologies;CMD:ZPL,EPL;MDL:ZTC ZD421-300dpi ZPL;CLS:PRINTER;")
        let match = try #require(library.match(vendorId: 0x0A5F, productId: 0x0187, deviceID: id))
        #expect(match.profile.id == "zebra-zd421d-300")
        #expect(match.printerLanguages == [.zpl, .epl])
        #expect(match.language == .zpl)
        #expect(match.languageMismatch == nil)
        #expect(match.alternatives.map(\.id) == ["zebra-zd421d-203"])
    }

    @Test func aPrinterThatSpeaksOnlyZPLAgainstAnEPLFirstProfile() throws {
        let id = try DeviceID(text: "MFG:Zebra Technologies;CMD:ZPL;MDL:GK420d;")
        let match = try #require(library.match(vendorId: 0x0A5F, productId: nil, deviceID: id))
        #expect(match.profile.id == "zebra-gk420d-203")
        #expect(match.language == .zpl)
        let mismatch = try #require(match.languageMismatch)
        #expect(mismatch.code == .languageMismatch)
        #expect(mismatch.printerLanguages == [.zpl])
        #expect(mismatch.profileLanguages == [.epl, .zpl])
        #expect(mismatch.message == "printer speaks ZPL, profile zebra-gk420d-203 says EPL; sending ZPL, which both share")
        #expect(mismatch.description.hasPrefix("printers.language_mismatch: "))
    }

    @Test func printerSpeaksEPLProfileSaysZPL() throws {
        let id = try DeviceID(text: "MFG:Zebra Technologies;CMD:EPL;MDL:ZTC ZT230-203dpi;")
        let match = try #require(library.match(vendorId: 0x0A5F, productId: nil, deviceID: id))
        #expect(match.profile.id == "zebra-zt230-203")
        #expect(match.language == nil)
        #expect(match.languageMismatch?.message == "printer speaks EPL, profile zebra-zt230-203 says ZPL; they share no language")
    }

    @Test func withoutADeviceIDTheProductIdDecides() throws {
        let match = try #require(library.match(vendorId: 0x0A5F, productId: 0x0187, deviceID: nil))
        #expect(match.profile.id == "zebra-zd421d-203")
        #expect(match.printerLanguages.isEmpty)
        #expect(match.languageMismatch == nil)
        #expect(match.language == .zpl)
    }

    @Test func noMatch() throws {
        #expect(library.match(vendorId: 0x1234, productId: 0x0001, deviceID: nil) == nil)
        let id = try DeviceID(text: "MFG:Zebra;MDL:Unknown-9000;CMD:ZPL;")
        #expect(library.match(vendorId: 0x0A5F, productId: nil, deviceID: id) == nil)
    }

    @Test func amongEquallyGoodCandidatesTheLanguageDecides() throws {
        func profile(_ id: String, _ languages: [PrinterLanguage]) -> PrinterProfile {
            let epl = languages.contains(.epl)
            return PrinterProfile(
                id: id, manufacturer: "Zebra Technologies", model: id, languages: languages, dpi: 203, maxPrintWidthDots: 832,
                speed: SettingRange(min: 2, max: 6, defaultValue: 4), darkness: SettingRange(min: 0, max: 30, defaultValue: 20),
                eplDensity: epl ? SettingRange(min: 0, max: 15, defaultValue: 10) : nil, eplSpeedCodes: epl ? [2: 2, 4: 4] : nil,
                mediaType: .directThermal, mediaTracking: .gap, printMode: .tearOff,
                usb: USBIdentity(vendorId: 0x0A5F, productIds: [0x0100], deviceIdModelPatterns: ["LP2844"]))
        }
        let library = try ProfileLibrary(profiles: [profile("a-zpl", [.zpl]), profile("b-epl", [.epl])])
        let epl = try DeviceID(text: "MFG:Zebra;MDL:LP2844;CMD:EPL;")
        let match = try #require(library.match(vendorId: 0x0A5F, productId: 0x0100, deviceID: epl))
        #expect(match.profile.id == "b-epl")
        #expect(match.languageMismatch == nil)
        #expect(match.alternatives.map(\.id) == ["a-zpl"])
        // Better evidence still wins over language: the mismatch is then reported.
        let zplOnlyByModel = try ProfileLibrary(profiles: [
            profile("a-zpl", [.zpl]),
            PrinterProfile(
                id: "c-epl", manufacturer: "Zebra Technologies", model: "c", languages: [.epl], dpi: 203, maxPrintWidthDots: 832,
                speed: SettingRange(min: 2, max: 6, defaultValue: 4), darkness: SettingRange(min: 0, max: 30, defaultValue: 20),
                eplDensity: SettingRange(min: 0, max: 15, defaultValue: 10), eplSpeedCodes: [2: 2],
                mediaType: .directThermal, mediaTracking: .gap, printMode: .tearOff,
                usb: USBIdentity(vendorId: 0x0A5F, productIds: [0x0100], deviceIdModelPatterns: [])),
        ])
        let byModel = try #require(zplOnlyByModel.match(vendorId: 0x0A5F, productId: 0x0100, deviceID: epl))
        #expect(byModel.profile.id == "a-zpl")
        #expect(byModel.languageMismatch != nil)
    }
}
