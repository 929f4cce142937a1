public import Foundation

/// The kiosk's trusted metadata on disk: the exact bytes of the root, timestamp and targets it
/// last verified, and when it last had a fresh timestamp. Each file is replaced atomically, and
/// everything is verified again on load, so neither a torn write nor an edit on disk can make
/// unverified metadata trusted.
public struct TrustedMetadataStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    struct State: Codable {
        var lastFreshRefresh: Date?
        var timestampETag: String?

        enum CodingKeys: String, CodingKey {
            case lastFreshRefresh = "last_fresh_refresh", timestampETag = "timestamp_etag"
        }
    }

    /// Loads saved metadata; with none saved yet, starts from `provisionedRoot`.
    public func load(provisionedRoot: Data, policy: FreshnessPolicy) throws(SyncError) -> (TrustedMetadata, timestampETag: String?) {
        let manager = FileManager.default
        let root = manager.contents(atPath: url("root.json").path) ?? provisionedRoot
        let state = manager.contents(atPath: url("state.json").path).flatMap {
            try? CanonicalJSON.decode(State.self, from: $0, subject: "state")
        }
        let trusted = try TrustedMetadata(
            trustedRoot: root, timestamp: manager.contents(atPath: url("timestamp.json").path),
            targets: manager.contents(atPath: url("targets.json").path),
            lastFreshRefresh: state?.lastFreshRefresh, policy: policy)
        return (trusted, state?.timestampETag)
    }

    public func save(_ trusted: TrustedMetadata, timestampETag: String?) throws(SyncError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try trusted.rootData.write(to: url("root.json"), options: .atomic)
            try write(trusted.timestampData, to: "timestamp.json")
            try write(trusted.targetsData, to: "targets.json")
            let state = State(lastFreshRefresh: trusted.lastFreshRefresh, timestampETag: timestampETag)
            try CanonicalJSON.encode(state).write(to: url("state.json"), options: .atomic)
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError(.io, "cannot save the trusted metadata", subject: directory.path, underlying: error)
        }
    }

    private func write(_ data: Data?, to name: String) throws {
        if let data {
            try data.write(to: url(name), options: .atomic)
        } else if FileManager.default.fileExists(atPath: url(name).path) {
            try FileManager.default.removeItem(at: url(name))
        }
    }

    private func url(_ name: String) -> URL { directory.appending(path: name) }
}
