public import Foundation

/// One line of a JSON Lines file: its 1-based number and its bytes without the line break.
public struct JSONLLine: Sendable, Equatable {
    public var number: Int
    public var bytes: Data
}

/// Splits JSON Lines input into lines, keeping line numbers for issue reports. Bytes are not
/// decoded here — invalid UTF-8 must reach intake so it is rejected as that record's problem,
/// not the file's. Blank lines (only spaces, tabs or CR) are skipped; a trailing CR (CRLF files)
/// and a leading UTF-8 BOM are removed.
public struct JSONLReader: Sequence, Sendable {
    private let data: Data

    public init(data: Data) {
        self.data = data
    }

    public init(contentsOf file: URL) throws(IntakeFileError) {
        self.init(data: try IntakeFileError.reading(file))
    }

    public func makeIterator() -> Iterator {
        Iterator(bytes: Array(data))
    }

    public struct Iterator: IteratorProtocol {
        private let bytes: [UInt8]
        private var position: Int
        private var lineNumber = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }

        public mutating func next() -> JSONLLine? {
            while position < bytes.count {
                lineNumber += 1
                let start = position
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                position = end + 1
                var contentEnd = end
                if contentEnd > start && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                let content = bytes[start..<contentEnd]
                if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                return JSONLLine(number: lineNumber, bytes: Data(content))
            }
            return nil
        }
    }
}
