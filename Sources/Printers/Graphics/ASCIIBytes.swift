/// Helpers for building printer jobs directly as bytes: jobs are ASCII apart from binary graphic
/// payloads, and appending to `[UInt8]` avoids per-character `String` work in the encoders.
enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let comma: UInt8 = 0x2C
    static let colon: UInt8 = 0x3A
    static let caret: UInt8 = 0x5E
    static let tilde: UInt8 = 0x7E
    static let minus: UInt8 = 0x2D
    static let zero: UInt8 = 0x30

    static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of a hex digit in either case, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

extension Array where Element == UInt8 {
    mutating func append(ascii text: String) {
        append(contentsOf: text.utf8)
    }

    /// Appends `value` in decimal, with a leading minus for negative values.
    mutating func append(decimal value: Int) {
        if value < 0 { append(ASCII.minus) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(ASCII.zero + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        append(contentsOf: digits.reversed())
    }

    /// Appends a non-negative `value` in decimal, left-padded with zeros to `width` digits.
    mutating func append(decimal value: Int, width: Int) {
        var digits: [UInt8] = []
        digits.append(decimal: value)
        if digits.count < width {
            append(contentsOf: repeatElement(ASCII.zero, count: width - digits.count))
        }
        append(contentsOf: digits)
    }

    /// Appends `value` as exactly four uppercase hex digits.
    mutating func append(hex16 value: UInt16) {
        for shift in stride(from: 12, through: 0, by: -4) {
            append(ASCII.upperHexDigits[Int((value >> UInt16(shift)) & 0xF)])
        }
    }
}
