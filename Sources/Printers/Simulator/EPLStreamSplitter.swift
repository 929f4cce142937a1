/// Cuts an EPL2 byte stream that arrives in pieces of any size into command lines and `GW`
/// graphic writes. EPL commands end with LF (CR before it is dropped); a `GW` header is followed
/// by exactly `p3 × p4` raw bytes, which may contain LF and are counted out rather than scanned.
/// `^ee` is answered as soon as its three bytes are in, without waiting for the line end.
struct EPLStreamSplitter {
    enum Event: Equatable {
        /// One command line without its line end.
        case line([UInt8], offset: Int)
        /// A whole `GW` command: header, separator and data, as received.
        case graphic([UInt8], offset: Int)
        /// A line longer than any EPL command, dropped up to its line end.
        case overlongLine(offset: Int)
    }

    static let maxLineBytes = 64 * 1024

    private var line: [UInt8] = []
    private var lineOffset = 0
    private var graphic: [UInt8]?
    private var graphicRemaining = 0
    private var discardingLine = false
    private(set) var offset = 0

    /// A label's data is partly received (a `GW` whose payload is still arriving).
    var graphicOpen: Bool { graphic != nil }

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if graphic != nil {
                let count = min(graphicRemaining, bytes.endIndex - index)
                graphic?.append(contentsOf: bytes[index..<(index + count)])
                graphicRemaining -= count
                index += count
                offset += count
                finishGraphicIfComplete(into: &events)
                continue
            }
            let byte = bytes[index]
            index += 1
            offset += 1
            if byte == ASCII.lf {
                endLine(into: &events)
                continue
            }
            if discardingLine { continue }
            if line.isEmpty { lineOffset = offset - 1 }
            line.append(byte)
            if line.count > Self.maxLineBytes {
                events.append(.overlongLine(offset: lineOffset))
                line = []
                discardingLine = true
            } else if line == Self.errorReportQuery {
                events.append(.line(line, offset: lineOffset))
                line = []
            } else if byte == ASCII.comma, line.starts(with: Self.graphicWrite) {
                startGraphicIfHeaderComplete(separator: nil, into: &events)
            }
        }
        return events
    }

    static let graphicWrite: [UInt8] = [0x47, 0x57]
    static let errorReportQuery: [UInt8] = Array("^ee".utf8)

    private mutating func endLine(into events: inout [Event]) {
        if discardingLine {
            discardingLine = false
            line = []
            return
        }
        if line.starts(with: Self.graphicWrite), startGraphicIfHeaderComplete(separator: ASCII.lf, into: &events) { return }
        var text = line
        if text.last == ASCII.cr { text.removeLast() }
        line = []
        if !text.isEmpty { events.append(.line(text, offset: lineOffset)) }
    }

    /// `GWp1,p2,p3,p4,` (or the same ended by CR/LF) with four numbers starts the data. With a
    /// malformed header the line stays a line, and the job decoder reports it at `P`.
    @discardableResult
    private mutating func startGraphicIfHeaderComplete(separator: UInt8?, into events: inout [Event]) -> Bool {
        var header = line
        if separator != nil {
            if header.last == ASCII.cr { header.removeLast() }
        } else {
            header.removeLast()
        }
        let parts = header.dropFirst(2).split(separator: ASCII.comma, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        let numbers = parts.map { part in
            part.count <= 9 && !part.isEmpty && part.allSatisfy(ASCII.isDigit) ? Int(String(decoding: part, as: UTF8.self)) : nil
        }
        guard let width = numbers[2], let rows = numbers[3], numbers[0] != nil, numbers[1] != nil,
            width * rows <= DecoderLimits.maxEPLGraphicBytes
        else { return false }
        var raw = line
        if let separator { raw.append(separator) }
        graphic = raw
        graphicRemaining = width * rows
        line = []
        finishGraphicIfComplete(into: &events)
        return true
    }

    private mutating func finishGraphicIfComplete(into events: inout [Event]) {
        guard graphicRemaining == 0, let complete = graphic else { return }
        events.append(.graphic(complete, offset: lineOffset))
        graphic = nil
    }
}
