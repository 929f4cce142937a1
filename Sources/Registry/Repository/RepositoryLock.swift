public import Foundation

/// An advisory lock (`flock`) on `<repository>/.publish.lock`, held by whoever writes a new
/// timestamp. Without it the server's refresher and `lanyard registry publish` could both write
/// version N+1 with different content, which kiosks would rightly refuse as equivocation.
/// The lock file is empty; a web server serving the directory should not serve dot files.
public struct RepositoryLock: Sendable {
    public static let fileName = ".publish.lock"

    public let url: URL

    public init(repository: URL) {
        self.url = repository.appending(path: Self.fileName)
    }

    /// Runs `body` holding the lock. With `wait` false, returns nil without running it when
    /// another process holds the lock; with `wait` true, blocks the calling thread until it is
    /// free (for command-line tools, not for the server's tasks).
    public func withLock<T>(wait: Bool = true, _ body: () throws -> T) throws -> T? {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RegistryError(
                .storage, "cannot open the repository's lock file", detail: "\(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return nil }
            throw RegistryError(.storage, "cannot lock the repository", detail: "\(url.path): \(String(cString: strerror(errno)))")
        }
        return .some(try body())
    }

    /// `withLock(wait: true)` for a command-line tool that has nothing else to do meanwhile.
    public static func waiting<T>(repository: String, _ body: () throws -> T) throws -> T {
        let lock = RepositoryLock(repository: URL(filePath: repository, directoryHint: .isDirectory))
        guard let result = try lock.withLock(wait: true, body) else {
            throw RegistryError(.storage, "the repository's publish lock was not taken", detail: lock.url.path)
        }
        return result
    }
}
