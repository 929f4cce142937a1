/// A ZPL `~HS` reply, field by field (reference §4.1). Three frames:
/// `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`, `mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www` and `xxxx,y`.
/// Fields a newer firmware appends are ignored; a missing or ill-formed field is an error.
public struct HostStatus: Sendable, Equatable {
    /// `aaa`: serial port settings as a 9-bit number (baud, parity, handshake).
    public var communicationSettings: Int
    public var paperOut: Bool
    public var paused: Bool
    public var labelLengthDots: Int
    public var formatsInBuffer: Int
    public var bufferFull: Bool
    /// Communications diagnostics mode: the printer prints what it receives as a hex dump
    /// instead of labels.
    public var diagnosticMode: Bool
    public var partialFormatInProgress: Bool
    /// Configuration data lost.
    public var corruptRAM: Bool
    public var underTemperature: Bool
    public var overTemperature: Bool
    /// `mmm`: media type, sensor profile, diagnostics and print method bits; only some models
    /// fill it in.
    public var functionSettings: Int
    public var headOpen: Bool
    public var ribbonOut: Bool
    public var thermalTransferMode: Bool
    /// `r` as sent: `0`–`9`, `K`, `S` or `A` (see `printMode`).
    public var printModeCode: String
    /// `s` as sent.
    public var printWidthMode: String
    /// Peel-off mode: a printed label waits to be taken.
    public var labelWaiting: Bool
    public var labelsRemaining: Int
    public var graphicsStored: Int
    /// `xxxx` as sent.
    public var password: String
    /// `y`: static RAM installed; nil when the firmware leaves the field out.
    public var staticRAMInstalled: Bool?

    /// The print mode in the profile's terms; nil for modes Lanyard has no name for (applicator,
    /// RFID, kiosk).
    public var printMode: PrintMode? {
        switch printModeCode {
        case "0", "7": .rewind
        case "1", "6": .peel
        case "2": .tearOff
        case "3", "5", "8": .cutter
        default: nil
        }
    }

    /// Parses a `~HS` reply as received. The first three complete frames are used; bytes
    /// between frames are skipped.
    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> HostStatus {
        let frames = try StatusReply.requireFrames(reply, for: .zplHostStatus)
        var one = try FieldReader(frame: frames[0], name: "~HS string 1", letters: "abcdefghijkl", minimum: 12, reply: reply)
        var two = try FieldReader(frame: frames[1], name: "~HS string 2", letters: "mnopqrstuvw", minimum: 11, reply: reply)
        var three = try FieldReader(frame: frames[2], name: "~HS string 3", letters: "xy", minimum: 1, reply: reply)

        let communication = try one.number(maxDigits: 3)
        let paperOut = try one.flag()
        let paused = try one.flag()
        let length = try one.number(maxDigits: 5)
        let formats = try one.number(maxDigits: 3)
        let bufferFull = try one.flag()
        let diagnostic = try one.flag()
        let partial = try one.flag()
        one.skip()
        let corrupt = try one.flag()
        let under = try one.flag()
        let over = try one.flag()

        let function = try two.number(maxDigits: 3)
        two.skip()
        let headOpen = try two.flag()
        let ribbonOut = try two.flag()
        let transfer = try two.flag()
        let mode = try two.code(allowed: "0123456789KSA")
        let widthMode = two.text()
        let waiting = try two.flag()
        let remaining = try two.number(maxDigits: 8)
        two.skip()
        let graphics = try two.number(maxDigits: 3)

        let password = three.text()
        let staticRAM = try three.optionalFlag()

        return HostStatus(
            communicationSettings: communication, paperOut: paperOut, paused: paused, labelLengthDots: length,
            formatsInBuffer: formats, bufferFull: bufferFull, diagnosticMode: diagnostic,
            partialFormatInProgress: partial, corruptRAM: corrupt, underTemperature: under, overTemperature: over,
            functionSettings: function, headOpen: headOpen, ribbonOut: ribbonOut, thermalTransferMode: transfer,
            printModeCode: mode, printWidthMode: widthMode, labelWaiting: waiting, labelsRemaining: remaining,
            graphicsStored: graphics, password: password, staticRAMInstalled: staticRAM)
    }

    /// The reading in the shared state model. Names match `ExtendedStatus` where both report the
    /// same thing, so merging the two lists each problem once.
    public var printerStatus: PrinterStatus {
        var conditions: Set<PrinterCondition> = []
        var errors: [String] = []
        var warnings: [String] = []
        func error(_ condition: PrinterCondition, _ name: String) {
            conditions.insert(condition)
            errors.append(name)
        }
        if paperOut { error(.paperOut, ZPLErrorFlags.mediaOut.names[0]) }
        if ribbonOut { error(.ribbonOut, ZPLErrorFlags.ribbonOut.names[0]) }
        if headOpen { error(.headOpen, ZPLErrorFlags.headOpen.names[0]) }
        if paused { error(.paused, ZPLErrorFlags.paused.names[0]) }
        if bufferFull { error(.bufferFull, "receive buffer full") }
        if overTemperature { error(.tooHot, "over temperature") }
        if underTemperature { error(.tooCold, "under temperature") }
        if corruptRAM { error(.fault, "corrupt RAM (configuration lost)") }
        if diagnosticMode { error(.fault, "communications diagnostics mode") }
        if labelWaiting { warnings.append("label waiting to be taken") }
        return PrinterStatus(
            conditions: conditions, formatsInBuffer: formatsInBuffer, labelsRemaining: labelsRemaining,
            errors: errors, warnings: warnings)
    }
}

/// Reads the fields of one frame in order, naming each by its letter in the reference's layout
/// so an error says which field was wrong.
struct FieldReader {
    let fields: [ReplyField]
    let name: String
    let letters: [Character]
    let reply: [UInt8]
    var index = 0

    init(frame: StatusReply.Frame, name: String, letters: String, minimum: Int, reply: [UInt8]) throws(StatusParseError) {
        fields = StatusReply.fields(of: frame)
        self.name = name
        self.letters = Array(letters)
        self.reply = reply
        guard fields.count >= minimum else {
            throw StatusParseError(
                .missingField, "has \(fields.count) field(s), expected \(minimum)", field: name,
                at: frame.payloadOffset, in: reply)
        }
    }

    private var label: String {
        index < letters.count ? "\(name) field \(letters[index])" : "\(name) field \(index + 1)"
    }

    private mutating func next() -> ReplyField? {
        defer { index += 1 }
        return index < fields.count ? fields[index] : nil
    }

    mutating func skip() { index += 1 }

    mutating func flag() throws(StatusParseError) -> Bool {
        let label = self.label
        guard let field = next() else { throw missing(label) }
        switch field.text {
        case "0": return false
        case "1": return true
        default: throw StatusParseError(.invalidField, "expected 0 or 1", field: label, at: field.offset, in: reply)
        }
    }

    /// A flag the firmware may leave out.
    mutating func optionalFlag() throws(StatusParseError) -> Bool? {
        guard index < fields.count, !fields[index].trimmed.isEmpty else {
            index += 1
            return nil
        }
        return try flag()
    }

    mutating func number(maxDigits: Int) throws(StatusParseError) -> Int {
        let label = self.label
        guard let field = next() else { throw missing(label) }
        guard let value = field.number(maxDigits: maxDigits) else {
            throw StatusParseError(
                .invalidField, "expected a number of up to \(maxDigits) digits", field: label, at: field.offset, in: reply)
        }
        return value
    }

    mutating func code(allowed: String) throws(StatusParseError) -> String {
        let label = self.label
        guard let field = next() else { throw missing(label) }
        let text = field.text
        guard text.count == 1, let character = text.first, allowed.contains(character) else {
            throw StatusParseError(.invalidField, "expected one of \(allowed)", field: label, at: field.offset, in: reply)
        }
        return text
    }

    mutating func text() -> String { next()?.text ?? "" }

    private func missing(_ label: String) -> StatusParseError {
        StatusParseError(.missingField, "is missing", field: label, offset: nil)
    }
}
