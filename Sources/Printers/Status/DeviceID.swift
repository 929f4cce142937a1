public import LanyardSupport

/// An IEEE 1284 device ID, as a USB printer returns it to GET_DEVICE_ID (reference §6.2): a
/// 2-byte big-endian length that counts itself, then `KEY:value;` pairs, e.g.
/// `MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZT220-200dpi ZPL;CLASS:PRINTER;`.
/// Keys are matched without regard to case or blanks, values lose surrounding blanks, and the
/// last pair may lack its `;`.
public struct DeviceID: Sendable, Equatable, Codable {
    /// `MFG` / `MANUFACTURER`.
    public var manufacturer: String?
    /// `MDL` / `MODEL`: what profiles' `device_id_model_patterns` are matched against.
    public var model: String?
    /// `CMD` / `COMMAND SET`, split at commas, e.g. `["ZPL"]` or `["EPL", "ZPL"]`.
    public var commandSet: [String]
    /// `SN` / `SERN` / `SERIALNUMBER` / `SERIAL NUMBER`.
    public var serialNumber: String?
    /// `CLS` / `CLASS`.
    public var deviceClass: String?
    /// `DES` / `DESCRIPTION`.
    public var deviceDescription: String?
    /// Every key, upper-cased and trimmed, with its value; when a key repeats, the first wins.
    public var fields: [String: String]
    /// The ID text as sent, without the length prefix.
    public var raw: String

    /// The smallest valid ID, `MFG:x;MDL:y;` plus the two length bytes (as CUPS counts it).
    public static let minimumLength = 14

    /// Parses the ID text without its length prefix (as SGD `usb.device.device_id_string`
    /// returns it). Fails when the text holds no `KEY:value` pair.
    public init(text: String) throws(StatusParseError) {
        raw = text
        fields = [:]
        commandSet = []
        for segment in text.split(separator: ";", omittingEmptySubsequences: false) {
            guard let colon = segment.firstIndex(of: ":") else { continue }
            let key = String(segment[..<colon]).trimmingWhitespace().uppercased()
            let value = String(String(segment[segment.index(after: colon)...]).trimmingWhitespace())
            guard !key.isEmpty, fields[key] == nil else { continue }
            fields[key] = value
            switch key.filter({ !$0.isWhitespace }) {
            case "MFG", "MANUFACTURER": manufacturer = value
            case "MDL", "MODEL": model = value
            case "CMD", "COMMANDSET":
                commandSet = value.split(separator: ",").map { String(String($0).trimmingWhitespace()) }.filter { !$0.isEmpty }
            case "SN", "SERN", "SERIALNUMBER": serialNumber = value
            case "CLS", "CLASS": deviceClass = value
            case "DES", "DESCRIPTION": deviceDescription = value
            default: break
            }
        }
        guard !fields.isEmpty else {
            throw StatusParseError(
                .invalidDeviceID, "no KEY:value pair in the device ID", field: "device ID", offset: 0,
                excerpt: StatusReplyExcerpt.excerpt(of: Array(text.utf8), at: 0))
        }
    }

    /// Parses the GET_DEVICE_ID data stage, length prefix included. A length that does not fit
    /// the bytes is read little-endian if that fits (some vendors write it so, CUPS re-reads it
    /// the same way); a length beyond the bytes received is cut to them; trailing NULs and
    /// anything past the length are dropped. Bytes are read as Latin-1 so no input is rejected
    /// for its encoding.
    public static func parse(_ bytes: [UInt8]) throws(StatusParseError) -> DeviceID {
        guard bytes.count >= minimumLength else {
            throw StatusParseError(
                .invalidDeviceID, "\(bytes.count) byte(s); the shortest device ID is \(minimumLength)",
                field: "device ID length", at: 0, in: bytes)
        }
        let bigEndian = Int(bytes[0]) << 8 | Int(bytes[1])
        let littleEndian = Int(bytes[1]) << 8 | Int(bytes[0])
        let fits = minimumLength...bytes.count
        let length: Int
        if fits.contains(bigEndian) {
            length = bigEndian
        } else if fits.contains(littleEndian) {
            length = littleEndian
        } else if bigEndian > bytes.count {
            length = bytes.count
        } else {
            throw StatusParseError(
                .invalidDeviceID, "length prefix \(bigEndian) is shorter than the minimum \(minimumLength)",
                field: "device ID length", at: 0, in: bytes)
        }
        var body = bytes[2..<length]
        while let last = body.last, last == 0 { body.removeLast() }
        var text = ""
        text.unicodeScalars.append(contentsOf: body.map { Unicode.Scalar($0) })
        do {
            return try DeviceID(text: text)
        } catch {
            throw StatusParseError(error.code, error.message, field: error.field, at: 2, in: bytes)
        }
    }

    /// The languages this printer says it speaks, in the order it lists them.
    public var languages: [PrinterLanguage] { Self.languages(commandSet: commandSet) }

    /// Maps command-set names to the languages the encoders produce: `ZPL`, `ZPL2`, `ZPL II` are
    /// ZPL; `EPL` and `EPL2` are EPL (`EPL1` is not: the EPL encoder writes EPL2). Anything else
    /// (`XML`, `PDF`, …) is skipped; each language appears once.
    public static func languages(commandSet: [String]) -> [PrinterLanguage] {
        var languages: [PrinterLanguage] = []
        for name in commandSet {
            let key = name.uppercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "_" }
            let language: PrinterLanguage? =
                switch key {
                case "ZPL", "ZPL2", "ZPLII": .zpl
                case "EPL", "EPL2", "EPLII": .epl
                default: nil
                }
            if let language, !languages.contains(language) { languages.append(language) }
        }
        return languages
    }
}
