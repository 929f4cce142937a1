import Foundation
public import Logging

/// One JSON object a line on standard error: `at`, `level`, `logger`, `message` and the
/// metadata (correlation id, job, template version, render time...), keys in byte order. The
/// agent logs ids, never attendee names or emails. Every value is a string, so the line is
/// written by hand: no JSON encoder, and none of Foundation's ICU-sorted key order.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "at": Timestamps.iso8601(Date()),
            "level": event.level.rawValue,
            "logger": label,
            "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        var line = Data(Self.line(fields).utf8)
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }

    /// A JSON object of string values, keys sorted.
    static func line(_ fields: [String: String]) -> String {
        var text = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            appendString(key, to: &text)
            text += ":"
            appendString(fields[key] ?? "", to: &text)
        }
        return text + "}"
    }

    private static func appendString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
