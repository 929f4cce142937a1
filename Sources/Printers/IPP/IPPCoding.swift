public import LanyardSupport

/// The value tags of RFC 8010 §3.5.2 this code reads and writes by name.
enum IPPValueTag {
    static let integer: UInt8 = 0x21
    static let boolean: UInt8 = 0x22
    static let enumeration: UInt8 = 0x23
    static let octetString: UInt8 = 0x30
    static let dateTime: UInt8 = 0x31
    static let resolution: UInt8 = 0x32
    static let rangeOfInteger: UInt8 = 0x33
    static let beginCollection: UInt8 = 0x34
    static let textWithLanguage: UInt8 = 0x35
    static let nameWithLanguage: UInt8 = 0x36
    static let endCollection: UInt8 = 0x37
    static let text: UInt8 = 0x41
    static let name: UInt8 = 0x42
    static let keyword: UInt8 = 0x44
    static let uri: UInt8 = 0x45
    static let uriScheme: UInt8 = 0x46
    static let charset: UInt8 = 0x47
    static let naturalLanguage: UInt8 = 0x48
    static let mimeMediaType: UInt8 = 0x49
    static let memberAttributeName: UInt8 = 0x4A
    /// Delimiter tags are below this; value tags (out-of-band included) from it on.
    static let firstValueTag: UInt8 = 0x10
    static let endOfAttributes: UInt8 = 0x03
}

// MARK: - Encoding

extension IPPMessage {
    /// The message's bytes. Throws `ipp.malformed` for what the encoding cannot carry: a name or
    /// value longer than 32767 bytes (lengths are signed shorts), an attribute without a value.
    public func encoded() throws(IPPError) -> [UInt8] {
        var writer = IPPWriter()
        writer.bytes.reserveCapacity(512 + data.count)
        writer.bytes += [version.major, version.minor]
        writer.append(code)
        writer.append(UInt32(bitPattern: requestID))
        for group in groups {
            writer.bytes.append(group.tag.rawValue)
            for attribute in group.attributes { try writer.append(attribute, named: attribute.name) }
        }
        writer.bytes.append(IPPValueTag.endOfAttributes)
        writer.bytes += data
        return writer.bytes
    }
}

private struct IPPWriter {
    var bytes: [UInt8] = []

    mutating func append(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }

    mutating func append(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    mutating func appendLengthPrefixed(_ field: [UInt8], what: String) throws(IPPError) {
        guard field.count <= Int(Int16.max) else {
            throw IPPError(.malformed, "\(what) is \(field.count) bytes; IPP lengths stop at 32767")
        }
        append(UInt16(field.count))
        bytes += field
    }

    /// The attribute's first value under `name`, each further value under an empty name.
    mutating func append(_ attribute: IPPAttribute, named name: String) throws(IPPError) {
        guard !attribute.values.isEmpty else { throw IPPError(.malformed, "attribute \(attribute.name) has no value") }
        for (index, value) in attribute.values.enumerated() {
            try append(value, named: index == 0 ? name : "")
        }
    }

    mutating func append(_ value: IPPValue, named name: String) throws(IPPError) {
        let (tag, body) = try Self.tagAndBody(of: value)
        bytes.append(tag)
        try appendLengthPrefixed(Array(name.utf8), what: "the name \(name.prefix(40))")
        try appendLengthPrefixed(body, what: "a value of \(name.prefix(40))")
        guard case .collection(let members) = value else { return }
        for member in members {
            // A member is a memberAttrName value holding its name, then its values without names.
            bytes.append(IPPValueTag.memberAttributeName)
            append(UInt16(0))
            try appendLengthPrefixed(Array(member.name.utf8), what: "the member name \(member.name.prefix(40))")
            try append(member, named: "")
        }
        bytes += [IPPValueTag.endCollection, 0, 0, 0, 0]
    }

    static func tagAndBody(of value: IPPValue) throws(IPPError) -> (UInt8, [UInt8]) {
        var body = IPPWriter()
        switch value {
        case .integer(let number):
            body.append(UInt32(bitPattern: number))
            return (IPPValueTag.integer, body.bytes)
        case .enumeration(let number):
            body.append(UInt32(bitPattern: number))
            return (IPPValueTag.enumeration, body.bytes)
        case .boolean(let flag): return (IPPValueTag.boolean, [flag ? 1 : 0])
        case .octetString(let octets): return (IPPValueTag.octetString, octets)
        case .dateTime(let time):
            body.append(time.year)
            body.bytes += [
                time.month, time.day, time.hour, time.minutes, time.seconds, time.deciseconds, time.directionFromUTC, time.hoursFromUTC,
                time.minutesFromUTC,
            ]
            return (IPPValueTag.dateTime, body.bytes)
        case .resolution(let resolution):
            body.append(UInt32(bitPattern: resolution.crossFeed))
            body.append(UInt32(bitPattern: resolution.feed))
            body.bytes.append(UInt8(bitPattern: resolution.units))
            return (IPPValueTag.resolution, body.bytes)
        case .rangeOfInteger(let range):
            body.append(UInt32(bitPattern: range.lower))
            body.append(UInt32(bitPattern: range.upper))
            return (IPPValueTag.rangeOfInteger, body.bytes)
        case .textWithLanguage(let text, let language), .nameWithLanguage(let text, let language):
            try body.appendLengthPrefixed(Array(language.utf8), what: "a natural language")
            try body.appendLengthPrefixed(Array(text.utf8), what: "a text")
            let isText = if case .textWithLanguage = value { true } else { false }
            return (isText ? IPPValueTag.textWithLanguage : IPPValueTag.nameWithLanguage, body.bytes)
        case .text(let text): return (IPPValueTag.text, Array(text.utf8))
        case .name(let text): return (IPPValueTag.name, Array(text.utf8))
        case .keyword(let text): return (IPPValueTag.keyword, Array(text.utf8))
        case .uri(let text): return (IPPValueTag.uri, Array(text.utf8))
        case .uriScheme(let text): return (IPPValueTag.uriScheme, Array(text.utf8))
        case .charset(let text): return (IPPValueTag.charset, Array(text.utf8))
        case .naturalLanguage(let text): return (IPPValueTag.naturalLanguage, Array(text.utf8))
        case .mimeMediaType(let text): return (IPPValueTag.mimeMediaType, Array(text.utf8))
        case .collection: return (IPPValueTag.beginCollection, [])
        case .outOfBand(let kind): return (kind.rawValue, [])
        case .unknown(let tag, let bytes): return (tag, bytes)
        }
    }
}

// MARK: - Decoding

extension IPPMessage {
    /// Collections nest at most this deep; deeper is taken for garbage rather than recursed into.
    static let maximumCollectionDepth = 16

    /// Reads a whole message. Anything that does not follow RFC 8010 (a length past the end, a
    /// value of the wrong size for its tag, a value before any group, a collection left open, no
    /// end-of-attributes-tag) throws `ipp.malformed` naming the byte; nothing is read beyond
    /// `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(IPPError) -> IPPMessage {
        var reader = IPPReader(bytes: bytes)
        let major = try reader.byte("version-number")
        let minor = try reader.byte("version-number")
        let code = try reader.uint16("operation-id or status-code")
        let requestID = Int32(bitPattern: try reader.uint32("request-id"))
        var groups: [IPPAttributeGroup] = []
        while true {
            let tagOffset = reader.offset
            let tag = try reader.byte("a tag (the message has no end-of-attributes-tag)")
            if tag == IPPValueTag.endOfAttributes { break }
            if tag < IPPValueTag.firstValueTag {
                guard tag != 0 else { throw reader.error("reserved delimiter tag 0x00", at: tagOffset) }
                groups.append(IPPAttributeGroup(IPPGroupTag(rawValue: tag), []))
                continue
            }
            guard !groups.isEmpty else { throw reader.error("an attribute before any group tag", at: tagOffset) }
            let name = try reader.string("name")
            let value = try reader.value(tag: tag, at: tagOffset, depth: 0)
            if name.isEmpty {
                guard !groups[groups.count - 1].attributes.isEmpty else {
                    throw reader.error("an additional value with no attribute before it", at: tagOffset)
                }
                groups[groups.count - 1].attributes[groups[groups.count - 1].attributes.count - 1].values.append(value)
            } else {
                groups[groups.count - 1].attributes.append(IPPAttribute(name, value))
            }
        }
        return IPPMessage(
            version: IPPVersion(major: major, minor: minor), code: code, requestID: requestID, groups: groups,
            data: Array(bytes[reader.offset...]))
    }
}

/// A cursor over a message that checks every length against what is left before reading.
private struct IPPReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String, at offset: Int) -> IPPError {
        IPPError(malformed: message, at: offset, in: bytes)
    }

    mutating func take(_ count: Int, _ what: String) throws(IPPError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else {
            throw error("\(what): \(count) bytes wanted, \(bytes.count - offset) left", at: offset)
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func byte(_ what: String) throws(IPPError) -> UInt8 { try take(1, what).first! }

    mutating func uint16(_ what: String) throws(IPPError) -> UInt16 {
        let field = try take(2, what)
        return UInt16(field[field.startIndex]) << 8 | UInt16(field[field.startIndex + 1])
    }

    mutating func uint32(_ what: String) throws(IPPError) -> UInt32 {
        let field = try take(4, what)
        return field.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A name-length or value-length: a signed short that must not be negative.
    mutating func length(_ what: String) throws(IPPError) -> Int {
        let at = offset
        let length = try uint16("\(what)-length")
        guard length <= UInt16(Int16.max) else { throw error("negative \(what)-length", at: at) }
        return Int(length)
    }

    mutating func string(_ what: String) throws(IPPError) -> String {
        let count = try length(what)
        return String(decoding: try take(count, what), as: UTF8.self)
    }

    /// The value-length and value after a tag and name; for a collection, its members through the
    /// end-collection tag.
    mutating func value(tag: UInt8, at tagOffset: Int, depth: Int) throws(IPPError) -> IPPValue {
        let valueLength = try length("value")
        let valueOffset = offset
        let field = Array(try take(valueLength, "value"))
        func expect(_ count: Int, _ type: String) throws(IPPError) {
            guard field.count == count else {
                throw error("\(type) value of \(field.count) bytes, not \(count)", at: valueOffset)
            }
        }
        func int32(_ at: Int) -> Int32 {
            Int32(bitPattern: field[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) })
        }
        func text() -> String { String(decoding: field, as: UTF8.self) }

        switch tag {
        case IPPValueTag.integer:
            try expect(4, "integer")
            return .integer(int32(0))
        case IPPValueTag.enumeration:
            try expect(4, "enum")
            return .enumeration(int32(0))
        case IPPValueTag.boolean:
            try expect(1, "boolean")
            guard field[0] <= 1 else { throw error("boolean value \(field[0]), not 0 or 1", at: valueOffset) }
            return .boolean(field[0] == 1)
        case IPPValueTag.octetString: return .octetString(field)
        case IPPValueTag.dateTime:
            try expect(11, "dateTime")
            return .dateTime(
                IPPDateTime(
                    year: UInt16(field[0]) << 8 | UInt16(field[1]), month: field[2], day: field[3], hour: field[4], minutes: field[5],
                    seconds: field[6], deciseconds: field[7], directionFromUTC: field[8], hoursFromUTC: field[9],
                    minutesFromUTC: field[10]))
        case IPPValueTag.resolution:
            try expect(9, "resolution")
            return .resolution(IPPResolution(crossFeed: int32(0), feed: int32(4), units: Int8(bitPattern: field[8])))
        case IPPValueTag.rangeOfInteger:
            try expect(8, "rangeOfInteger")
            return .rangeOfInteger(IPPRange(lower: int32(0), upper: int32(4)))
        case IPPValueTag.textWithLanguage, IPPValueTag.nameWithLanguage:
            var inner = IPPReader(bytes: field)
            let language: String, text: String
            do throws(IPPError) {
                language = try inner.string("natural language")
                text = try inner.string("text")
            } catch {
                throw self.error("a text or name with language whose inner lengths do not fit its value", at: valueOffset)
            }
            guard inner.offset == field.count else {
                throw self.error("a text or name with language with bytes after its text", at: valueOffset)
            }
            return tag == IPPValueTag.textWithLanguage
                ? .textWithLanguage(text, language: language) : .nameWithLanguage(text, language: language)
        case IPPValueTag.text: return .text(text())
        case IPPValueTag.name: return .name(text())
        case IPPValueTag.keyword: return .keyword(text())
        case IPPValueTag.uri: return .uri(text())
        case IPPValueTag.uriScheme: return .uriScheme(text())
        case IPPValueTag.charset: return .charset(text())
        case IPPValueTag.naturalLanguage: return .naturalLanguage(text())
        case IPPValueTag.mimeMediaType: return .mimeMediaType(text())
        case IPPValueTag.beginCollection: return try collection(at: tagOffset, depth: depth + 1)
        case IPPValueTag.endCollection: throw error("an end-collection tag outside a collection", at: tagOffset)
        case IPPValueTag.memberAttributeName: throw error("a member name outside a collection", at: tagOffset)
        case 0x10...0x1F: return .outOfBand(IPPOutOfBand(rawValue: tag))
        default: return .unknown(tag: tag, bytes: field)
        }
    }

    /// Members after a begin-collection: each a memberAttrName then its values, until
    /// end-collection (RFC 8010 §3.1.6). Every tag inside has an empty name.
    mutating func collection(at beginOffset: Int, depth: Int) throws(IPPError) -> IPPValue {
        guard depth <= IPPMessage.maximumCollectionDepth else {
            throw error("collections nested more than \(IPPMessage.maximumCollectionDepth) deep", at: beginOffset)
        }
        var members: [IPPAttribute] = []
        while true {
            let tagOffset = offset
            let tag = try byte("a member of the collection opened at byte \(beginOffset)")
            guard tag >= IPPValueTag.firstValueTag else {
                throw error("a delimiter tag inside the collection opened at byte \(beginOffset)", at: tagOffset)
            }
            guard try length("name") == 0 else { throw error("a named attribute inside a collection", at: tagOffset) }
            switch tag {
            case IPPValueTag.endCollection:
                _ = try take(try length("value"), "value")
                return .collection(members)
            case IPPValueTag.memberAttributeName:
                let memberName = try string("member name")
                guard !memberName.isEmpty else { throw error("an empty member name", at: tagOffset) }
                let valueOffset = offset
                let valueTag = try byte("the value of member \(memberName)")
                guard valueTag >= IPPValueTag.firstValueTag, valueTag != IPPValueTag.endCollection,
                    valueTag != IPPValueTag.memberAttributeName
                else { throw error("member \(memberName) has no value", at: valueOffset) }
                guard try length("name") == 0 else { throw error("a named attribute inside a collection", at: valueOffset) }
                members.append(IPPAttribute(memberName, try value(tag: valueTag, at: valueOffset, depth: depth)))
            default:
                guard !members.isEmpty else { throw error("a collection value before any member name", at: tagOffset) }
                let additional = try value(tag: tag, at: tagOffset, depth: depth)
                members[members.count - 1].values.append(additional)
            }
        }
    }
}
