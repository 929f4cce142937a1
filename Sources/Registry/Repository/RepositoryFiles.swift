public import Foundation
import Sync
import Synchronization

/// Reads repository files for HTTP, with their strong entity tags (the quoted SHA-256 of the
/// content, as `DirectoryRepositorySource` computes them, so a kiosk's saved tag is valid
/// whichever way it fetched). A tag is computed once per file version, keyed by the file's
/// identity (inode, size, times), not on every request.
public final class RepositoryFiles: Sendable {
    /// A file ready to serve. `contents` is set for the mutable timestamp, read in one go so
    /// its tag and bytes are of the same version; other files are streamed from `path`.
    struct File: Sendable {
        var relative: String
        var path: String
        var size: Int
        var etag: String
        var contents: Data?
    }

    public let directory: URL
    private let etags = Mutex<[String: (FileIdentity, String)]>([:])
    /// More entries than this and the cache starts over (a repository has a few thousand files).
    private static let maximumCachedTags = 100_000

    public init(directory: URL) {
        self.directory = directory
    }

    /// The file at `relative` (already checked by `RepositoryPath`); nil when it does not exist.
    func open(_ relative: String) throws(RegistryError) -> File? {
        let path = directory.appending(path: relative).path
        if RepositoryPath.isMutable(relative) {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return File(relative: relative, path: path, size: data.count, etag: Self.tag(SHA256Digest.hex(data)), contents: data)
        }
        guard let identity = FileIdentity(path: path), identity.isRegularFile else { return nil }
        if let cached = etags.withLock({ $0[relative] }), cached.0 == identity {
            return File(relative: relative, path: path, size: Int(identity.size), etag: cached.1, contents: nil)
        }
        // Mapped, not read: hashing a 50 MB blob pages it through once instead of holding it.
        let data: Data
        do { data = try Data(contentsOf: URL(filePath: path), options: .alwaysMapped) } catch {
            throw RegistryError(.storage, "cannot read a repository file", detail: "\(relative): \(error.localizedDescription)")
        }
        let etag = Self.tag(SHA256Digest.hex(data))
        etags.withLock { cache in
            if cache.count >= Self.maximumCachedTags { cache.removeAll(keepingCapacity: true) }
            cache[relative] = (identity, etag)
        }
        return File(relative: relative, path: path, size: data.count, etag: etag, contents: nil)
    }

    static func tag(_ hex: String) -> String { "\"\(hex)\"" }

    /// True when an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 asks for
    /// this header) or is `*`.
    static func matches(ifNoneMatch header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            let opaque = trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed
            return opaque == "*" || opaque == etag
        }
    }
}
