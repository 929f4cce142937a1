import Foundation
import LanyardSupport
import Raster

/// The simulated printer's whole state and what it does with bytes. Guarded by the
/// `PrinterSimulator`'s mutex: every method runs with the lock held.
struct SimulatorEngine {
    /// A complete label waiting to print.
    struct HeldLabel {
        let bitmap: Bitmap
        let copies: Int
        let settings: SimulatorSettings
        let session: Int
        let formatBytes: Int
        let receivedAt: ContinuousClock.Instant
    }

    /// Per-connection reception state: a label cut off by a dropped connection dies with it.
    struct Session {
        var zpl = ZPLStreamSplitter()
        var epl = EPLStreamSplitter()
        /// EPL commands since the last `N`: the image buffer's contents, replayed at each `P`.
        var eplImage: [UInt8] = []
        var eplImageOffset = 0
        /// Bytes received since the mode last changed (for `dropConnection`).
        var modeGeneration = 0
        var bytesThisMode = 0
    }

    /// An EPL image buffer never needs more than a whole label of `GW` data plus its commands.
    static let maxEPLImageBytes = DecoderLimits.maxEPLGraphicBytes + 1024 * 1024

    let configuration: PrinterSimulator.Configuration
    /// The number in the first PNG file name (see `highestFileNumber(in:)`).
    let firstFileNumber: Int
    var mode: SimulatorMode = .ready
    var modeGeneration = 0
    var settings: SimulatorSettings
    var savedSettings: SimulatorSettings
    let factorySettings: SimulatorSettings
    var held: [HeldLabel] = []
    var printed: [SimulatedLabel] = []
    var errors: [SimulatorError] = []
    var sessions: [Int: Session] = [:]
    var nextSession = 1
    var calibrations = 0
    var configurationLabels = 0
    var settingsSaves = 0
    /// When the delivery being processed reached the simulator: the arrival time of every label
    /// that delivery completes.
    var arrival = ContinuousClock.now

    init(configuration: PrinterSimulator.Configuration) {
        self.configuration = configuration
        firstFileNumber = configuration.outputDirectory.map(Self.highestFileNumber(in:)).map { $0 + 1 } ?? 1
        let factory = SimulatorSettings(profile: configuration.profile, labelLengthDots: configuration.labelLengthDots)
        factorySettings = factory
        settings = factory
        savedSettings = factory
    }

    var profile: PrinterProfile { configuration.profile }

    mutating func openSession() -> Int {
        let id = nextSession
        nextSession += 1
        sessions[id] = Session(modeGeneration: modeGeneration)
        return id
    }

    mutating func closeSession(_ id: Int) {
        sessions[id] = nil
    }

    mutating func setMode(_ newMode: SimulatorMode) {
        mode = newMode
        modeGeneration += 1
        printHeldLabelsIfReady()
    }

    var snapshot: SimulatorSnapshot {
        SimulatorSnapshot(
            mode: mode, settings: settings, savedSettings: savedSettings, heldLabels: held.count, printedLabels: printed.count,
            errors: errors.count, partialFormats: sessions.values.filter(\.zpl.formatOpen).count, calibrations: calibrations,
            configurationLabels: configurationLabels, settingsSaves: settingsSaves)
    }

    /// The state status replies describe; `partialFormat` says whether the asking connection
    /// (which is out of `sessions` while its bytes are processed) has a format open.
    func replyState(partialFormat: Bool) -> StatusReplies.State {
        StatusReplies.State(
            mode: mode, settings: settings, formatsInBuffer: held.count, labelsRemaining: held.reduce(0) { $0 + $1.copies },
            partialFormat: partialFormat || sessions.values.contains { $0.zpl.formatOpen })
    }

    // MARK: Receiving

    mutating func receive(_ bytes: [UInt8], session id: Int, at arrival: ContinuousClock.Instant) -> SimulatorDelivery {
        self.arrival = arrival
        // Taken out of the dictionary while it is worked on, so the buffers it holds have a
        // single owner and grow in place instead of being copied on every delivery.
        guard var session = sessions.removeValue(forKey: id) else {
            return SimulatorDelivery(replies: [], acceptedBytes: 0, closeConnection: true)
        }
        if session.modeGeneration != modeGeneration {
            session.modeGeneration = modeGeneration
            session.bytesThisMode = 0
        }
        var accepted = bytes.count
        var drop = false
        if case .dropConnection(let limit) = mode {
            let room = max(limit - session.bytesThisMode, 0)
            if bytes.count >= room {
                accepted = room
                drop = true
            }
        }
        session.bytesThisMode += accepted
        var replies: [UInt8] = []
        switch configuration.language {
        case .zpl:
            let events = session.zpl.feed(bytes[0..<accepted])
            for event in events { handle(event, session: id, replies: &replies) }
        case .epl:
            let events = session.epl.feed(bytes[0..<accepted])
            for event in events { handle(event, in: &session, id: id, replies: &replies) }
        }
        if !drop { sessions[id] = session }
        return SimulatorDelivery(replies: replies, acceptedBytes: accepted, closeConnection: drop)
    }

    // MARK: ZPL

    private mutating func handle(_ event: ZPLStreamSplitter.Event, session: Int, replies: inout [UInt8]) {
        switch event {
        case .format(let format, let offset):
            completeFormat(format, offset: offset, session: session)
        case .control(let name, let parameter, let offset, let insideFormat):
            control(name, parameter, offset: offset, session: session, insideFormat: insideFormat, replies: &replies)
        case .abandonedFormat(let offset):
            errors.append(
                SimulatorError(
                    .malformedJob, "a format was never closed: ^XA arrived before its ^XZ", session: session, offset: offset))
        case .strayFormatEnd(let offset):
            errors.append(SimulatorError(.malformedJob, "^XZ without ^XA", session: session, offset: offset))
        case .overlongFormat(let offset):
            errors.append(
                SimulatorError(
                    .malformedJob, "a format passed \(ZPLStreamSplitter.maxFormatBytes) bytes without ^XZ and was dropped",
                    session: session, offset: offset))
        }
    }

    private mutating func completeFormat(_ format: [UInt8], offset: Int, session: Int) {
        // The printer keeps ^PW, ^LL and ^LH from earlier formats: the decoder, which reads one
        // format in isolation, is handed them in front of the format's own commands.
        var job = Array(
            "^XA^PW\(settings.printWidthDots)^LL\(settings.labelLengthDots)^LH\(settings.labelHomeX),\(settings.labelHomeY)".utf8)
        let injected = job.count - 3
        job.append(contentsOf: format.dropFirst(3))
        var current = settings
        var saved = savedSettings
        var saves = settingsSaves
        let factory = factorySettings
        ZPLSettingsTracker.apply(format: format, to: &current) { letter, settings in
            _ = Self.updateConfiguration(letter, settings: &settings, saved: &saved, saves: &saves, factory: factory)
        }
        settings = current
        savedSettings = saved
        settingsSaves = saves
        do {
            let labels = try ZPLGraphicDecoder.decodeLabels(job)
            for label in labels {
                held.append(
                    HeldLabel(
                        bitmap: label.bitmap, copies: label.copies, settings: settings, session: session,
                        formatBytes: format.count, receivedAt: arrival))
            }
            printHeldLabelsIfReady()
        } catch {
            let position = error.offset.map { offset + max($0 - injected, 0) } ?? offset
            errors.append(
                SimulatorError(
                    .malformedJob, "label format not printed: \(error.message)", session: session, offset: position,
                    underlying: error))
        }
    }

    private mutating func control(
        _ name: String, _ parameter: [UInt8], offset: Int, session: Int, insideFormat: Bool, replies: inout [UInt8]
    ) {
        let text = String(decoding: parameter, as: UTF8.self)
        switch name {
        case "HS":
            let faulted = mode == .paperOut || mode == .headOpen
            if !faulted || configuration.answersHostStatusWhenFaulted {
                replies += StatusReplies.hostStatus(replyState(partialFormat: insideFormat))
            }
        case "HQ":
            if text.uppercased() == "ES", !profile.has(.noExtendedStatus) {
                replies += StatusReplies.extendedStatus(replyState(partialFormat: insideFormat))
            }
        case "HI":
            replies += StatusReplies.hostIdentification(
                model: configuration.modelName, firmware: configuration.firmwareVersion, dpi: profile.dpi,
                memoryKB: configuration.memoryKB)
        case "SD":
            if parameter.allSatisfy(ASCII.isDigit), let value = Int(text), (0...30).contains(value) { settings.darkness = value }
        case "TA":
            let digits = parameter.count == 4 ? parameter.dropFirst() : parameter[...]
            if digits.count == 3, digits.allSatisfy(ASCII.isDigit), let value = Int(text), (-120...120).contains(value) {
                settings.tearOffAdjustDots = value
            }
        case "JC":
            calibrations += 1
        case "WC":
            // Zebra: the configuration label prints only while the printer is idle.
            if !mode.holdsLabels, held.isEmpty { configurationLabels += 1 }
        case "PP":
            if !mode.holdsLabels { setMode(.paused) }
        case "PS":
            if mode == .paused { setMode(.ready) }
        case "JA":
            held.removeAll()
        case "JU":
            let known = Self.updateConfiguration(
                ZPLStreamSplitter.upper(parameter.first ?? 0), settings: &settings, saved: &savedSettings, saves: &settingsSaves,
                factory: factorySettings)
            if !known {
                errors.append(SimulatorError(.malformedJob, "^JU needs S, R, F, N or A, not \"\(text)\"", session: session, offset: offset))
            }
        default:
            break
        }
    }

    /// `^JU`: `S` saves the settings, `R` recalls the saved ones, `F` restores the factory ones;
    /// `N` and `A` concern network settings, which the simulator does not have. False for any
    /// other letter.
    static func updateConfiguration(
        _ letter: UInt8, settings: inout SimulatorSettings, saved: inout SimulatorSettings, saves: inout Int,
        factory: SimulatorSettings
    ) -> Bool {
        switch letter {
        case 0x53:
            saved = settings
            saves += 1
        case 0x52:
            settings = saved
        case 0x46:
            settings = factory
        case 0x4E, 0x41:
            break
        default:
            return false
        }
        return true
    }

    // MARK: EPL

    private mutating func handle(_ event: EPLStreamSplitter.Event, in session: inout Session, id: Int, replies: inout [UInt8]) {
        switch event {
        case .line(let line, let offset):
            eplLine(line, offset: offset, in: &session, id: id, replies: &replies)
        case .graphic(let bytes, let offset):
            appendToImage(bytes, offset: offset, in: &session, id: id)
        case .overlongLine(let offset):
            errors.append(
                SimulatorError(
                    .malformedJob, "a line longer than \(EPLStreamSplitter.maxLineBytes) bytes was dropped", session: id, offset: offset))
        }
    }

    private mutating func eplLine(_ line: [UInt8], offset: Int, in session: inout Session, id: Int, replies: inout [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        switch text {
        case "^ee":
            replies += StatusReplies.eplErrorReport(mode)
            return
        case "UQ":
            replies += StatusReplies.eplConfiguration(
                model: configuration.modelName, firmware: configuration.firmwareVersion,
                serialNumber: configuration.serialNumber, settings: settings)
            return
        case "N":
            session.eplImage = Array("N\n".utf8)
            session.eplImageOffset = offset
            return
        default:
            break
        }
        if line.count >= 2, line[0] == 0x50, ASCII.isDigit(line[1]) {
            printEPLImage(printLine: line, offset: offset, session: session, id: id)
            return
        }
        if let letter = line.first, [0x71, 0x51, 0x53, 0x44, 0x4F].contains(letter) {
            EPLSettingsTracker.apply(line: line, profile: profile, to: &settings)
        }
        appendToImage(line + [ASCII.lf], offset: offset, in: &session, id: id)
    }

    private mutating func appendToImage(_ bytes: [UInt8], offset: Int, in session: inout Session, id: Int) {
        if session.eplImage.isEmpty { session.eplImageOffset = offset }
        guard session.eplImage.count + bytes.count <= Self.maxEPLImageBytes else {
            errors.append(
                SimulatorError(
                    .malformedJob, "the image buffer overflowed without an N to clear it; buffer cleared", session: id, offset: offset))
            session.eplImage = []
            return
        }
        session.eplImage += bytes
    }

    /// `P`: prints the image buffer as built since `N`. The buffer stays, so another `P` prints
    /// it again, as on an EPL printer.
    private mutating func printEPLImage(printLine: [UInt8], offset: Int, session: Session, id: Int) {
        var job = Array("q\(settings.printWidthDots)\nQ\(settings.labelLengthDots)\n".utf8)
        let injected = job.count
        job += session.eplImage
        job += printLine + [ASCII.lf]
        do {
            let labels = try EPLGraphicDecoder.decodeLabels(job)
            for label in labels where label.copies > 0 {
                held.append(
                    HeldLabel(
                        bitmap: label.bitmap, copies: label.copies, settings: settings, session: id,
                        formatBytes: session.eplImage.count + printLine.count + 1, receivedAt: arrival))
            }
            printHeldLabelsIfReady()
        } catch {
            let position: Int
            if let errorOffset = error.offset, errorOffset >= injected, errorOffset - injected < session.eplImage.count {
                position = session.eplImageOffset + (errorOffset - injected)
            } else {
                position = offset
            }
            errors.append(
                SimulatorError(
                    .malformedJob, "label not printed: \(error.message)", session: id, offset: position, underlying: error))
        }
    }

    // MARK: Printing

    mutating func printHeldLabelsIfReady() {
        guard !mode.holdsLabels else { return }
        let labels = held
        held = []
        for label in labels { print(label) }
    }

    private mutating func print(_ label: HeldLabel) {
        let sequence = printed.count + 1
        var path: String?
        if let directory = configuration.outputDirectory {
            let file = directory + "/" + Self.fileName(sequence: firstFileNumber + sequence - 1)
            do {
                let png = try label.bitmap.png()
                try Data(png).write(to: URL(fileURLWithPath: file))
                path = file
            } catch {
                errors.append(
                    SimulatorError(
                        .outputFailed, "label \(sequence) printed but its PNG \(file) was not written",
                        session: label.session, underlying: error))
            }
        }
        printed.append(
            SimulatedLabel(
                sequence: sequence, language: configuration.language, bitmap: label.bitmap, copies: label.copies,
                settings: label.settings, pngPath: path, session: label.session, formatBytes: label.formatBytes,
                receivedAt: label.receivedAt))
    }

    /// The largest N of the `label-N.png` files already in `directory` (0 when none): a
    /// simulator started again on the same directory numbers on, so no earlier label is overwritten.
    static func highestFileNumber(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("label-"), name.hasSuffix(".png") else { return nil }
            return Int(name.dropFirst(6).dropLast(4))
        }.max() ?? 0
    }

    /// `label-000001.png`: zero-padded so a directory listing sorts in print order.
    static func fileName(sequence: Int) -> String {
        var digits: [UInt8] = []
        digits.append(decimal: sequence, width: 6)
        return "label-" + String(decoding: digits, as: UTF8.self) + ".png"
    }
}
