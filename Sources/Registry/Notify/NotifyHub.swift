/// Where long-polling kiosks wait for the next timestamp version or the next change to their
/// event's attendees. One watcher feeds it the versions it reads and ticks it to expire waits;
/// the attendee endpoints feed it each event's latest change cursor. Every waiting request is
/// one continuation here, so hundreds of kiosks cost hundreds of small entries, not hundreds of
/// poll loops.
public actor NotifyHub {
    /// A kiosk's event and the change cursor its attendee list is at.
    public struct AttendeeWatch: Sendable, Equatable {
        public var event: String
        public var after: Int64

        public init(event: String, after: Int64) {
            self.event = event
            self.after = after
        }
    }

    private struct Waiter {
        var after: Int
        var attendees: AttendeeWatch?
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<RepositoryVersions, Never>
    }

    public private(set) var current: RepositoryVersions
    /// Per event, the latest attendee change cursor (absent: none yet).
    private var eventCursors: [String: Int64]
    private var waiters: [UInt64: Waiter] = [:]
    private var nextID: UInt64 = 0
    private var closed = false
    /// Beyond this many waiting requests a new one is answered at once; its kiosk polls again.
    public let maximumWaiters: Int

    public init(current: RepositoryVersions = .nothingPublished, eventCursors: [String: Int64] = [:], maximumWaiters: Int = 10_000) {
        self.current = current
        self.eventCursors = eventCursors
        self.maximumWaiters = maximumWaiters
    }

    public var waitingCount: Int { waiters.count }

    /// The latest attendee change cursor of an event (0 before its first change).
    public func attendeeCursor(event: String) -> Int64 { eventCursors[event] ?? 0 }

    /// The current versions as soon as the timestamp version is above `after`, or when
    /// `timeout` has passed (then possibly still at or below `after`), or when the server
    /// shuts down.
    public func next(after: Int, timeout: Duration) async -> RepositoryVersions {
        await next(after: after, attendees: nil, timeout: timeout)
    }

    /// As `next(after:timeout:)`, and also as soon as the watched event's attendees change
    /// past the watched cursor.
    public func next(after: Int, attendees: AttendeeWatch?, timeout: Duration) async -> RepositoryVersions {
        if current.timestampVersion > after || attendees.map(changed) == true || closed || waiters.count >= maximumWaiters
            || timeout <= .zero
        {
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
                    waiters[id] = Waiter(after: after, attendees: attendees, deadline: deadline, continuation: continuation)
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

    /// An event's attendees changed up to `cursor`: wakes the requests watching that event
    /// from below it. Cursors only rise; an older one is ignored.
    public func attendeesChanged(event: String, cursor: Int64) {
        guard cursor > eventCursors[event] ?? 0 else { return }
        eventCursors[event] = cursor
        let ready = waiters.filter { $0.value.attendees.map(changed) == true }
        for (id, waiter) in ready {
            waiters[id] = nil
            waiter.continuation.resume(returning: current)
        }
    }

    private func changed(_ watch: AttendeeWatch) -> Bool {
        (eventCursors[watch.event] ?? 0) > watch.after
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
