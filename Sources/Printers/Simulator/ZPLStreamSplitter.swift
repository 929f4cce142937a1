import Glibc

/// Cuts a ZPL byte stream that arrives in pieces of any size into complete label formats
/// (`^XA … ^XZ`) and control commands the printer acts on at once (`~HS`, `~HQES`, `~SD20`,
/// `^JUS`, ...), the way a printer's receive buffer does.
///
/// State is kept between calls, so a command cut anywhere (between `~` and `H`, inside a
/// `^GFB` payload) is completed by the next piece. A `^GFB` payload is counted out byte by byte,
/// since it may contain `^XZ`; in every other place a `^` or `~` starts a command.
struct ZPLStreamSplitter {
    enum Event: Equatable {
        /// A whole format, `^XA` through `^XZ`, with control commands inside it taken out.
        case format([UInt8], offset: Int)
        /// A control command and its fixed-length parameter (`HQ` + `ES`, `SD` + `20`, `JU` + `S`),
        /// and whether it arrived inside an open format.
        case control(String, parameter: [UInt8], offset: Int, insideFormat: Bool)
        /// `^XA` arrived while a format was still open; the open one is abandoned.
        case abandonedFormat(offset: Int)
        /// `^XZ` with no format open.
        case strayFormatEnd(offset: Int)
        /// A format grew past `maxFormatBytes` without its `^XZ`; it is dropped.
        case overlongFormat(offset: Int)
    }

    /// Far above any badge (a 600 dpi 4 x 6 in raster in plain hex is about 2 MB), low enough
    /// that a stream of garbage after `^XA` cannot exhaust memory.
    static let maxFormatBytes = 64 << 20

    /// Parameter lengths of the control commands the simulator acts on. `~TA` takes one more
    /// character when signed; `~SD` takes two digits (tenths exist only on Xi printers).
    static let controlParameterLengths: [String: Int] = [
        "HS": 0, "HI": 0, "JC": 0, "WC": 0, "PS": 0, "PP": 0, "JA": 0, "HQ": 2, "SD": 2, "TA": 3,
    ]
    /// A `^GFB` header (`^GFB,99999,99999,99999,`) is never longer than this.
    static let maxHeaderBytes = 32

    /// The format being received, from its `^XA`.
    private(set) var format: [UInt8]?
    private var formatOffset = 0
    /// A command whose name or parameters are still incomplete.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var binaryRemaining = 0
    /// Bytes consumed so far.
    private(set) var offset = 0

    var formatOpen: Bool { format != nil }

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if let open = format, open.count > Self.maxFormatBytes {
                events.append(.overlongFormat(offset: formatOffset))
                format = nil
                binaryRemaining = 0
                pending = []
            }
            if binaryRemaining > 0 {
                let count = min(binaryRemaining, bytes.endIndex - index)
                format?.append(contentsOf: bytes[index..<(index + count)])
                binaryRemaining -= count
                index += count
                offset += count
                continue
            }
            if pending.isEmpty {
                let next = Self.nextPrefix(in: bytes, from: index)
                if next > index {
                    // Outside a format, text between commands is ignored, as by a printer.
                    format?.append(contentsOf: bytes[index..<next])
                    offset += next - index
                    index = next
                    continue
                }
            }
            if !pending.isEmpty, Self.isPrefix(bytes[index]) {
                // A new command starts before the pending one was complete: the incomplete one
                // is plain text (inside a format) or ignored (outside).
                format?.append(contentsOf: pending)
                pending = []
            }
            if pending.isEmpty { pendingOffset = offset }
            pending.append(bytes[index])
            index += 1
            offset += 1
            resolvePending(into: &events)
        }
        return events
    }

    /// Index of the next `^` or `~` at or after `start`, or `endIndex`. `memchr` keeps scanning
    /// a megabyte of graphic data cheap even in a debug build.
    static func nextPrefix(in bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return bytes.endIndex }
            let first = start - bytes.startIndex
            let length = buffer.count - first
            guard length > 0 else { return bytes.endIndex }
            var nearest = length
            for prefix in [ASCII.caret, ASCII.tilde] {
                if let hit = memchr(base + first, Int32(prefix), nearest) {
                    nearest = UnsafeRawPointer(hit) - UnsafeRawPointer(base + first)
                }
            }
            return start + nearest
        }
    }

    static func isPrefix(_ byte: UInt8) -> Bool { byte == ASCII.caret || byte == ASCII.tilde }

    static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

    private mutating func resolvePending(into events: inout [Event]) {
        guard pending.count >= 3 else { return }
        let name = String(decoding: [Self.upper(pending[1]), Self.upper(pending[2])], as: UTF8.self)
        if pending[0] == ASCII.tilde {
            guard let length = Self.controlParameterLengths[name] else {
                // A control command the simulator does not model: its parameters flow on as text.
                passPendingThrough()
                return
            }
            var needed = 3 + length
            if name == "TA", pending.count > 3, pending[3] == ASCII.minus || pending[3] == 0x2B { needed += 1 }
            guard pending.count >= needed else { return }
            events.append(.control(name, parameter: Array(pending[3..<needed]), offset: pendingOffset, insideFormat: format != nil))
            pending = []
            return
        }
        switch name {
        case "XA":
            if format != nil { events.append(.abandonedFormat(offset: formatOffset)) }
            format = pending
            formatOffset = pendingOffset
            pending = []
        case "XZ":
            if var complete = format {
                complete.append(contentsOf: pending)
                events.append(.format(complete, offset: formatOffset))
                format = nil
            } else {
                events.append(.strayFormatEnd(offset: pendingOffset))
            }
            pending = []
        case "JU" where format == nil:
            // Inside a format ^JU stays in place, to act in order with the setup commands around it.
            guard pending.count >= 4 else { return }
            events.append(.control(name, parameter: [pending[3]], offset: pendingOffset, insideFormat: false))
            pending = []
        case "GF" where format != nil:
            resolveGraphicHeader()
        default:
            passPendingThrough()
        }
    }

    /// `^GFB,b,c,d,` is followed by `b` raw bytes that may contain anything; any other `^GF`
    /// carries ASCII data that a prefix ends.
    private mutating func resolveGraphicHeader() {
        guard pending.count >= 4 else { return }
        guard Self.upper(pending[3]) == 0x42 else {
            passPendingThrough()
            return
        }
        guard pending.count >= 5 else { return }
        let header = pending[4...]
        let last = pending[pending.count - 1]
        guard pending.count <= Self.maxHeaderBytes, last == ASCII.comma || ASCII.isDigit(last), header.first == ASCII.comma else {
            passPendingThrough()
            return
        }
        let parts = header.split(separator: ASCII.comma, omittingEmptySubsequences: false)
        // ",b,c,d," splits into "", b, c, d, "".
        guard parts.count == 5 else { return }
        if let count = Int(String(decoding: parts[1], as: UTF8.self)), (1...ZPLEncoder.maxFieldBytes).contains(count) {
            binaryRemaining = count
        }
        passPendingThrough()
    }

    private mutating func passPendingThrough() {
        format?.append(contentsOf: pending)
        pending = []
    }
}
