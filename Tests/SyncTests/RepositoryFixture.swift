import Foundation
import LanyardSupport
import TUF

@testable import Sync

/// A TUF repository with three root keys (threshold two), one targets key and one ECDSA key for
/// both snapshot and timestamp, as `lanyard registry init` makes one, and a kiosk's view of it.
/// Dates are fixed so expiry rules are tested without a clock.
struct RepositoryFixture {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    let base: URL
    let repository: URL
    var rootKeys: [TUFSigningKey]
    var targetsKey: TUFSigningKey
    var timestampKey: TUFSigningKey
    let expiry: TUFExpiryPolicy

    init(expiry: TUFExpiryPolicy = .init()) throws {
        base = FileManager.default.temporaryDirectory.appending(path: "lanyard-sync-\(UUID().uuidString)")
        repository = base.appending(path: "repository")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        rootKeys = try (0..<3).map { _ in try TUFSigningKey.generate(.ed25519) }
        targetsKey = try TUFSigningKey.generate(.ed25519)
        timestampKey = try TUFSigningKey.generate(.ecdsaP256)
        self.expiry = expiry
        let root = try Root(
            expires: Self.epoch.addingTimeInterval(365 * 86_400),
            roles: [
                "root": RoleAssignment(rootKeys.map(\.publicKey), threshold: 2), "targets": RoleAssignment([targetsKey.publicKey]),
                "snapshot": RoleAssignment([timestampKey.publicKey]), "timestamp": RoleAssignment([timestampKey.publicKey]),
            ])
        try writer.initialize(root: root, signers: Array(rootKeys.prefix(2)) + [targetsKey, timestampKey], expiry: expiry, now: Self.epoch)
    }

    var writer: TUFRepositoryWriter { RegistryPublisher.writer(repository) }
    var publisher: RegistryPublisher {
        RegistryPublisher(repository: repository, signers: [targetsKey, timestampKey], expiry: expiry)
    }
    var source: DirectoryRepositorySource { DirectoryRepositorySource(directory: repository, chunkSize: 64) }

    func rootData(version: Int64 = 1) throws -> Data {
        try Data(contentsOf: repository.appending(path: RepositoryLayout.root(version: version)))
    }

    /// A kiosk's trusted repository, provisioned with root version 1.
    func trusted(
        directory: String = "kiosk", source: (any RepositorySource)? = nil, policy: FreshnessPolicy = .init()
    ) throws -> TrustedRepository {
        try TrustedRepository(
            directory: base.appending(path: directory), provisionedRoot: try rootData(), source: source ?? self.source, policy: policy)
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

/// Serves a repository but cuts every target file transfer after `cutAfter` bytes, as a dropped
/// connection would.
struct CuttingSource: RepositorySource {
    let inner: DirectoryRepositorySource
    let cutAfter: Int

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        guard path.hasPrefix("targets/") else {
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

/// Serves `extra` bytes beyond every target file, as a hostile or broken server would.
struct OverlongSource: RepositorySource {
    let inner: DirectoryRepositorySource
    let extra: Int

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        guard path.hasPrefix("targets/") else {
            return try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch, onChunk: onChunk)
        }
        guard var data = FileManager.default.contents(atPath: inner.directory.appending(path: path).path) else { return .notFound }
        data.append(Data(repeating: 0, count: extra))
        try onChunk(data.subdata(in: offset..<data.count))
        return .complete(etag: nil)
    }
}
