public import Foundation
import Glibc

/// One agent per data directory. Two agents on one database (the systemd unit and a manual run,
/// say) would each print the other's queue and burn the CPU contending for its locks; the
/// second one must refuse to start instead.
///
/// The lock is `flock(2)` on `agent.lock` in the directory, held for the life of this object
/// (the agent keeps it for the life of the process). The kernel releases it when the process
/// dies however it dies, so a crash never leaves a directory locked: the file stays, the lock
/// does not. The holder writes its process id into the file, so the refusal can name it.
/// Other commands (`lanyard import`, `lanyard printer tune`) do not take it: they write through
/// SQLite, which serialises them with the agent's own writes.
public final class DataDirectoryLock: Sendable {
    public static let fileName = "agent.lock"

    public let directory: URL
    private let descriptor: Int32

    /// Takes the lock, creating the directory and the lock file if needed. Throws
    /// `agent.data_directory_in_use` at once (it never waits) when another process holds it.
    public init(directory: URL) throws(AgentError) {
        self.directory = directory
        let path = directory.appending(path: Self.fileName).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(
                .startupFailed, "cannot create the data directory \(directory.path): \(error.localizedDescription)",
                detail: "data_dir")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AgentError(.startupFailed, "cannot open \(path): \(String(cString: strerror(errno)))", detail: "data_dir")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.recordedHolder(descriptor)
            close(descriptor)
            guard failure == EWOULDBLOCK else {
                throw AgentError(.startupFailed, "cannot lock \(path): \(String(cString: strerror(failure)))", detail: "data_dir")
            }
            let who = holder.map { "another agent (process \($0))" } ?? "another agent"
            throw AgentError(
                .dataDirectoryInUse,
                "\(who) is already running on the data directory \(directory.path); stop it first, "
                    + "or give this one a data directory of its own (--data)",
                detail: path)
        }
        self.descriptor = descriptor
        let line = Array("\(getpid())\n".utf8)
        // The process id only names the holder in a refusal; failing to write it changes nothing.
        _ = ftruncate(descriptor, 0)
        _ = line.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The process id of the agent running on `directory` (0 if it has not written it yet), or
    /// nil when none is (the lock is free, or there is no lock file). Changes nothing: for commands
    /// that write beside an agent (`import`, `printer tune`) and want to say whether one will
    /// see what they wrote.
    public static func runningAgent(on directory: URL) -> Int32? {
        let descriptor = open(directory.appending(path: fileName).path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) != 0 else {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return errno == EWOULDBLOCK ? recordedHolder(descriptor) ?? 0 : nil
    }

    deinit {
        // Closing the only descriptor of the open file releases the lock.
        close(descriptor)
    }

    /// The process id the holder wrote, if it did (a holder that has just taken the lock may not
    /// have written it yet).
    private static func recordedHolder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text).flatMap { $0 > 0 ? $0 : nil }
    }
}
