import Synchronization

/// The connection for `PrinterAddress.simulator`: talks to an in-process `PrinterSimulator`
/// directly, with no socket, so demos and tests run with no printer. Behaves like a network
/// connection to it: replies are read back, `slow` mode paces writes (and times them out),
/// `dropConnection` fails the write or read with `.disconnected`.
public final class VirtualPrinterConnection: PrinterConnection {
    public let simulator: PrinterSimulator
    public var address: PrinterAddress { .simulator }
    public var canRead: Bool { true }

    private let session: SimulatorSession
    private let state = Mutex(State())

    private struct State {
        var inbox: [UInt8] = []
        var closed = false
        var dropped = false
    }

    public init(simulator: PrinterSimulator) {
        self.simulator = simulator
        session = simulator.makeSession()
    }

    public func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        try checkUsable()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: max(timeout, .zero))
        var written = 0
        while written < bytes.count {
            let rate = simulator.receiveRateLimit
            // Unpaced, everything goes at once; a slow printer takes a twentieth of its rate at a time.
            let chunk = rate.map { max($0 / 20, 1) } ?? bytes.count
            let end = min(written + chunk, bytes.count)
            if let rate {
                let pause = Duration.seconds(Double(end - written) / Double(rate))
                guard clock.now.advanced(by: pause) <= deadline else {
                    throw TransportError(
                        .timeout, "the printer stopped taking bytes (\(written) of \(bytes.count) sent)",
                        address: address.description, bytesWritten: written)
                }
                try? await Task.sleep(for: pause)
            }
            let delivery = session.receive(Array(bytes[written..<end]))
            written += delivery.acceptedBytes
            state.withLock { $0.inbox += delivery.replies }
            if delivery.closeConnection {
                state.withLock { $0.dropped = true }
                throw TransportError(
                    .disconnected, "the printer dropped the connection", address: address.description, bytesWritten: written)
            }
        }
    }

    public func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8] {
        try checkUsable()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: max(timeout, .zero))
        while true {
            let (bytes, dropped) = state.withLock { ($0.inbox, $0.dropped) }
            if isComplete(bytes) || clock.now >= deadline {
                state.withLock { $0.inbox.removeFirst(min(bytes.count, $0.inbox.count)) }
                return bytes
            }
            if dropped {
                throw TransportError(.disconnected, "the printer dropped the connection", address: address.description)
            }
            // Replies are produced while writing; another task may still be writing.
            try? await Task.sleep(for: min(.milliseconds(5), clock.now.duration(to: deadline)))
        }
    }

    public func close() async {
        let wasClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        if !wasClosed { session.close() }
    }

    private func checkUsable() throws(TransportError) {
        let (closed, dropped) = state.withLock { ($0.closed, $0.dropped) }
        if closed { throw TransportError(.disconnected, "the connection was closed", address: address.description) }
        if dropped { throw TransportError(.disconnected, "the printer dropped the connection", address: address.description) }
    }
}
