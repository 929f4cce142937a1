/// Where long-polling kiosks wait for the next timestamp version. One watcher feeds it the
/// versions it reads and ticks it to expire waits; every waiting request is one continuation
/// here, so hundreds of kiosks cost hundreds of small entries, not hundreds of poll loops.
public actor NotifyHub {
    private struct Waiter {
        var after: Int
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<RepositoryVersions, Never>
    }

    public private(set) var current: RepositoryVersions
    private var waiters: [UInt64: Waiter] = [:]
    private var nextID: UInt64 = 0
    private var closed = false
    /// Beyond this many waiting requests a new one is answered at once; its kiosk polls again.
    public let maximumWaiters: Int

    public init(current: RepositoryVersions = .nothingPublished, maximumWaiters: Int = 10_000) {
        self.current = current
        self.maximumWaiters = maximumWaiters
    }

    public var waitingCount: Int { waiters.count }

    /// The current versions as soon as the timestamp version is above `after`, or when
    /// `timeout` has passed (then possibly still at or below `after`), or when the server
    /// shuts down.
    public func next(after: Int, timeout: Duration) async -> RepositoryVersions {
        if current.timestampVersion > after || closed || waiters.count >= maximumWaiters || timeout <= .zero {
            return current
        }
        let id = nextID
        nextID += 1
        let deadline = ContinuousClock.now.advanced(by: timeout)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: current)
                } else {
                    waiters[id] = Waiter(after: after, deadline: deadline, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.release(id) }
        }
    }

    /// New versions read from the repository: wakes every request waiting for a version below
    /// the new one.
    public func update(_ versions: RepositoryVersions) {
        current = versions
        let ready = waiters.filter { $0.value.after < versions.timestampVersion }
        for (id, waiter) in ready {
            waiters[id] = nil
            waiter.continuation.resume(returning: versions)
        }
    }

    /// Answers the requests whose timeout has passed.
    public func expire(now: ContinuousClock.Instant = .now) {
        let due = waiters.filter { $0.value.deadline <= now }
        for (id, waiter) in due {
            waiters[id] = nil
            waiter.continuation.resume(returning: current)
        }
    }

    /// Shutting down: every waiting request is answered now and new ones at once, so the
    /// server can finish its connections.
    public func close() {
        closed = true
        for (_, waiter) in waiters { waiter.continuation.resume(returning: current) }
        waiters.removeAll()
    }

    private func release(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: current)
    }
}
