internal import CLibUSB
import Foundation

/// A C pointer handed between the caller and the worker thread. `@unchecked Sendable` is safe
/// because only the owning context's worker thread dereferences it (every libusb call runs there);
/// other threads merely carry the value.
struct USBPointer: @unchecked Sendable, Hashable {
    let raw: OpaquePointer
}

/// A libusb context and the one thread that makes all of its libusb calls. libusb blocks
/// (transfers wait up to their timeout, event handling waits for the bus), so no libusb call may
/// run on Swift's cooperative pool: callers `await perform { ... }` and the work runs here.
/// The context is freed (`libusb_exit`) on that thread, after every job queued before the last
/// reference went away.
final class USBContext: Sendable {
    let pointer: USBPointer
    let worker: USBWorker

    /// Creates the context on a new worker thread named `label` (at most 15 bytes: longer
    /// names do not reach the system).
    init(label: String) async throws(TransportError) {
        let worker = USBWorker(label: label)
        let created: Result<USBPointer, TransportError> = await worker.run {
            var context: OpaquePointer?
            let status = libusb_init(&context)
            guard status == 0, let context else {
                return .failure(USBStatus.error(status, "cannot start libusb"))
            }
            return .success(USBPointer(raw: context))
        }
        switch created {
        case .success(let pointer):
            self.pointer = pointer
            self.worker = worker
        case .failure(let error):
            worker.finish {}
            throw error
        }
    }

    deinit {
        let pointer = pointer
        worker.finish { libusb_exit(pointer.raw) }
    }

    /// Runs `body` on the worker thread with the `libusb_context *` and returns its result.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (USBPointer) throws(TransportError) -> T
    ) async throws(TransportError) -> T {
        let pointer = pointer
        let result: Result<T, TransportError> = await worker.run {
            do throws(TransportError) {
                return .success(try body(pointer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A dedicated thread running queued jobs in order. When it has an idle task (a hotplug watch)
/// it runs that whenever the queue is empty; the task must return within a bounded time (it
/// handles libusb events with a short timeout), so queued jobs wait at most that long.
/// `@unchecked Sendable` is safe because `jobs`, `idle` and `stopping` are only touched with
/// `condition` locked.
final class USBWorker: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var idle: Job?
    private var stopping = false

    init(label: String) {
        let thread = Thread { [self] in
            // Named from inside: that is what reaches the system's thread name (ps, /proc).
            Thread.current.name = label
            loop()
        }
        thread.start()
    }

    func enqueue(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Queues `job` and waits for its result without blocking the caller's thread.
    func run<T: Sendable>(_ job: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: job()) }
        }
    }

    /// Sets or clears the idle task.
    func setIdle(_ task: Job?) {
        condition.lock()
        idle = task
        condition.signal()
        condition.unlock()
    }

    /// Queues `last` as the final job; the thread ends after running it.
    func finish(_ last: @escaping Job) {
        condition.lock()
        jobs.append(last)
        idle = nil
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && idle == nil && !stopping {
                condition.wait()
            }
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job()
                continue
            }
            if stopping {
                condition.unlock()
                return
            }
            let task = idle
            condition.unlock()
            task?()
        }
    }
}

extension Duration {
    /// A libusb timeout: whole milliseconds, at least 1 (libusb reads 0 as "wait forever").
    var libusbTimeout: UInt32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 1 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return UInt32.max }
        let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
        return UInt32(clamping: max(1, total))
    }
}
