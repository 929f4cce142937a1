public import Foundation

/// Target files of the repository kept by hash on the kiosk (`blobs/<sha256>`), so a font shared by
/// every template version is fetched once. A download goes to `partial/<sha256>` first and is
/// moved into place only once its length and SHA-256 match what was signed; a cut download
/// resumes from the bytes already there.
public struct BlobCache: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func url(for file: TargetFile) -> URL { directory.appending(path: "blobs/\(file.sha256)") }
    func partialURL(for file: TargetFile) -> URL { directory.appending(path: "partial/\(file.sha256)") }

    /// True when the blob is complete in the cache.
    public func contains(_ file: TargetFile) -> Bool {
        Self.size(of: url(for: file)) == file.length
    }

    /// Bytes of an unfinished download of `file`, if any.
    public func partialLength(of file: TargetFile) -> Int { Self.size(of: partialURL(for: file)) ?? 0 }

    /// Fetches `file` from `path` in the repository unless it is already cached; never reads
    /// more than its signed length. Returns the number of bytes transferred (0 when cached).
    @discardableResult
    public func fetch(_ file: TargetFile, path: String, from source: any RepositorySource) async throws(SyncError) -> Int {
        if contains(file) { return 0 }
        let partial = partialURL(for: file)
        try createDirectories()
        var offset = Self.size(of: partial) ?? 0
        if offset > file.length {
            try? FileManager.default.removeItem(at: partial)
            offset = 0
        }
        if offset == 0, !FileManager.default.createFile(atPath: partial.path, contents: nil) {
            throw SyncError(.io, "cannot create the download file", subject: partial.path)
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: partial)
            try handle.seekToEnd()
        } catch {
            throw SyncError(.io, "cannot open the download file", subject: partial.path, underlying: error)
        }
        defer { try? handle.close() }
        var received = offset
        let remaining = file.length - offset
        let outcome = try await source.fetch(
            path, offset: offset, limit: remaining,
            ifNoneMatch: nil
        ) { (chunk: Data) throws(SyncError) in
            guard received + chunk.count <= file.length else {
                throw SyncError(.lengthExceeded, "more than the signed \(file.length) bytes", subject: file.sha256)
            }
            do { try handle.write(contentsOf: chunk) } catch {
                throw SyncError(.io, "cannot write the download file", subject: partial.path, underlying: error)
            }
            received += chunk.count
        }
        switch outcome {
        case .notFound: throw SyncError(.transport, "the repository does not have this file", subject: file.sha256)
        case .notModified: throw SyncError(.transport, "answered 'not modified' to an unconditional request", subject: file.sha256)
        case .complete: break
        }
        guard received == file.length else {
            throw SyncError(.transport, "the transfer ended after \(received) of \(file.length) bytes", subject: file.sha256)
        }
        try? handle.close()
        let data: Data
        do { data = try Data(contentsOf: partial) } catch {
            throw SyncError(.io, "cannot read the download back", subject: partial.path, underlying: error)
        }
        guard SHA256Digest.hex(data) == file.sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw SyncError(.hashMismatch, "the downloaded file does not have the signed SHA-256", subject: file.sha256)
        }
        do {
            if FileManager.default.fileExists(atPath: url(for: file).path) { try FileManager.default.removeItem(at: url(for: file)) }
            try FileManager.default.moveItem(at: partial, to: url(for: file))
        } catch {
            throw SyncError(.io, "cannot move the download into the cache", subject: partial.path, underlying: error)
        }
        return received - offset
    }

    /// Copies a release's files out of the cache into `destination` under their own names,
    /// checking each length again (a cache file changed on disk is refused, not used).
    public func materialize(_ release: TargetRelease, into destination: URL) throws(SyncError) {
        let manager = FileManager.default
        do {
            if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
            try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw SyncError(.io, "cannot prepare the directory", subject: destination.path, underlying: error)
        }
        for (path, file) in release.files.sorted(by: { $0.key < $1.key }) {
            guard contains(file) else { throw SyncError(.io, "\(path) is not in the cache", subject: file.sha256) }
            let target = destination.appending(path: path)
            do {
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.copyItem(at: url(for: file), to: target)
            } catch {
                throw SyncError(.io, "cannot copy \(path) out of the cache", subject: destination.path, underlying: error)
            }
        }
    }

    private func createDirectories() throws(SyncError) {
        do {
            try FileManager.default.createDirectory(at: directory.appending(path: "blobs"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: directory.appending(path: "partial"), withIntermediateDirectories: true)
        } catch {
            throw SyncError(.io, "cannot create the cache directories", subject: directory.path, underlying: error)
        }
    }

    static func size(of url: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
    }
}
