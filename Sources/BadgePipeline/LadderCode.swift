import Foundation
public import Printers

/// What one cell of a darkness x speed ladder carries in its QR code: its settings and the
/// printer it was printed on, so that scanning the best cell stores those settings for that
/// printer, with no typing (`lanyard-ladder|D20|S4|Pusb-serial`). The printer part is
/// percent-escaped (a serial number or `tcp://host:port`); cells printed before it existed
/// (`lanyard-ladder|D20|S4`) name no printer and are still read.
public struct LadderCode: Sendable, Equatable, Codable {
    public static let prefix = "lanyard-ladder|"

    public var darkness: Int
    public var speedIPS: Int
    /// The printer's tuning key; nil for cells that did not record it.
    public var printerKey: String?

    public init(darkness: Int, speedIPS: Int, printerKey: String?) {
        self.darkness = darkness
        self.speedIPS = speedIPS
        self.printerKey = printerKey
    }

    public var payload: String {
        var text = "\(Self.prefix)D\(darkness)|S\(speedIPS)"
        if let printerKey { text += "|P" + Self.escape(printerKey) }
        return text
    }

    /// The cell's human-readable code (its Code 128), settings only.
    public var caption: String { "LADDER-D\(darkness)-S\(speedIPS)" }

    /// Whether `text` claims to be a ladder cell at all (a page tells such a scan from a ticket).
    public static func isLadderPayload(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// The cell a scan names, or nil when `text` is not a whole, well-formed ladder code: a
    /// garbled read must never store a tuning.
    public init?(payload text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        var darkness: Int?
        var speed: Int?
        var printer: String?
        for part in text.dropFirst(Self.prefix.count).split(separator: "|", omittingEmptySubsequences: false) {
            guard let tag = part.first else { return nil }
            let value = String(part.dropFirst())
            switch tag {
            case "D" where darkness == nil: darkness = Self.number(value)
            case "S" where speed == nil: speed = Self.number(value)
            case "P" where printer == nil:
                guard let key = value.removingPercentEncoding, !key.isEmpty else { return nil }
                printer = key
            default: return nil
            }
        }
        guard let darkness, let speed else { return nil }
        self.init(darkness: darkness, speedIPS: speed, printerKey: printer)
    }

    /// A ladder's default steps for a model: five darkness values three apart around the
    /// default, inside the model's range, at its lowest, default and highest speed.
    public static func defaultSteps(for profile: PrinterProfile) -> (darkness: [Int], speeds: [Int]) {
        let range = profile.darkness
        let darkness = (0..<5).map { min(max(range.defaultValue + ($0 - 2) * 3, range.min), range.max) }
        let speeds = [profile.speed.min, profile.speed.defaultValue, profile.speed.max]
        return (Array(Set(darkness)).sorted(), Array(Set(speeds)).sorted())
    }

    /// The cells of a ladder in print order: every darkness at the first speed, then the next.
    public static func cells(darkness: [Int], speeds: [Int], printerKey: String) -> [LadderCode] {
        speeds.flatMap { speed in darkness.map { LadderCode(darkness: $0, speedIPS: speed, printerKey: printerKey) } }
    }

    private static func number(_ text: String) -> Int? {
        guard (1...3).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// Keeps the separator and the escape character out of the key; everything else printable
    /// ASCII stays as it is, so a QR code of the key stays short.
    private static func escape(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "|"), byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
