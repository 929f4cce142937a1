import LanyardSupport
import Printers
import Testing

@Suite("Printer control commands")
struct ControlCommandTests {
    @Test func zplApplySettingsFromTheProfile() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let command = try PrinterControl.applySettings(profile: profile, labelLengthDots: 1218)
        #expect(command.action == .applySettings)
        #expect(command.language == .zpl)
        #expect(command.text == "~SD20\n~TA000\n^XA\n^PW832^LL1218^LH0,0\n^MNY^MTD^MMT^PR4,4,2^JZN\n^XZ\n")
        #expect(command.warnings.isEmpty)
        #expect(!command.text.contains("^JU"))
        #expect(command.settings?.darkness == 20)
    }

    @Test func eplApplySettingsFromTheProfile() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        let command = try PrinterControl.applySettings(profile: profile, labelLengthDots: 1218)
        #expect(command.language == .epl)
        #expect(command.text == "\nOD\nq832\nQ1218,24\nS4\nD10\n")
        let zpl = try PrinterControl.applySettings(profile: profile, language: .zpl, labelWidthDots: 800, labelLengthDots: 400)
        #expect(zpl.text == "~SD20\n~TA000\n^XA\n^PW800^LL400^LH0,0\n^MNY^MTD^MMT^PR4,4,2^JZN\n^XZ\n")
    }

    @Test func mediaTrackingTypeModeAndTearOff() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let mark = try PrinterControl.applySettings(
            profile: profile, labelWidthDots: 812, labelLengthDots: 609,
            overrides: JobOverrides(
                mediaTracking: .mark, mediaType: .thermalTransfer, printMode: .peel, tearOffAdjustDots: -20, gapDots: 30))
        #expect(mark.text == "~SD20\n~TA-020\n^XA\n^PW812^LL609^LH0,0\n^MNM^MTT^MMP^PR4,4,2^JZN\n^XZ\n")
        let markEPL = try PrinterControl.applySettings(
            profile: profile, language: .epl, labelWidthDots: 812, labelLengthDots: 609,
            overrides: JobOverrides(mediaTracking: .mark, mediaType: .thermalTransfer, printMode: .peel, gapDots: 30))
        #expect(markEPL.text == "\nOP\nq812\nQ609,B30\nS4\nD10\n")
        let continuous = try PrinterControl.applySettings(
            profile: profile, language: .epl, labelLengthDots: 609,
            overrides: JobOverrides(speedIPS: 2, mediaTracking: .continuous, printMode: .cutter, reprintAfterError: true))
        #expect(continuous.text == "\nOD,C\nq832\nQ609,0\nS2\nD10\n")
        let continuousZPL = try PrinterControl.applySettings(
            profile: profile, labelLengthDots: 609,
            overrides: JobOverrides(
                speedIPS: 2, mediaTracking: .continuous, printMode: .cutter, tearOffAdjustDots: 5, reprintAfterError: true))
        #expect(continuousZPL.text == "~SD20\n~TA005\n^XA\n^PW832^LL609^LH0,0\n^MNN^MTD^MMC^PR2,2,2^JZY\n^XZ\n")
    }

    @Test func outOfRangeDarknessAndSpeedAreClampedWithWarnings() throws {
        let profile = try Fixtures.profile("zebra-zd421d-300")
        let command = try PrinterControl.applySettings(
            profile: profile, labelLengthDots: 900, overrides: JobOverrides(darkness: 45, speedIPS: 9))
        #expect(command.text.hasPrefix("~SD30\n"))
        #expect(command.text.contains("^PR4,4,2"))
        let warnings = Dictionary(uniqueKeysWithValues: command.warnings.map { ($0.field, $0) })
        #expect(warnings["darkness"]?.requested == 45)
        #expect(warnings["darkness"]?.applied == 30)
        #expect(warnings["speedIPS"]?.requested == 9)
        #expect(warnings["speedIPS"]?.applied == 4)
        #expect(command.warnings.allSatisfy { $0.code == .clamped })
    }

    @Test func handBuiltSettingsAreFittedToTheProfile() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        var settings = Fixtures.settings(width: 832, length: 1218)
        settings.darkness = 35
        settings.eplDensity = 18
        settings.speedIPS = 1
        let zpl = try PrinterControl.applySettings(settings, profile: profile)
        #expect(zpl.text == "~SD30\n~TA000\n^XA\n^PW832^LL1218^LH0,0\n^MNY^MTD^MMT^PR2,2,2^JZN\n^XZ\n")
        #expect(Set(zpl.warnings.map(\.field)) == ["darkness", "eplDensity", "speedIPS"])
        let epl = try PrinterControl.applySettings(settings, profile: profile, language: .epl)
        #expect(epl.text == "\nOD\nq832\nQ1218,24\nS2\nD15\n")
        #expect(epl.settings?.eplDensity == 15)
    }

    @Test func refusals() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let tooWide = try #require(
            controlError { try PrinterControl.applySettings(profile: profile, labelWidthDots: 900, labelLengthDots: 600) })
        #expect(tooWide.code == .rasterTooWide)
        let noLength = try #require(controlError { try PrinterControl.applySettings(profile: profile, labelLengthDots: 0) })
        #expect(noLength.code == .settingsInvalid)
        let zt230 = try Fixtures.profile("zebra-zt230-203")
        let noEPL = try #require(controlError { try PrinterControl.applySettings(profile: zt230, language: .epl, labelLengthDots: 600) })
        #expect(noEPL.code == .languageUnsupported)
    }

    /// A printer set up by a control command ends in the state a job header would leave it in.
    @Test func setupMatchesTheEncodersJobHeaders() throws {
        let profile = try Fixtures.profile("zebra-zd421d-203")
        let overrides = JobOverrides(
            darkness: 17, speedIPS: 5, mediaTracking: .mark, printMode: .peel, labelHome: LabelHome(x: 4, y: 8), tearOffAdjustDots: -7)
        let resolved = try JobSettings.resolve(profile: profile, labelWidthDots: 16, labelLengthDots: 4, overrides: overrides)
        let job = try ZPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: resolved.settings).bytes
        let zpl = try PrinterControl.applySettings(resolved.settings, profile: profile, language: .zpl)
        let firstField = try #require(job.indices.first { job[$0...].starts(with: Array("^FO".utf8)) })
        #expect(zpl.bytes == Array(job[..<firstField]) + Array("^XZ\n".utf8))
        #expect(zpl.text.contains("^LH4,8"))
        #expect(zpl.text.contains("~TA-007"))

        let eplJob = try EPLEncoder.encode(bitmap: Fixtures.goldenBitmap(), settings: resolved.settings, profile: profile).bytes
        let eplLines = eplJob.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(8).map { String(decoding: $0, as: UTF8.self) }
        let epl = try PrinterControl.applySettings(resolved.settings, profile: profile, language: .epl)
        let setupLines = epl.text.split(separator: "\n").map(String.init)
        #expect(setupLines == Array(eplLines.filter { ["O", "q", "Q", "S", "D"].contains($0.first.map(String.init) ?? "") }))
        #expect(setupLines.count == 5)
    }

    @Test func saveIsExplicitAndZPLOnly() throws {
        let save = try PrinterControl.saveSettings(language: .zpl)
        #expect(save.text == "^XA^JUS^XZ\n")
        #expect(save.action == .saveSettings)
        let epl = try #require(controlError { try PrinterControl.saveSettings(language: .epl) })
        #expect(epl.code == .languageUnsupported)
        #expect(epl.message.contains("EPL2 has no command to save settings"))
    }

    @Test func calibration() throws {
        #expect(try PrinterControl.calibrateMedia(language: .zpl).text == "~JC\n")
        #expect(try PrinterControl.calibrateMedia(language: .zpl, mediaTracking: .continuous).text == "~JC\n")
        #expect(try PrinterControl.calibrateMedia(language: .epl).text == "\nxa\n")
        let mark = try #require(controlError { try PrinterControl.calibrateMedia(language: .epl, mediaTracking: .mark) })
        #expect(mark.code == .settingsInvalid)
        #expect(mark.field == "mediaTracking")
        #expect(controlError { try PrinterControl.calibrateMedia(language: .epl, mediaTracking: .continuous) } != nil)
    }

    @Test func configurationLabel() {
        #expect(PrinterControl.printConfigurationLabel(language: .zpl).text == "~WC\n")
        #expect(PrinterControl.printConfigurationLabel(language: .epl).text == "\nU\n")
        #expect(PrinterControl.printConfigurationLabel(language: .epl).action == .printConfiguration)
    }

    private func controlError<T>(_ body: () throws -> T) -> PrintersError? {
        do {
            _ = try body()
            return nil
        } catch let error as PrintersError {
            return error
        } catch {
            Issue.record("expected a PrintersError, got \(error)")
            return nil
        }
    }
}
