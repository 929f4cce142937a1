import Dispatch

/// A serial executor on a dispatch queue of its own, for an actor whose methods make blocking C
/// calls: a printer worker renders with cairo and Pango and writes the store through SQLite,
/// calls that hold their thread for milliseconds. On Swift's cooperative pool (one thread per
/// core, two on a kiosk box) that would stall every other task, the HTTP API's included, while
/// a badge renders; on a queue of its own it holds only its own thread.
final class DedicatedQueueExecutor: SerialExecutor {
    let queue: DispatchQueue
    private static let marker = DispatchSpecificKey<ObjectIdentifier>()

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        queue.setSpecific(key: Self.marker, value: ObjectIdentifier(self))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the calling code runs on this executor's queue.
    var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.marker) == ObjectIdentifier(self)
    }
}
