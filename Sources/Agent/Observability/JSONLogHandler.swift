import Foundation
public import Logging

/// One JSON object a line on standard error: `at`, `level`, `logger`, `message` and the
/// metadata (correlation id, job, template version, render time...). The agent logs ids, never
/// attendee names or emails.
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
        var object: [String: Any] = [
            "at": Timestamps.iso8601(Date()),
            "level": event.level.rawValue,
            "logger": label,
            "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = "\(value)"
        }
        var line: Data
        if let text = JSONText.object(object, escapingSlashes: false) {
            line = Data(text.utf8)
        } else {
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return }
            line = data
        }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }
}
