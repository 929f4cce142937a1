import Foundation
import LanyardSupport

/// The file operations of a publisher, synchronous and durable when they return: every file is
/// written in full to a temporary name in its directory and fsync'd before it gets its name, and
/// the directory is fsync'd after. A reader, or a power cut, never sees half a file.
enum FileWriting {
    /// Creates `path` with `mode`, failing when anything is already there (`O_EXCL`).
    static func createNew(_ path: String, contents: [UInt8], mode: mode_t) throws(TUFError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw TUFError(.fileExists, "a file is already there; it is never replaced", context: path) }
            throw failure("cannot create", path)
        }
        defer { close(descriptor) }
        try writeAll(descriptor, contents, path: path)
        try syncDirectory(of: path)
    }

    /// Gives `path` these contents once: a file already there with the same bytes is left as it
    /// is (a content-addressed target published again); one with other bytes is refused.
    static func writeOnce(_ path: String, contents: [UInt8]) throws(TUFError) {
        if let existing = read(path) {
            guard existing == contents else { throw TUFError(.fileExists, "a different file is already published here", context: path) }
            return
        }
        let temporary = try writeTemporary(beside: path, contents: contents)
        defer { unlink(temporary) }
        // link(2) never replaces: two writers racing for one name cannot overwrite each other.
        guard link(temporary, path) == 0 else {
            if errno == EEXIST, read(path) == contents { return }
            throw errno == EEXIST
                ? TUFError(.fileExists, "a different file is already published here", context: path) : failure("cannot publish", path)
        }
        try syncDirectory(of: path)
    }

    /// Replaces `path` by an atomic rename: readers see the old file or the new one.
    static func replace(_ path: String, contents: [UInt8]) throws(TUFError) {
        let temporary = try writeTemporary(beside: path, contents: contents)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace", path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(of: path)
    }

    /// The file's bytes; nil when there is no file.
    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func createDirectories(_ path: String) throws(TUFError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw TUFError(.io, "cannot create the directory", context: path, underlying: error)
        }
    }

    /// Runs `body` holding an exclusive `flock` on `path` (created when missing). With `wait`
    /// false, refuses with `tuf.repository_busy` when another process holds it.
    static func withExclusiveLock<T>(_ path: String, wait: Bool, _ body: () throws(TUFError) -> T) throws(TUFError) -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot open the lock file", path) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { throw TUFError(.repositoryBusy, "another publisher is writing this repository", context: path) }
            throw failure("cannot lock", path)
        }
        return try body()
    }

    private static func writeTemporary(beside path: String, contents: [UInt8]) throws(TUFError) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let random = (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let temporary = "\(directory)/.\(name).\(random).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create a temporary file", temporary) }
        defer { close(descriptor) }
        do { try writeAll(descriptor, contents, path: temporary) } catch {
            unlink(temporary)
            throw error
        }
        return temporary
    }

    private static func writeAll(_ descriptor: Int32, _ contents: [UInt8], path: String) throws(TUFError) {
        var offset = 0
        while offset < contents.count {
            let written = contents.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", path)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync", path) }
    }

    private static func syncDirectory(of path: String) throws(TUFError) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open the directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync the directory", directory) }
    }

    private static func failure(_ what: String, _ path: String) -> TUFError {
        TUFError(.io, "\(what): \(String(cString: strerror(errno)))", context: path)
    }
}
