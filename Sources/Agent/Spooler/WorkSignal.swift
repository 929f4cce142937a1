import Synchronization

/// How a printer worker sleeps between jobs: until someone says work is waiting, or until its
/// poll interval passes, whichever comes first.
///
/// A signal that arrives while nobody waits is kept (once: several signals before the next wait
/// are one), so a job queued between two waits is never slept through. A wait that is cancelled
/// returns at once and leaves the signal as it was: the next wait waits again, for its signal or
/// its time. (An `AsyncStream` iterated in a child task that loses a race is finished for good by
/// the cancellation, and every later wait on it returns at once: a worker that spins a core.)
///
/// Exactly one outcome ends a wait; it is decided under the lock, so a signal is never consumed
/// by a wait that reports a timeout.
public final class WorkSignal: Sendable {
    /// Why a wait ended.
    public enum Wake: Sendable, Equatable {
        case signalled
        case timedOut
        case cancelled
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Wake, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
        var lastID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Work may be waiting: ends the current wait, or the next one at once. Safe from any thread.
    public func signal() {
        let woken: Waiter? = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        guard let woken else { return }
        woken.timer?.cancel()
        woken.continuation.resume(returning: .signalled)
    }

    /// Whether a wait is in progress (for tests and diagnostics).
    public var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Returns `.signalled` as soon as `signal()` is called (or at once if it was called since the
    /// last wait), `.timedOut` after `timeout`, `.cancelled` if the calling task is cancelled.
    /// One waiter at a time: the signal belongs to one worker.
    public func wait(upTo timeout: Duration) async -> Wake {
        let id: UInt64? = state.withLock { state in
            if state.pending {
                state.pending = false
                return nil
            }
            precondition(state.waiter == nil, "WorkSignal has one waiter at a time")
            state.lastID &+= 1
            return state.lastID
        }
        guard let id else { return .signalled }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let signalledMeanwhile = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = Waiter(id: id, continuation: continuation, timer: nil)
                    return false
                }
                if signalledMeanwhile { return continuation.resume(returning: .signalled) }
                // The cancellation handler may have run before the waiter was in place; it then
                // found nothing to end, so end it here. `finish` resumes at most once per id.
                if Task.isCancelled { return finish(id, .cancelled) }
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    self?.finish(id, .timedOut)
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waiter?.id == id else { return false }
                    state.waiter?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            finish(id, .cancelled)
        }
    }

    /// Ends wait `id` with `outcome` if it is still the one waiting.
    private func finish(_ id: UInt64, _ outcome: Wake) {
        let ended: Waiter? = state.withLock { state in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        guard let ended else { return }
        ended.timer?.cancel()
        ended.continuation.resume(returning: outcome)
    }
}
