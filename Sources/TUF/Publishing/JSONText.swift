extension TUFJSON {
    /// JSON text for a file, compact or indented, keys in canonical order. Unlike `canonicalBytes`
    /// it escapes control characters: canonical JSON writes them raw, which no strict JSON reader
    /// (Python's `json.loads` among them) accepts. A signature covers the canonical bytes of the
    /// parsed `signed` object, so a client verifies either text alike.
    public func jsonText(indentation: Int = 0) -> [UInt8] {
        var output: [UInt8] = []
        writeText(to: &output, indentation: indentation, depth: 0)
        if indentation > 0 { output.append(UInt8(ascii: "\n")) }
        return output
    }

    private func writeText(to output: inout [UInt8], indentation: Int, depth: Int) {
        func newline(_ level: Int) {
            guard indentation > 0 else { return }
            output.append(UInt8(ascii: "\n"))
            output += repeatElement(UInt8(ascii: " "), count: indentation * level)
        }
        switch self {
        case .string(let value): Self.writeEscaped(value, to: &output)
        case .array(let elements) where !elements.isEmpty:
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                element.writeText(to: &output, indentation: indentation, depth: depth + 1)
            }
            newline(depth)
            output.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                Self.writeEscaped(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if indentation > 0 { output.append(UInt8(ascii: " ")) }
                member.value.writeText(to: &output, indentation: indentation, depth: depth + 1)
            }
            newline(depth)
            output.append(UInt8(ascii: "}"))
        default: write(to: &output)
        }
    }

    /// `"` and `\` escaped as canonical JSON escapes them, and control characters as `\u00XX`.
    private static func writeEscaped(_ string: String, to output: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), byte]
            case 0x00..<0x20: output += Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
