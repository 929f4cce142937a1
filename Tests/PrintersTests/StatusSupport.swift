import Printers
import Testing

/// Printer replies as the tests write them.
enum Replies {
    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03

    /// `<STX>text<ETX><CR><LF>`, the framing of every ZPL reply string.
    static func frame(_ text: String) -> [UInt8] {
        [stx] + Array(text.utf8) + [etx, 0x0D, 0x0A]
    }

    static let hsReadyStrings = ["030,0,0,1218,000,0,0,0,000,0,0,0", "000,0,0,0,0,2,6,0,00000000,1,000", "1234,0"]

    /// A `~HS` reply for a ready printer in tear-off mode with a 1218-dot label.
    static var hsReady: [UInt8] { hostStatus(hsReadyStrings) }

    static func hostStatus(_ strings: [String]) -> [UInt8] { strings.flatMap(frame) }

    /// `hsReadyStrings` with field `index` of string `string` (both 0-based) replaced.
    static func hostStatus(setting string: Int, field index: Int, to value: String) -> [UInt8] {
        var strings = hsReadyStrings
        var fields = strings[string].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[index] = value
        strings[string] = fields.joined(separator: ",")
        return hostStatus(strings)
    }

    /// A `~HQES` reply laid out like the guide's example, with the indentation real printers add.
    static func extendedStatus(errors: String, warnings: String, errorFlag: String? = nil, warningFlag: String? = nil) -> [UInt8] {
        let errorFlag = errorFlag ?? (errors.allSatisfy { $0 == "0" } ? "0" : "1")
        let warningFlag = warningFlag ?? (warnings.allSatisfy { $0 == "0" } ? "0" : "1")
        return frame(
            "\r\n\r\n  PRINTER STATUS\r\n   ERRORS:         \(errorFlag) 00000000 \(errors)\r\n"
                + "   WARNINGS:       \(warningFlag) 00000000 \(warnings)\r\n")
    }

    static var hqesReady: [UInt8] { extendedStatus(errors: "00000000", warnings: "00000000") }

    /// A GET_DEVICE_ID data stage: big-endian length (counting itself), then the text.
    static func deviceID(_ text: String, littleEndian: Bool = false) -> [UInt8] {
        let length = text.utf8.count + 2
        let high = UInt8(length >> 8), low = UInt8(length & 0xFF)
        return (littleEndian ? [low, high] : [high, low]) + Array(text.utf8)
    }
}

/// The error a parse throws, or nil when it succeeds. Untyped so closures written inside
/// `#require` type-check; any error other than `StatusParseError` is recorded as a failure.
func parseError<T>(_ body: () throws -> T) -> StatusParseError? {
    do {
        _ = try body()
        return nil
    } catch let error as StatusParseError {
        return error
    } catch {
        Issue.record("expected a StatusParseError, got \(error)")
        return nil
    }
}
