import Foundation
import LanyardSupport

@testable import Sync

/// A repository with three root keys (threshold two), one targets key and one timestamp key, and
/// a kiosk's view of it. Dates are fixed so expiry rules are tested without a clock.
struct RepositoryFixture {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    let base: URL
    let repository: URL
    var rootKeys: [SigningKey]
    var targetsKey: SigningKey
    var timestampKey: SigningKey
    let expiry: ExpiryPolicy

    init(expiry: ExpiryPolicy = .init()) throws {
        base = FileManager.default.temporaryDirectory.appending(path: "lanyard-sync-\(UUID().uuidString)")
        repository = base.appending(path: "repository")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        rootKeys = [SigningKey(), SigningKey(), SigningKey()]
        targetsKey = SigningKey()
        timestampKey = SigningKey()
        self.expiry = expiry
        let root = Self.root(
            version: 1, rootKeys: rootKeys, threshold: 2, targets: targetsKey, timestamp: timestampKey,
            expires: Self.epoch.addingTimeInterval(expiry.root))
        try writer.initialize(root: root, rootKeys: Array(rootKeys.prefix(2)))
    }

    static func root(
        version: Int, rootKeys: [SigningKey], threshold: Int, targets: SigningKey, timestamp: SigningKey,
        expires: Date
    ) -> RootMetadata {
        var keys: [String: PublicKeyEntry] = [:]
        for key in rootKeys + [targets, timestamp] { keys[key.keyID] = key.publicEntry }
        return RootMetadata(
            version: version, expires: expires, keys: keys,
            roles: [
                .root: RoleKeys(keyIDs: rootKeys.map(\.keyID), threshold: threshold),
                .targets: RoleKeys(keyIDs: [targets.keyID], threshold: 1),
                .timestamp: RoleKeys(keyIDs: [timestamp.keyID], threshold: 1),
            ])
    }

    var writer: RepositoryWriter { RepositoryWriter(directory: repository) }
    var publisher: RegistryPublisher {
        RegistryPublisher(repository: repository, targetsKeys: [targetsKey], timestampKeys: [timestampKey], expiry: expiry)
    }
    var source: DirectoryRepositorySource { DirectoryRepositorySource(directory: repository, chunkSize: 64) }

    func rootData(version: Int = 1) throws -> Data {
        try Data(contentsOf: repository.appending(path: RepositoryLayout.root(version: version)))
    }

    func trusted(policy: FreshnessPolicy = .init()) throws -> TrustedMetadata {
        try TrustedMetadata(trustedRoot: try rootData(), policy: policy)
    }

    /// A template bundle directory with a few files of known content.
    func bundle(_ name: String, text: String) throws -> URL {
        let directory = base.appending(path: "bundles/\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appending(path: "fonts"), withIntermediateDirectories: true)
        try Data("name: \(name)\ntext: \(text)\n".utf8).write(to: directory.appending(path: "template.yaml"))
        try Data(repeating: 0xA5, count: 3_000).write(to: directory.appending(path: "fonts/Face.ttf"))
        return directory
    }

    @discardableResult
    func publishTemplate(_ name: String, text: String, share: Double = 1, at now: Date = Self.epoch) throws -> RegistryPublisher.Publication
    {
        try publisher.publishDirectory(
            try bundle(name, text: text), as: "templates/\(name)", kind: .template, scope: .global,
            label: text, share: share, now: now)
    }

    func replace(_ relative: String, with data: Data) throws {
        try data.write(to: repository.appending(path: relative))
    }

    func read(_ relative: String) throws -> Data { try Data(contentsOf: repository.appending(path: relative)) }

    func remove() { try? FileManager.default.removeItem(at: base) }
}

/// Serves a repository but cuts every blob transfer after `cutAfter` bytes, as a dropped
/// connection would.
struct CuttingSource: RepositorySource {
    let inner: DirectoryRepositorySource
    let cutAfter: Int

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        guard path.hasPrefix("blobs/") else {
            return try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch, onChunk: onChunk)
        }
        var sent = 0
        var cut = false
        do {
            _ = try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch) { (chunk: Data) throws(SyncError) in
                let room = cutAfter - sent
                if room <= 0 {
                    cut = true
                    throw SyncError(.transport, "connection reset")
                }
                let part = chunk.prefix(room)
                try onChunk(Data(part))
                sent += part.count
                if part.count < chunk.count {
                    cut = true
                    throw SyncError(.transport, "connection reset")
                }
            }
        } catch  where cut {
            throw SyncError(.transport, "connection reset after \(sent) bytes", subject: path)
        }
        return .complete(etag: nil)
    }
}

/// Serves `extra` bytes beyond every blob, as a hostile or broken server would.
struct OverlongSource: RepositorySource {
    let inner: DirectoryRepositorySource
    let extra: Int

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        guard path.hasPrefix("blobs/") else {
            return try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch, onChunk: onChunk)
        }
        guard var data = FileManager.default.contents(atPath: inner.directory.appending(path: path).path) else { return .notFound }
        data.append(Data(repeating: 0, count: extra))
        try onChunk(data.subdata(in: offset..<data.count))
        return .complete(etag: nil)
    }
}
