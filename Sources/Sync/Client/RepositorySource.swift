public import Foundation

/// How a fetch ended. A transfer cut part-way throws instead, after the bytes that did arrive
/// have been handed to the caller, so a download can resume where it stopped.
public enum FetchOutcome: Sendable, Equatable {
    case complete(etag: String?)
    /// The caller's `ifNoneMatch` still matches.
    case notModified
    case notFound
}

/// Where a kiosk reads a repository from: the registry server, any web server holding a copy
/// of the repository directory, or the directory itself.
public protocol RepositorySource: Sendable {
    /// Reads `path` from byte `offset`, handing the bytes over in chunks. A source must not
    /// hand over more than `limit` bytes in total (counted from `offset`); the caller checks
    /// too. `ifNoneMatch` is the entity tag of the copy the caller has.
    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome
}

extension RepositorySource {
    /// A whole small file in memory; nil when it does not exist.
    public func fetchWhole(_ path: String, limit: Int) async throws(SyncError) -> Data? {
        var data = Data()
        let outcome = try await fetch(path, offset: 0, limit: limit, ifNoneMatch: nil) { (chunk: Data) throws(SyncError) in
            data.append(chunk)
            guard data.count <= limit else {
                throw SyncError(.lengthExceeded, "more than \(limit) bytes", subject: path)
            }
        }
        switch outcome {
        case .complete: return data
        case .notFound: return nil
        case .notModified: throw SyncError(.transport, "answered 'not modified' to an unconditional request", subject: path)
        }
    }
}

/// A repository directory on this machine (a mounted share, a USB stick, or tests). Its entity
/// tag is the SHA-256 of the file, so conditional fetches behave as over HTTP.
public struct DirectoryRepositorySource: RepositorySource {
    public let directory: URL
    /// Bytes per chunk: small enough that a cut can be simulated mid-file in tests.
    public let chunkSize: Int

    public init(directory: URL, chunkSize: Int = 256 * 1024) {
        self.directory = directory
        self.chunkSize = max(1, chunkSize)
    }

    public func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        guard !path.split(separator: "/").contains("..") else {
            throw SyncError(.targetInvalid, "path leaves the repository", subject: path)
        }
        let url = directory.appending(path: path)
        guard let data = FileManager.default.contents(atPath: url.path) else { return .notFound }
        let etag = "\"\(SHA256Digest.hex(data))\""
        if let ifNoneMatch, ifNoneMatch == etag { return .notModified }
        guard offset <= data.count else { throw SyncError(.transport, "offset \(offset) is past the end of the file", subject: path) }
        guard data.count - offset <= limit else {
            throw SyncError(
                .lengthExceeded, "the file is \(data.count - offset) bytes from offset \(offset), more than the \(limit) allowed",
                subject: path)
        }
        var position = offset
        while position < data.count {
            let end = min(position + chunkSize, data.count)
            try onChunk(data.subdata(in: position..<end))
            position = end
        }
        return .complete(etag: etag)
    }
}
