/// Where printer replies begin and end. ZPL wraps each reply string in STX (0x02) … ETX (0x03)
/// followed by CR LF; EPL replies are plain lines. Bytes between frames (line ends, leftovers of an
/// earlier reply) are skipped, and all scanning stops at a caller-given limit so a printer that
/// streams garbage costs bounded work.
public enum StatusReply {
    public static let stx: UInt8 = 0x02
    public static let etx: UInt8 = 0x03

    /// The bytes between one STX and the next ETX.
    public struct Frame: Sendable, Equatable {
        public var payload: [UInt8]
        /// Offset of the first payload byte in the reply (one past the STX).
        public var payloadOffset: Int

        public init(payload: [UInt8], payloadOffset: Int) {
            self.payload = payload
            self.payloadOffset = payloadOffset
        }
    }

    public struct FrameScan: Sendable, Equatable {
        /// Complete frames in order.
        public var frames: [Frame]
        /// Offset of an STX whose ETX has not arrived (the reply is still coming, or truncated).
        public var openFrameOffset: Int?
        /// Whether the scan stopped at the limit before the end of the bytes.
        public var hitLimit: Bool
    }

    /// The first `count` complete frames within the first `limit` bytes. An STX inside an open
    /// frame starts the frame afresh: the earlier one was cut off and its bytes cannot be trusted.
    /// An ETX outside a frame is stray and skipped.
    public static func frames(in bytes: [UInt8], count: Int, limit: Int) -> FrameScan {
        var frames: [Frame] = []
        var openStart: Int?
        let end = min(bytes.count, max(limit, 0))
        var index = 0
        while index < end, frames.count < count {
            let byte = bytes[index]
            if byte == stx {
                openStart = index
            } else if byte == etx, let start = openStart {
                frames.append(Frame(payload: Array(bytes[(start + 1)..<index]), payloadOffset: start + 1))
                openStart = nil
            }
            index += 1
        }
        return FrameScan(frames: frames, openFrameOffset: openStart, hitLimit: frames.count < count && end < bytes.count)
    }

    /// The first line with content within the first `limit` bytes, as the range of its content
    /// (leading blanks, CR, LF and NUL skipped; the CR before the LF excluded), or nil while its
    /// LF has not arrived.
    public static func firstLine(in bytes: [UInt8], limit: Int) -> Range<Int>? {
        let end = min(bytes.count, max(limit, 0))
        var start = 0
        while start < end, isBlank(bytes[start]) { start += 1 }
        guard start < end else { return nil }
        var index = start
        while index < end {
            if bytes[index] == ASCII.lf {
                var stop = index
                while stop > start, bytes[stop - 1] == ASCII.cr || bytes[stop - 1] == 0x20 { stop -= 1 }
                return start..<stop
            }
            index += 1
        }
        return nil
    }

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == ASCII.cr || byte == ASCII.lf || byte == 0x00
    }

    /// The frames a ZPL query's reply needs, or the error saying why they are not there.
    static func requireFrames(_ reply: [UInt8], for query: StatusQuery) throws(StatusParseError) -> [Frame] {
        let needed = query.frameCount ?? 1
        guard !reply.isEmpty else {
            throw StatusParseError(.empty, "no reply to \(query)", field: query.rawValue)
        }
        let scan = frames(in: reply, count: needed, limit: query.maxReplyBytes)
        if scan.frames.count == needed { return scan.frames }
        if scan.hitLimit || reply.count >= query.maxReplyBytes {
            throw StatusParseError(
                .tooLong, "no complete reply to \(query) within \(query.maxReplyBytes) bytes",
                field: query.rawValue, at: query.maxReplyBytes - 1, in: reply)
        }
        if scan.frames.isEmpty, scan.openFrameOffset == nil {
            throw StatusParseError(.unframed, "no STX…ETX frame in the reply to \(query)", field: query.rawValue, at: 0, in: reply)
        }
        let position = scan.openFrameOffset ?? reply.count
        throw StatusParseError(
            .truncated, "the reply to \(query) has \(scan.frames.count) of \(needed) complete frame(s)",
            field: query.rawValue, at: position, in: reply)
    }
}

/// One comma-separated field of a reply, with where it sits in the reply.
struct ReplyField {
    var bytes: ArraySlice<UInt8>
    var offset: Int

    /// The field without surrounding blanks, CR and LF.
    var trimmed: ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, StatusReply.isBlank(first) { slice.removeFirst() }
        while let last = slice.last, StatusReply.isBlank(last) { slice.removeLast() }
        return slice
    }

    var text: String { String(decoding: trimmed, as: UTF8.self) }

    /// The value of an all-digit field of at most `maxDigits` digits, or nil.
    func number(maxDigits: Int = 9) -> Int? {
        let digits = trimmed
        guard !digits.isEmpty, digits.count <= maxDigits, digits.allSatisfy(ASCII.isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - ASCII.zero) }
    }
}

extension StatusReply {
    /// Splits a frame payload (or line) at commas, keeping each field's offset in the reply.
    static func fields(of bytes: ArraySlice<UInt8>, offset: Int) -> [ReplyField] {
        var fields: [ReplyField] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == ASCII.comma {
            fields.append(ReplyField(bytes: bytes[start..<index], offset: offset + (start - bytes.startIndex)))
            start = index + 1
        }
        fields.append(ReplyField(bytes: bytes[start..<bytes.endIndex], offset: offset + (start - bytes.startIndex)))
        return fields
    }

    static func fields(of frame: Frame) -> [ReplyField] {
        fields(of: frame.payload[...], offset: frame.payloadOffset)
    }
}
