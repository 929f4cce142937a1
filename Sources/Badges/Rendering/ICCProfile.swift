import Foundation

/// An sRGB (IEC 61966-2-1) display profile in the ICC v2 format (ICC.1:2001-04), built here from
/// the format's published layout: the destination profile of a badge PDF's PDF/A output intent.
/// An RGB output intent makes cairo's DeviceRGB legal in PDF/A-2, and DeviceGray with it (PDF/A-2
/// allows DeviceGray under any output intent). The bytes never change, so PDFs stay reproducible.
public enum SRGBProfile {
    /// What the profile calls itself (its `desc` tag), and the output condition a PDF names.
    public static let name = "sRGB IEC61966-2.1"

    /// The whole profile, about 2.6 KB.
    public static let bytes: [UInt8] = {
        var tags = ICCTags()
        tags.add("desc", ICCTags.textDescription(name + " (Lanyard)"))
        tags.add("cprt", ICCTags.text("No copyright, use freely"))
        // A v2 display profile's white point is the display's own: D65 in XYZ.
        tags.add("wtpt", ICCTags.xyz(0.9505, 1.0, 1.0890))
        // sRGB's primaries adapted to the D50 profile connection space (Bradford), as IEC 61966-2-1
        // publishes them; each column sums to the D50 white.
        tags.add("rXYZ", ICCTags.xyz(0.4360747, 0.2225045, 0.0139322))
        tags.add("gXYZ", ICCTags.xyz(0.3850649, 0.7168786, 0.0971045))
        tags.add("bXYZ", ICCTags.xyz(0.1430804, 0.0606169, 0.7141733))
        let curve = ICCTags.curve(samples: 1024, transfer: decodeSRGB)
        for channel in ["rTRC", "gTRC", "bTRC"] { tags.add(channel, curve) }
        return tags.profile(deviceClass: "mntr", colorSpace: "RGB ", connectionSpace: "XYZ ")
    }()

    /// sRGB's electro-optical transfer function: an encoded value in 0...1 to linear light.
    static func decodeSRGB(_ value: Double) -> Double {
        value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
    }
}

/// The tag table and tagged elements of an ICC profile, with the header written around them.
struct ICCTags {
    private var tags: [(signature: String, data: [UInt8])] = []

    mutating func add(_ signature: String, _ data: [UInt8]) {
        tags.append((signature, data))
    }

    /// Header (128 bytes), tag count, tag table, then each distinct element on a 4-byte boundary;
    /// tags with equal elements share one, as ICC allows.
    func profile(deviceClass: String, colorSpace: String, connectionSpace: String) -> [UInt8] {
        let tableEnd = 128 + 4 + 12 * tags.count
        var elements: [UInt8] = []
        var offsets: [[UInt8]: Int] = [:]
        var table = Self.uint32(UInt32(tags.count))
        for tag in tags {
            let offset: Int
            if let shared = offsets[tag.data] {
                offset = shared
            } else {
                offset = tableEnd + elements.count
                offsets[tag.data] = offset
                elements += tag.data
                elements += [UInt8](repeating: 0, count: (4 - elements.count % 4) % 4)
            }
            table += Self.signature(tag.signature) + Self.uint32(UInt32(offset)) + Self.uint32(UInt32(tag.data.count))
        }
        let size = tableEnd + elements.count
        var header = Self.uint32(UInt32(size))
        header += [0, 0, 0, 0]  // preferred CMM: none
        header += [0x02, 0x10, 0x00, 0x00]  // version 2.1.0
        header += Self.signature(deviceClass) + Self.signature(colorSpace) + Self.signature(connectionSpace)
        // Creation date and time, fixed: year, month, day, hour, minute, second.
        for field: UInt16 in [2025, 1, 1, 0, 0, 0] { header += [UInt8(field >> 8), UInt8(field & 0xFF)] }
        header += Self.signature("acsp")
        header += [UInt8](repeating: 0, count: 4 * 4 + 8 + 4)  // platform, flags, maker, model, attributes, intent
        header += Self.s15Fixed16([0.9642, 1.0, 0.8249])  // the D50 illuminant of the connection space
        header += [UInt8](repeating: 0, count: 128 - header.count)  // creator, profile ID, reserved
        return header + table + elements
    }

    /// textDescriptionType: ASCII, with empty Unicode and ScriptCode parts.
    static func textDescription(_ text: String) -> [UInt8] {
        let ascii = Array(text.utf8) + [0]
        return signature("desc") + [0, 0, 0, 0] + uint32(UInt32(ascii.count)) + ascii + [UInt8](repeating: 0, count: 4 + 4 + 2 + 1 + 67)
    }

    /// textType: ASCII ending in NUL.
    static func text(_ text: String) -> [UInt8] {
        signature("text") + [0, 0, 0, 0] + Array(text.utf8) + [0]
    }

    /// XYZType holding one colour.
    static func xyz(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] {
        signature("XYZ ") + [0, 0, 0, 0] + s15Fixed16([x, y, z])
    }

    /// curveType sampled from a transfer function at evenly spaced inputs.
    static func curve(samples: Int, transfer: (Double) -> Double) -> [UInt8] {
        var data = signature("curv") + [0, 0, 0, 0] + uint32(UInt32(samples))
        for index in 0..<samples {
            let value = UInt16((min(1, max(0, transfer(Double(index) / Double(samples - 1)))) * 65535).rounded())
            data += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return data
    }

    static func signature(_ text: String) -> [UInt8] {
        precondition(text.utf8.count == 4, "an ICC signature has four characters")
        return Array(text.utf8)
    }

    static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func s15Fixed16(_ values: [Double]) -> [UInt8] {
        values.flatMap { uint32(UInt32(bitPattern: Int32(($0 * 65536).rounded()))) }
    }
}
