import NIOPosix

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
}
