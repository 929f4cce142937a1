import LanyardSupport
import Printers
import Testing

@Suite("Job settings")
struct JobSettingsTests {
    @Test func defaultsComeFromTheProfile() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 812, labelLengthDots: 609)
        #expect(resolved.warnings.isEmpty)
        let settings = resolved.settings
        #expect(settings.darkness == profile.darkness.defaultValue)
        #expect(settings.eplDensity == profile.eplDensity?.defaultValue)
        #expect(settings.speedIPS == profile.speed.defaultValue)
        #expect(settings.mediaType == .directThermal)
        #expect(settings.mediaTracking == .gap)
        #expect(settings.printMode == .tearOff)
        #expect(settings.copies == 1)
        #expect(settings.labelHome == LabelHome(x: 0, y: 0))
        #expect(settings.gapDots == 24)
        #expect(settings.reprintAfterError == false)
        #expect(settings.labelWidthDots == 812)
        #expect(settings.labelLengthDots == 609)
    }

    @Test func reprintAfterErrorIsOffInTheJob() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 16, labelLengthDots: 4)
        let text = try ZPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: resolved.settings).text
        #expect(text.contains("^JZN"))
        #expect(!text.contains("^JZY"))
    }

    @Test func outOfRangeValuesAreClampedWithAWarningEach() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let overrides = JobOverrides(darkness: 40, eplDensity: 20, speedIPS: 10, tearOffAdjustDots: 200, gapDots: 8)
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 832, labelLengthDots: 609, overrides: overrides)
        #expect(resolved.settings.darkness == 30)
        #expect(resolved.settings.eplDensity == 15)
        #expect(resolved.settings.speedIPS == 6)
        #expect(resolved.settings.tearOffAdjustDots == 120)
        #expect(resolved.settings.gapDots == 16)
        let warnings = Dictionary(uniqueKeysWithValues: resolved.warnings.map { ($0.field, $0) })
        #expect(warnings.count == 5)
        #expect(warnings["darkness"]?.requested == 40)
        #expect(warnings["darkness"]?.applied == 30)
        #expect(warnings["speedIPS"]?.requested == 10)
        #expect(warnings["speedIPS"]?.applied == 6)
        #expect(warnings["eplDensity"]?.applied == 15)
        #expect(warnings["tearOffAdjustDots"]?.applied == 120)
        #expect(warnings["gapDots"]?.applied == 16)
        #expect(resolved.warnings.allSatisfy { $0.code == .clamped })
        #expect(warnings["speedIPS"]?.message.contains("2...6") == true)
    }

    @Test func lowValuesClampUp() throws {
        let profile = try Fixtures.profile("zebra-zd421d-300")
        let overrides = JobOverrides(darkness: -5, speedIPS: 1)
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 1200, labelLengthDots: 900, overrides: overrides)
        #expect(resolved.settings.darkness == 0)
        #expect(resolved.settings.speedIPS == 2)
        #expect(resolved.settings.eplDensity == 0, "density follows the darkness override")
        #expect(Set(resolved.warnings.map(\.field)) == ["darkness", "speedIPS"])
    }

    @Test func darknessOverrideSetsEPLDensityByHalving() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        for (darkness, density) in [(0, 0), (1, 1), (20, 10), (21, 11), (29, 15), (30, 15)] {
            let resolved = try JobSettings.resolve(
                profile: profile, labelWidthDots: 800, labelLengthDots: 600, overrides: JobOverrides(darkness: darkness)
            )
            #expect(resolved.settings.eplDensity == density)
            #expect(resolved.warnings.isEmpty)
        }
        let explicit = try JobSettings.resolve(
            profile: profile, labelWidthDots: 800, labelLengthDots: 600, overrides: JobOverrides(darkness: 30, eplDensity: 3)
        )
        #expect(explicit.settings.eplDensity == 3)
    }

    @Test func valuesInRangePassUnchanged() throws {
        let profile = try Fixtures.profile("zebra-zd621d-203")
        let overrides = JobOverrides(
            darkness: 12, speedIPS: 8, mediaTracking: .mark, mediaType: .thermalTransfer, printMode: .peel, copies: 5,
            labelHome: LabelHome(x: 10, y: 20), tearOffAdjustDots: -120, gapDots: 240, reprintAfterError: true
        )
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 800, labelLengthDots: 1218, overrides: overrides)
        #expect(resolved.warnings.isEmpty)
        let settings = resolved.settings
        #expect(settings.darkness == 12)
        #expect(settings.speedIPS == 8)
        #expect(settings.mediaTracking == .mark)
        #expect(settings.mediaType == .thermalTransfer)
        #expect(settings.printMode == .peel)
        #expect(settings.copies == 5)
        #expect(settings.labelHome == LabelHome(x: 10, y: 20))
        #expect(settings.tearOffAdjustDots == -120)
        #expect(settings.gapDots == 240)
        #expect(settings.reprintAfterError)
    }

    @Test func rasterWiderThanTheHeadIsRefused() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let error = try #require(throws: PrintersError.self) {
            try JobSettings.resolve(profile: profile, labelWidthDots: 1200, labelLengthDots: 900)
        }
        #expect(error.code == .rasterTooWide)
        #expect(error.message.contains("832"))
        let shifted = try #require(throws: PrintersError.self) {
            try JobSettings.resolve(
                profile: profile, labelWidthDots: 832, labelLengthDots: 900, overrides: JobOverrides(labelHome: LabelHome(x: 1))
            )
        }
        #expect(shifted.code == .rasterTooWide)
        #expect(try JobSettings.resolve(profile: profile, labelWidthDots: 832, labelLengthDots: 900).warnings.isEmpty)
    }

    @Test(arguments: [
        (16, 0, JobOverrides(), "labelLengthDots"),
        (16, 32001, JobOverrides(), "labelLengthDots"),
        (1, 10, JobOverrides(), "labelWidthDots"),
        (16, 10, JobOverrides(copies: 0), "copies"),
        (16, 10, JobOverrides(labelHome: LabelHome(x: -1, y: 0)), "labelHome"),
        (16, 10, JobOverrides(labelHome: LabelHome(x: Int.max, y: 0)), "labelHome"),
        (Int.max, 10, JobOverrides(), "labelWidthDots"),
    ])
    func impossibleRequestsAreErrors(width: Int, length: Int, overrides: JobOverrides, field: String) throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let error = try #require(throws: PrintersError.self) {
            try JobSettings.resolve(profile: profile, labelWidthDots: width, labelLengthDots: length, overrides: overrides)
        }
        #expect(error.code == .settingsInvalid)
        #expect(error.field == field)
    }
}
