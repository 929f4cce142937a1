/// RFC 4648 Base64 (standard alphabet, `=` padding) on byte arrays. ZB64 payloads are built and
/// parsed as bytes, so this avoids round trips through `Data` and `String`.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let invalid: UInt8 = 0xFF
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    /// Appends the Base64 text of `input` to `output`.
    public static func encode(_ input: [UInt8], into output: inout [UInt8]) {
        output.reserveCapacity(output.count + (input.count + 2) / 3 * 4)
        alphabet.withUnsafeBufferPointer { alphabet in
            input.withUnsafeBufferPointer { input in
                var index = 0
                while index + 3 <= input.count {
                    let b0 = input[index], b1 = input[index + 1], b2 = input[index + 2]
                    output.append(alphabet[Int(b0 >> 2)])
                    output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                    output.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)])
                    output.append(alphabet[Int(b2 & 0x3F)])
                    index += 3
                }
                let remaining = input.count - index
                if remaining == 2 {
                    let b0 = input[index], b1 = input[index + 1]
                    output.append(alphabet[Int(b0 >> 2)])
                    output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                    output.append(alphabet[Int((b1 & 0x0F) << 2)])
                    output.append(0x3D)
                } else if remaining == 1 {
                    let b0 = input[index]
                    output.append(alphabet[Int(b0 >> 2)])
                    output.append(alphabet[Int((b0 & 0x03) << 4)])
                    output.append(0x3D)
                    output.append(0x3D)
                }
            }
        }
    }

    public static func encode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        encode(input, into: &output)
        return output
    }

    /// Decodes padded Base64; nil when the text is not valid (wrong length, foreign characters,
    /// misplaced padding or non-zero bits under the padding).
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var quad: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var position = 0
        var padding = 0
        for symbol in text {
            let value: UInt8
            if symbol == 0x3D {
                padding += 1
                value = 0
            } else {
                guard padding == 0 else { return nil }
                value = reverse[Int(symbol)]
                guard value != invalid else { return nil }
            }
            switch position {
            case 0: quad.0 = value
            case 1: quad.1 = value
            case 2: quad.2 = value
            default: quad.3 = value
            }
            position += 1
            if position == 4 {
                position = 0
                output.append(quad.0 << 2 | quad.1 >> 4)
                output.append(quad.1 << 4 | quad.2 >> 2)
                output.append(quad.2 << 6 | quad.3)
            }
        }
        guard padding <= 2 else { return nil }
        if padding > 0 {
            // Padding may only end the text, and the bits it hides must be zero.
            guard text.count >= 4 else { return nil }
            let hiddenBitsClear = padding == 1 ? quad.2 & 0x03 == 0 : quad.1 & 0x0F == 0
            guard hiddenBitsClear else { return nil }
            output.removeLast(padding)
        }
        return output
    }
}
