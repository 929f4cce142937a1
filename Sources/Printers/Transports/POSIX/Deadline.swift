import Glibc

/// A point in time after which a transport operation gives up. Every blocking call of the
/// transports waits in `poll` for at most the time left, so no call outlives its timeout.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant

    init(after timeout: Duration) {
        instant = ContinuousClock.now.advanced(by: max(timeout, .zero))
    }

    var hasPassed: Bool { ContinuousClock.now >= instant }

    /// Milliseconds left for `poll`, rounded up so a wait never ends just short of the deadline.
    var pollMilliseconds: Int32 {
        let left = ContinuousClock.now.duration(to: instant)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

/// What `poll` said about one descriptor.
enum PollOutcome: Equatable {
    /// The requested event (or an error or hang-up, which the next call will report) is there.
    case ready(events: Int16)
    case timedOut
    case failed(errno: Int32)
}

/// Waits for `events` on `descriptor` until `deadline`, retrying after signals. When `wake` is
/// given, input on it (a stop request) also ends the wait, reported as `.ready` with no events.
func waitFor(_ events: Int16, on descriptor: Int32, until deadline: Deadline?, wake: Int32? = nil) -> PollOutcome {
    while true {
        var fds = [pollfd(fd: descriptor, events: events, revents: 0)]
        if let wake { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        let timeout = deadline?.pollMilliseconds ?? -1
        let result = poll(&fds, nfds_t(fds.count), timeout)
        if result < 0 {
            let code = errno
            if code == EINTR { continue }
            return .failed(errno: code)
        }
        if result == 0 {
            if let deadline, !deadline.hasPassed { continue }
            return .timedOut
        }
        if fds.count > 1, fds[1].revents != 0 { return .ready(events: 0) }
        return .ready(events: fds[0].revents)
    }
}
