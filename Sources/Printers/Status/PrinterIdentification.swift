/// A ZPL `~HI` reply (reference §4.3): `model,firmware,dpm,memory,options` in one frame.
/// The third field is dots per millimetre (6, 8, 12, 24) in Zebra's guide, but a dpi number in
/// a third-party fixture (`ZTC ZD421-300dpi ZPL,V85.20.19,300,131072`, unverified); both are
/// accepted and told apart by value.
public struct PrinterIdentification: Sendable, Equatable, Codable {
    public var model: String
    public var firmware: String
    /// The head resolution as profiles write it: 152, 203, 300 or 600.
    public var dpi: Int
    /// Dots per millimetre when the printer sent that form.
    public var dotsPerMillimetre: Int?
    /// Memory in kilobytes: `1024KB` → 1024, `2MB` → 2048, a bare number is taken as kilobytes.
    /// Nil when the field has another form; `memory` keeps the text.
    public var memoryKB: Int?
    public var memory: String
    /// Whatever follows the memory field (options the printer has, e.g. a cutter).
    public var options: [String]

    public init(
        model: String, firmware: String, dpi: Int, dotsPerMillimetre: Int? = nil, memoryKB: Int? = nil,
        memory: String = "", options: [String] = []
    ) {
        self.model = model
        self.firmware = firmware
        self.dpi = dpi
        self.dotsPerMillimetre = dotsPerMillimetre
        self.memoryKB = memoryKB
        self.memory = memory
        self.options = options
    }

    /// Dots per millimetre → dpi as profiles write it (Zebra's 8 dots/mm heads are "203 dpi").
    static let dpiForDotsPerMillimetre: [Int: Int] = [6: 152, 8: 203, 12: 300, 24: 600]
    /// Dpi values a printer may send → dpi as profiles write it (SGD says 200 for 203).
    static let dpiForDPI: [Int: Int] = [150: 152, 152: 152, 153: 152, 200: 203, 203: 203, 300: 300, 600: 600]

    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> PrinterIdentification {
        let frame = try StatusReply.requireFrames(reply, for: .zplHostIdentification)[0]
        let fields = StatusReply.fields(of: frame)
        guard fields.count >= 3 else {
            throw StatusParseError(
                .missingField, "has \(fields.count) field(s), expected at least model, firmware and dpm", field: "~HI",
                at: frame.payloadOffset, in: reply)
        }
        let model = fields[0].text
        guard !model.isEmpty else {
            throw StatusParseError(.invalidField, "the model is empty", field: "~HI model", at: fields[0].offset, in: reply)
        }
        let firmware = fields[1].text
        guard !firmware.isEmpty else {
            throw StatusParseError(.invalidField, "the firmware version is empty", field: "~HI firmware", at: fields[1].offset, in: reply)
        }
        let resolution = fields[2].number(maxDigits: 4)
        let dpi: Int
        var dotsPerMillimetre: Int?
        if let resolution, let fromDPM = dpiForDotsPerMillimetre[resolution] {
            dpi = fromDPM
            dotsPerMillimetre = resolution
        } else if let resolution, let fromDPI = dpiForDPI[resolution] {
            dpi = fromDPI
        } else {
            throw StatusParseError(
                .invalidField, "expected dots per mm (6, 8, 12, 24) or dpi (152, 200, 203, 300, 600)",
                field: "~HI dpm", at: fields[2].offset, in: reply)
        }
        let memory = fields.count > 3 ? fields[3].text : ""
        let options = fields.dropFirst(4).map(\.text).filter { !$0.isEmpty }
        return PrinterIdentification(
            model: model, firmware: firmware, dpi: dpi, dotsPerMillimetre: dotsPerMillimetre,
            memoryKB: kilobytes(memory), memory: memory, options: options)
    }

    static func kilobytes(_ text: String) -> Int? {
        let upper = text.uppercased()
        let digits = upper.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let value = Int(digits) else { return nil }
        switch String(upper.dropFirst(digits.count)).trimmingWhitespace() {
        case "", "K", "KB": return value
        case "M", "MB": return value * 1024
        default: return nil
        }
    }
}
