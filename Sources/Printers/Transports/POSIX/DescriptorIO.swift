import Glibc

/// How bytes go out through a descriptor: `send` with `MSG_NOSIGNAL` on sockets; `write` with
/// SIGPIPE held back on device files and FIFOs, where `send` does not apply.
enum DescriptorKind: Sendable {
    case socket
    case file
}

enum WriteOutcome: Equatable {
    case completed
    /// The descriptor stopped accepting bytes until the deadline passed.
    case timedOut(written: Int)
    case failed(errno: Int32, call: String, written: Int)
}

enum ReadStep: Equatable {
    case data([UInt8])
    /// Nothing arrived before the deadline.
    case timedOut
    /// The other side closed the connection (end of file).
    case closed
    case failed(errno: Int32, call: String)
}

/// Writes all of `bytes` to a non-blocking descriptor, resuming after partial writes and waiting
/// in `poll` while the other side's buffer is full, until `deadline`.
func writeAll(_ bytes: [UInt8], to descriptor: Int32, kind: DescriptorKind, deadline: Deadline) -> WriteOutcome {
    var written = 0
    var sawPollError = false
    while written < bytes.count {
        let (count, code) = bytes.withUnsafeBytes { buffer -> (Int, Int32) in
            let start = buffer.baseAddress! + written
            let length = buffer.count - written
            switch kind {
            case .socket:
                let sent = send(descriptor, start, length, Int32(MSG_NOSIGNAL))
                return (sent, sent < 0 ? errno : 0)
            case .file:
                return writeHoldingSIGPIPE(descriptor, start, length)
            }
        }
        if count > 0 {
            written += count
            sawPollError = false
            continue
        }
        if count == 0 { return .failed(errno: EIO, call: kind == .socket ? "send" : "write", written: written) }
        switch code {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            // A descriptor that poll flagged as failed but that still says "try again" would spin.
            if sawPollError { return .failed(errno: EIO, call: "poll", written: written) }
            switch waitFor(Int16(POLLOUT), on: descriptor, until: deadline) {
            case .ready(let events):
                sawPollError = events & Int16(POLLOUT) == 0 && events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
            case .timedOut:
                return .timedOut(written: written)
            case .failed(let pollErrno):
                return .failed(errno: pollErrno, call: "poll", written: written)
            }
        default:
            return .failed(errno: code, call: kind == .socket ? "send" : "write", written: written)
        }
    }
    return .completed
}

/// Returns the bytes waiting on a non-blocking descriptor, waiting in `poll` until some arrive
/// or `deadline` passes. Callers loop, judging after each step whether a reply is complete, so
/// their completion test runs on their own side, never on the blocking thread.
func readSome(from descriptor: Int32, deadline: Deadline) -> ReadStep {
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .data(Array(chunk[0..<count])) }
        if count == 0 { return .closed }
        let code = errno
        switch code {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            switch waitFor(Int16(POLLIN), on: descriptor, until: deadline) {
            case .ready:
                continue
            case .timedOut:
                return .timedOut
            case .failed(let pollErrno):
                return .failed(errno: pollErrno, call: "poll")
            }
        default:
            return .failed(errno: code, call: "recv")
        }
    }
}

/// `write` with SIGPIPE blocked on the calling thread: writing to a FIFO whose reader has gone
/// raises SIGPIPE, whose default action ends the process. The signal the write raised, if any,
/// is taken back off the thread before the old mask returns, so it is never delivered later.
private func writeHoldingSIGPIPE(_ descriptor: Int32, _ start: UnsafeRawPointer, _ length: Int) -> (Int, Int32) {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    var pendingBefore = sigset_t()
    sigpending(&pendingBefore)
    let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1

    let count = write(descriptor, start, length)
    let code = count < 0 ? errno : 0
    if code == EPIPE, !wasPending {
        var noWait = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&pipeSignal, nil, &noWait)
    }
    return (count, code)
}
