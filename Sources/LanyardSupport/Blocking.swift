import NIOPosix
import Synchronization

/// The one way Lanyard runs blocking work (an fsync'd SQLite write, a 100,000-attendee
/// snapshot, sixteen renders of a dry run) from async code: on NIO's thread pool, the pool
/// Hummingbird itself uses, never on Swift's cooperative pool. That pool has one thread per core
/// (two on a kiosk box), and a blocked thread there stalls every other task, the HTTP API's
/// included. Long-lived owners of blocking resources keep their own thread instead: a printer
/// worker runs on a `DedicatedQueueExecutor`, a POSIX printer connection on its `BlockingWorker`.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// `body` as `run` runs it, waited for no longer than `limit`: nil when it took longer. Work on
    /// the pool cannot be stopped, only abandoned (it runs to its end and its result is dropped),
    /// so this is for work that ends on its own, when the caller must not wait for a slow case.
    /// Work that may never end belongs in a process that can be killed (the render child).
    public static func run<T: Sendable>(limit: Duration, _ body: @escaping @Sendable () throws -> T) async throws -> T? {
        let waiter = Waiter<T>()
        return try await withCheckedThrowingContinuation { continuation in
            waiter.set(continuation)
            let timer = Task {
                do { try await Task.sleep(for: limit) } catch { return }
                waiter.take()?.resume(returning: nil)
            }
            Task {
                let result: Result<T?, any Error>
                do { result = .success(try await NIOThreadPool.singleton.runIfActive(body)) } catch { result = .failure(error) }
                let continuation = waiter.take()
                timer.cancel()
                continuation?.resume(with: result)
            }
        }
    }

    /// The continuation of `run(limit:)`, resumed once by whichever comes first.
    private final class Waiter<T: Sendable>: Sendable {
        private let slot = Mutex<CheckedContinuation<T?, any Error>?>(nil)
        func set(_ continuation: CheckedContinuation<T?, any Error>) { slot.withLock { $0 = continuation } }
        func take() -> CheckedContinuation<T?, any Error>? { slot.withLock { $0.take() } }
    }
}
