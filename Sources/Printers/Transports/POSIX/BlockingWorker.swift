import Dispatch

/// The thread a connection's blocking system calls run on. Each connection has its own serial
/// queue, so a `poll` that waits out a printer's timeout never occupies a thread of Swift's
/// cooperative pool, and the calls of one connection never overlap. Serial queues are
/// overcommitting in libdispatch: a blocked queue gets a thread of its own instead of starving
/// others.
final class BlockingWorker: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws(TransportError) -> T) async throws(TransportError) -> T {
        let result: Result<T, TransportError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(TransportError) -> T in try body() })
            }
        }
        return try result.get()
    }
}
