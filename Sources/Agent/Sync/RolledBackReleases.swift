public import Foundation
import Synchronization

/// Releases this kiosk rolled back from or refused in a dry run: never promoted again here (a
/// fixed template is a new release with a new digest). Kept in the data directory so a restart
/// does not promote a broken release a second time; reported to the registry.
public final class RolledBackReleases: Sendable {
    public struct Entry: Sendable, Equatable, Codable {
        public var digest: String
        public var target: String
        public var label: String
        public var reason: String
        public var at: Date
    }

    private let file: URL
    private let entries: Mutex<[Entry]>

    public init(file: URL) {
        self.file = file
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let saved = (try? Data(contentsOf: file)).flatMap { try? decoder.decode([Entry].self, from: $0) } ?? []
        entries = Mutex(saved)
    }

    public var all: [Entry] { entries.withLock { $0 } }
    public var digests: Set<String> { Set(all.map(\.digest)) }

    public func add(_ new: [Entry]) {
        let snapshot = entries.withLock { list -> [Entry] in
            for entry in new where !list.contains(where: { $0.digest == entry.digest }) { list.append(entry) }
            return list
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? encoder.encode(snapshot).write(to: file, options: .atomic)
    }
}
