public import Foundation
public import LanyardSupport

/// One CSV record with the 1-based line it starts on (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A CSV record the reader could not turn into fields.
public typealias CSVError = CodedError<CSVErrorCode>

extension CodedError where Code == CSVErrorCode {
    /// `line` is the line the record starts on.
    public init(code: Code, message: String, line: Int) {
        self.init(code, message, facts: RecordLine(line: line))
    }

    public var line: Int { facts(as: RecordLine.self)?.line ?? 0 }
}

/// The 1-based line a CSV record starts on.
public struct RecordLine: ErrorFacts, Equatable {
    public let line: Int
    public var description: String { "line \(line)" }
}

/// RFC 4180 reader: comma-separated, fields optionally in double quotes, a doubled quote inside
/// quotes is a literal quote, quoted fields may contain commas and line breaks, records end with
/// CRLF, LF or CR. A leading UTF-8 BOM is skipped; blank lines are skipped.
///
/// Deliberately lenient where spreadsheets are sloppy: a quote inside an unquoted field is kept as
/// a literal character (`5" screen`). Strict where guessing would corrupt data: text after a
/// closing quote and invalid UTF-8 fail that record (the reader continues with the next one); an
/// unterminated quote fails and ends the input, because there is no reliable record boundary
/// after it.
///
/// Works on bytes: the structural characters are ASCII, so UTF-8 sequences can never be mistaken
/// for them.
public struct CSVReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int
    private var line = 1

    private static let comma: UInt8 = 0x2C
    private static let quote: UInt8 = 0x22
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    public init(data: Data) {
        bytes = Array(data)
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    public init(string: String) {
        self.init(data: Data(string.utf8))
    }

    /// The next record, nil at the end of input. After a thrown `unterminatedQuote` the input is
    /// finished; after other errors the next call continues with the following record.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        while position < bytes.count {
            let startLine = line
            var rawFields: [[UInt8]] = []
            var failure: CSVErrorCode?
            var sawQuotedField = false
            var endOfRecord = false
            while !endOfRecord {
                var field: [UInt8] = []
                if position < bytes.count && bytes[position] == Self.quote {
                    sawQuotedField = true
                    position += 1
                    var closed = false
                    while position < bytes.count {
                        let byte = bytes[position]
                        if byte == Self.quote {
                            if position + 1 < bytes.count && bytes[position + 1] == Self.quote {
                                field.append(Self.quote)
                                position += 2
                            } else {
                                position += 1
                                closed = true
                                break
                            }
                        } else {
                            countLineBreak(at: position)
                            field.append(byte)
                            position += 1
                        }
                    }
                    guard closed else {
                        throw CSVError(
                            code: .unterminatedQuote,
                            message: "a quoted field is not closed before the end of the input",
                            line: startLine)
                    }
                    while position < bytes.count, !isDelimiter(bytes[position]) {
                        failure = failure ?? .textAfterClosingQuote
                        position += 1
                    }
                } else {
                    while position < bytes.count, !isDelimiter(bytes[position]) {
                        field.append(bytes[position])
                        position += 1
                    }
                }
                rawFields.append(field)
                if position < bytes.count && bytes[position] == Self.comma {
                    position += 1
                } else {
                    consumeLineBreak()
                    endOfRecord = true
                }
            }
            if rawFields.count == 1 && rawFields[0].isEmpty && !sawQuotedField && failure == nil {
                continue
            }
            if let failure {
                throw CSVError(code: failure, message: "text follows a closing quote inside a field", line: startLine)
            }
            var fields: [String] = []
            fields.reserveCapacity(rawFields.count)
            for (index, raw) in rawFields.enumerated() {
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw CSVError(code: .invalidUTF8, message: "field \(index + 1) is not valid UTF-8", line: startLine)
                }
                fields.append(text)
            }
            return CSVRecord(line: startLine, fields: fields)
        }
        return nil
    }

    /// Reads every record; records that fail are returned as errors in input order.
    public mutating func readAll() -> [Result<CSVRecord, CSVError>] {
        var results: [Result<CSVRecord, CSVError>] = []
        while true {
            do {
                guard let record = try next() else { return results }
                results.append(.success(record))
            } catch {
                results.append(.failure(error))
            }
        }
    }

    private func isDelimiter(_ byte: UInt8) -> Bool {
        byte == Self.comma || byte == Self.cr || byte == Self.lf
    }

    /// Counts a line break inside a quoted field (CRLF once).
    private mutating func countLineBreak(at index: Int) {
        let byte = bytes[index]
        if byte == Self.lf || (byte == Self.cr && !(index + 1 < bytes.count && bytes[index + 1] == Self.lf)) {
            line += 1
        }
    }

    private mutating func consumeLineBreak() {
        guard position < bytes.count else { return }
        if bytes[position] == Self.cr {
            position += 1
            if position < bytes.count && bytes[position] == Self.lf { position += 1 }
            line += 1
        } else if bytes[position] == Self.lf {
            position += 1
            line += 1
        }
    }
}
