import Foundation
import LanyardSupport
import Printers
import Raster
import Testing

@Suite("Printer simulator")
struct SimulatorTests {
    @Test(arguments: SimulatorSamples.cases)
    func labelsComeBackWhateverTheChunking(raster: SimulatorSamples.Raster, kind: SimulatorSamples.Kind) throws {
        let job = try SimulatorSamples.encode(raster.bitmap, as: kind)
        if let marker = kind.marker { #expect(job.bytes.ascii.contains(marker)) }
        if kind == .zplACS || kind == .zplHex { #expect(!job.bytes.ascii.contains(":Z64:")) }
        let directory = try TemporaryDirectory()
        let simulator = try SimulatorSamples.simulator(for: kind.language, directory: directory.path)
        let session = simulator.makeSession()
        for (index, piece) in SimulatorSamples.chunks(job.bytes, maxChunk: 97, seed: UInt64(raster.bitmap.width)).enumerated() {
            let delivery = session.receive(piece)
            #expect(delivery.acceptedBytes == piece.count && delivery.replies.isEmpty && !delivery.closeConnection, "piece \(index)")
        }
        #expect(simulator.errors.isEmpty, "\(simulator.errors)")
        let labels = simulator.printedLabels
        try #require(labels.count == 1)
        #expect(labels[0].bitmap == raster.bitmap)
        #expect(labels[0].sequence == 1 && labels[0].copies == 1 && labels[0].language == kind.language)
        let png = try #require(labels[0].pngPath)
        #expect(png == directory.path + "/label-000001.png")
        let pngBytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(Array(pngBytes) == (try raster.bitmap.png()))
    }

    @Test func everyByteSplitOfAZPLJobPrintsTheSameLabel() throws {
        // One job fed one byte at a time, then with a cut at every position of its header.
        let bitmap = Fixtures.blocks(width: 48, height: 20, seed: 4)
        let job = try SimulatorSamples.encode(bitmap, as: .zplACS).bytes
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        for byte in job { _ = session.receive([byte]) }
        for cut in 1..<min(job.count, 120) {
            _ = session.receive(Array(job[..<cut]))
            _ = session.receive(Array(job[cut...]))
        }
        let labels = simulator.printedLabels
        #expect(labels.count == min(job.count, 120))
        #expect(labels.allSatisfy { $0.bitmap == bitmap })
        #expect(simulator.errors.isEmpty)
    }

    @Test func binaryGraphicFieldsMayContainCommandBytes() throws {
        // ^GFB payload bytes spelling ^XZ and ~HS are data, not commands.
        let payload: [UInt8] = Array("^XZ~HS".utf8) + [0xFF, 0x00]
        let job = Array("^XA^PW16^LL4^FO0,0^GFB,8,8,2,".utf8) + payload + Array("^FS^XZ".utf8)
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        var replies: [UInt8] = []
        for piece in SimulatorSamples.chunks(job, maxChunk: 3, seed: 1) { replies += session.receive(piece).replies }
        #expect(replies.isEmpty)
        let label = try #require(simulator.printedLabels.first)
        #expect(label.bitmap.bytes == payload)
    }

    @Test func settingsSeenAreRecordedWithEachLabel() throws {
        let bitmap = Fixtures.noise(width: 64, height: 32, density: 0.3, seed: 8)
        let overrides = JobOverrides(darkness: 27, speedIPS: 2, mediaTracking: .mark, copies: 3, tearOffAdjustDots: -15)
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        _ = session.receive(try SimulatorSamples.encode(bitmap, as: .zplZ64, overrides: overrides).bytes)
        _ = session.receive(Array("^XA^MD-4^PRC^MNN^MTT^MMC^XZ".utf8))
        let labels = simulator.printedLabels
        try #require(labels.count == 2)
        let first = labels[0].settings
        #expect(first.darkness == 27 && first.darknessOffset == 0 && first.effectiveDarkness == 27)
        #expect(first.printSpeedIPS == 2)
        #expect(first.tearOffAdjustDots == -15)
        #expect(first.mediaTracking == .mark && first.mediaType == .directThermal && first.printMode == .tearOff)
        #expect(first.printWidthDots == 64 && first.labelLengthDots == 32)
        #expect(first.reprintAfterError == false)
        #expect(labels[0].copies == 3)
        // The second format sets no size: the printer keeps the last ^PW/^LL and prints blank.
        let second = labels[1]
        #expect(second.bitmap == Bitmap(width: 64, height: 32))
        #expect(second.settings.effectiveDarkness == 23 && second.settings.printSpeedIPS == 4)
        #expect(second.settings.mediaTracking == .continuous && second.settings.mediaType == .thermalTransfer)
        #expect(second.settings.printMode == .cutter)
    }

    @Test func eplSettingsAreRecorded() throws {
        let bitmap = Fixtures.noise(width: 80, height: 24, density: 0.5, seed: 2)
        let simulator = try SimulatorSamples.simulator(for: .epl)
        let session = simulator.makeSession()
        _ = session.receive(
            try SimulatorSamples.encode(bitmap, as: .epl, overrides: JobOverrides(eplDensity: 13, speedIPS: 2, copies: 2)).bytes)
        let label = try #require(simulator.printedLabels.first)
        #expect(label.bitmap == bitmap && label.copies == 2)
        #expect(label.settings.eplDensity == 13 && label.settings.eplSpeedCode == 2 && label.settings.printSpeedIPS == 2)
        #expect(label.settings.printWidthDots == 80 && label.settings.labelLengthDots == 24)
        // Another P without N prints the same image again, as an EPL printer does.
        _ = session.receive(Array("P1\n".utf8))
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap, bitmap])
        // UQ reports what the job set.
        let dump = session.receive(Array("UQ\n".utf8)).replies.ascii
        #expect(dump.contains("\r\nS2 D13 R000,000 ZT UN\r\n"))
        #expect(dump.contains("\r\nq80 Q24,24\r\n"))
        #expect(dump.contains("\r\nOption:D,Ff\r\n"))
        #expect(dump.hasPrefix("ZD421-300dpi V00.00.00SIM\r\nS/N: SIM00001\r\n"))
    }

    @Test func hostStatusReportsEachModeExactly() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl, answerWhenFaulted: true)
        let session = simulator.makeSession()
        let query = Array("~HS".utf8)
        #expect(session.receive(query).replies == SimulatorReplies.hostStatus())
        try simulator.setMode(.paused)
        #expect(session.receive(query).replies == SimulatorReplies.hostStatus(paused: true))
        try simulator.setMode(.paperOut)
        #expect(session.receive(query).replies == SimulatorReplies.hostStatus(paperOut: true))
        try simulator.setMode(.headOpen)
        #expect(session.receive(query).replies == SimulatorReplies.hostStatus(headOpen: true))
        try simulator.setMode(.slow(bytesPerSecond: 100))
        #expect(session.receive(query).replies == SimulatorReplies.hostStatus())
        // The meaning, field by field: paper out is string 1 field 2, head open string 2 field 3.
        try simulator.setMode(.headOpen)
        let fields = SimulatorReplies.hostStatusFields(session.receive(query).replies)
        #expect(fields.map(\.count) == [12, 11, 2])
        #expect(fields[0][1] == "0" && fields[0][2] == "0" && fields[1][2] == "1")
    }

    @Test func hostStatusIsSilentWithPaperOutOrHeadOpen() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        for mode in [SimulatorMode.paperOut, .headOpen] {
            try simulator.setMode(mode)
            #expect(session.receive(Array("~HS".utf8)).replies.isEmpty, "\(mode)")
        }
        try simulator.setMode(.paused)
        #expect(session.receive(Array("~HS".utf8)).replies == SimulatorReplies.hostStatus(paused: true))
    }

    @Test func extendedStatusReportsEachModeExactly() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        let expected: [(SimulatorMode, String)] = [
            (.ready, "00000000"), (.paperOut, "00000001"), (.headOpen, "00000004"), (.paused, "00010000"),
            (.dropConnection(afterBytes: 1000), "00000000"),
        ]
        for (mode, errors) in expected {
            try simulator.setMode(mode)
            #expect(session.receive(Array("~HQES".utf8)).replies == SimulatorReplies.extendedStatus(errors: errors), "\(mode)")
        }
    }

    @Test func printersWithoutExtendedStatusStaySilent() throws {
        var profile = try SimulatorSamples.profile()
        profile.quirks = [.noExtendedStatus]
        let simulator = try PrinterSimulator(profile: profile, language: .zpl)
        #expect(simulator.makeSession().receive(Array("~HQES".utf8)).replies.isEmpty)
    }

    @Test func hostIdentificationNamesTheModel() throws {
        let zpl203 = try PrinterSimulator(profile: try Fixtures.profile("zebra-zd421d-203"), language: .zpl)
        #expect(zpl203.makeSession().receive(Array("~HI".utf8)).replies == Array("\u{02}ZD421-203dpi,V00.00.00SIM,8,8192KB\u{03}\r\n".utf8))
        let zpl300 = try SimulatorSamples.simulator(for: .zpl)
        #expect(SimulatorReplies.frames(zpl300.makeSession().receive(Array("~hi".utf8)).replies) == ["ZD421-300dpi,V00.00.00SIM,12,8192KB"])
    }

    @Test func eplErrorReportFollowsTheMode() throws {
        let simulator = try SimulatorSamples.simulator(for: .epl)
        let session = simulator.makeSession()
        let expected: [(SimulatorMode, String)] = [(.ready, "00\r\n"), (.paperOut, "07\r\n"), (.headOpen, "11\r\n"), (.paused, "12\r\n")]
        for (mode, reply) in expected {
            try simulator.setMode(mode)
            #expect(session.receive(Array("^ee\r\n".utf8)).replies.ascii == reply, "\(mode)")
        }
        // ^ee is answered without waiting for its line end, even when split.
        try simulator.setMode(.ready)
        #expect(session.receive(Array("^e".utf8)).replies.isEmpty)
        #expect(session.receive(Array("e".utf8)).replies.ascii == "00\r\n")
    }

    @Test(arguments: [SimulatorMode.paperOut, .headOpen, .paused])
    func labelsAreHeldUntilThePrinterIsReady(mode: SimulatorMode) throws {
        let bitmap = Fixtures.blocks(width: 120, height: 40, seed: 12)
        let simulator = try SimulatorSamples.simulator(for: .zpl, answerWhenFaulted: true)
        let session = simulator.makeSession()
        try simulator.setMode(mode)
        _ = session.receive(try SimulatorSamples.encode(bitmap, as: .zplZ64, overrides: JobOverrides(copies: 2)).bytes)
        _ = session.receive(try SimulatorSamples.encode(bitmap, as: .zplACS).bytes)
        #expect(simulator.printedLabels.isEmpty)
        #expect(simulator.snapshot.heldLabels == 2)
        #expect(simulator.status.conditions == [mode.condition] && simulator.status.formatsInBuffer == 2)
        let status = session.receive(Array("~HS".utf8)).replies
        #expect(
            status
                == SimulatorReplies.hostStatus(
                    paperOut: mode == .paperOut, paused: mode == .paused, length: 40, formats: 2, headOpen: mode == .headOpen, remaining: 3)
        )
        try simulator.setMode(.ready)
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap, bitmap])
        #expect(simulator.printedLabels.map(\.copies) == [2, 1])
        #expect(simulator.snapshot.heldLabels == 0)
    }

    @Test func controlCommandsPauseResumeCancelAndCount() throws {
        let bitmap = Fixtures.noise(width: 32, height: 8, density: 0.5, seed: 3)
        let job = try SimulatorSamples.encode(bitmap, as: .zplHex).bytes
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        _ = session.receive(Array("~PP".utf8) + job)
        #expect(simulator.mode == .paused && simulator.snapshot.heldLabels == 1)
        _ = session.receive(Array("~JA".utf8))
        #expect(simulator.snapshot.heldLabels == 0)
        _ = session.receive(job + Array("~PS".utf8))
        #expect(simulator.mode == .ready && simulator.printedLabels.count == 1)
        _ = session.receive(Array("~JC~WC~SD07~TA-05~TA120".utf8))
        let snapshot = simulator.snapshot
        #expect(snapshot.calibrations == 1 && snapshot.configurationLabels == 1)
        #expect(snapshot.settings.darkness == 7)
        // "-05" is not three digits after the sign, so only ~TA120 counts.
        #expect(snapshot.settings.tearOffAdjustDots == 120)
    }

    @Test func configurationIsSavedAndRecalled() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        let factory = simulator.snapshot.settings
        _ = session.receive(Array("~SD25^XA^PR2^JUS^XZ".utf8))
        #expect(simulator.snapshot.settingsSaves == 1)
        #expect(simulator.snapshot.savedSettings.darkness == 25 && simulator.snapshot.savedSettings.printSpeedIPS == 2)
        _ = session.receive(Array("~SD10^XA^JUR^XZ".utf8))
        #expect(simulator.snapshot.settings.darkness == 25)
        _ = session.receive(Array("^XA^JUF^XZ".utf8))
        #expect(simulator.snapshot.settings == factory)
    }

    @Test func partialFormatsShowInHostStatus() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        _ = session.receive(Array("^XA^PW8^LL2".utf8))
        #expect(simulator.snapshot.partialFormats == 1)
        // ~HS inside an open format is answered at once and stays out of the format.
        #expect(session.receive(Array("~HS".utf8)).replies == SimulatorReplies.hostStatus(partial: true))
        // Another connection's query sees the open format too.
        #expect(simulator.makeSession().receive(Array("~HS".utf8)).replies == SimulatorReplies.hostStatus(partial: true))
        _ = session.receive(Array("^FO0,0^GFA,2,2,1,FF80^FS^XZ".utf8))
        #expect(simulator.snapshot.partialFormats == 0)
        #expect(simulator.printedLabels.first?.bitmap.bytes == [0xFF, 0x80])
        #expect(simulator.errors.isEmpty)
    }

    @Test func malformedJobsAreRecordedAndTheSimulatorKeepsServing() throws {
        let bitmap = Fixtures.noise(width: 40, height: 10, density: 0.5, seed: 5)
        var good = try SimulatorSamples.encode(bitmap, as: .zplZ64).bytes
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        // A corrupted Z64 CRC, a ^XZ with nothing open, a format abandoned by a new ^XA.
        var corrupt = good
        let crcEnd = try #require(corrupt.ascii.range(of: "^FS")).lowerBound.utf16Offset(in: corrupt.ascii)
        corrupt[crcEnd - 1] = corrupt[crcEnd - 1] == 0x30 ? 0x31 : 0x30
        _ = session.receive(corrupt)
        _ = session.receive(Array("^XZ".utf8))
        _ = session.receive(Array("^XA^PW8".utf8))
        _ = session.receive(good)
        let errors = simulator.errors
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0.code == .malformedJob && $0.session == session.id && $0.offset != nil })
        #expect("\(errors[0])".contains("CRC"), "\(errors[0])")
        #expect(errors[1].message.contains("^XZ without ^XA"))
        #expect(errors[2].message.contains("never closed"))
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap])
        // Garbage in EPL: a GW that promises more than the job holds before P.
        good = try SimulatorSamples.encode(bitmap, as: .epl).bytes
        let epl = try SimulatorSamples.simulator(for: .epl)
        let eplSession = epl.makeSession()
        _ = eplSession.receive(Array("\nN\nq8\nQ2,24\nGW0,0,1,x\nP1\n".utf8))
        _ = eplSession.receive(good)
        #expect(epl.errors.count == 1 && epl.errors[0].code == .malformedJob)
        #expect(epl.printedLabels.map(\.bitmap) == [bitmap])
    }

    @Test func endlessFormatsAreDroppedNotBuffered() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        let session = simulator.makeSession()
        _ = session.receive(Array("^XA^FO0,0^GFA,1,1,1,".utf8))
        let megabyte = [UInt8](repeating: 0x41, count: 1 << 20)
        for _ in 0...64 { _ = session.receive(megabyte) }
        let bitmap = Fixtures.noise(width: 16, height: 4, density: 0.5, seed: 1)
        _ = session.receive(try SimulatorSamples.encode(bitmap, as: .zplACS).bytes)
        #expect(simulator.errors.map(\.message).contains { $0.contains("without ^XZ and was dropped") })
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap])
    }

    @Test func droppedConnectionsLoseTheirPartialLabel() throws {
        let bitmap = Fixtures.badgeLike(seed: 1)
        let job = try SimulatorSamples.encode(bitmap, as: .zplACS).bytes
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        try simulator.setMode(.dropConnection(afterBytes: job.count / 2))
        let session = simulator.makeSession()
        let first = session.receive(Array(job[..<1000]))
        #expect(first.acceptedBytes == 1000 && !first.closeConnection)
        let second = session.receive(Array(job[1000...]))
        #expect(second.acceptedBytes == job.count / 2 - 1000 && second.closeConnection)
        #expect(session.isClosed && session.receive(job).acceptedBytes == 0)
        #expect(simulator.printedLabels.isEmpty && simulator.snapshot.partialFormats == 0)
        // A new connection gets the same allowance; a whole job under it prints.
        try simulator.setMode(.dropConnection(afterBytes: job.count + 1))
        let retry = simulator.makeSession()
        #expect(!retry.receive(job).closeConnection)
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap])
    }

    @Test func invalidConfigurationsAreRejected() throws {
        var profile = try SimulatorSamples.profile()
        profile.languages = [.zpl]
        #expect(throws: SimulatorError.self) { try PrinterSimulator(profile: profile, language: .epl) }
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        #expect(throws: SimulatorError.self) { try simulator.setMode(.slow(bytesPerSecond: 0)) }
        let directory = try TemporaryDirectory()
        let file = try directory.write("not-a-directory", "x")
        let error = try #require(throws: SimulatorError.self) {
            try PrinterSimulator(profile: try SimulatorSamples.profile(), outputDirectory: file + "/labels")
        }
        #expect(error.code == .invalidConfiguration)
    }
}
