/// A USB connection can also report the printer class's one-byte port status, the only reading
/// some printers give when their language channel is silent.
public protocol PortStatusReporting: Sendable {
    func portStatus(timeout: Duration) async throws(TransportError) -> UInt8
}

/// One printer as the commands and the agent use it: an open connection, the profile it was
/// matched to and the language it is driven in. It sends jobs and control commands and reads
/// status; it does not decide what to do about a status (the caller pauses, retries or reports).
public final class PrinterClient: Sendable {
    public let connection: any PrinterConnection
    public let profile: PrinterProfile
    public let language: PrinterLanguage
    /// How long one status query may take. Silence within it is an answer too (§4.1: a ZPL
    /// printer does not answer `~HS` with its media out).
    public let queryTimeout: Duration
    /// `queryTimeout` unless another is given; the resolver waits for a `~HI` answer no longer.
    public static let defaultQueryTimeout: Duration = .milliseconds(800)

    public init(
        connection: any PrinterConnection, profile: PrinterProfile, language: PrinterLanguage? = nil,
        queryTimeout: Duration = defaultQueryTimeout
    ) {
        self.connection = connection
        self.profile = profile
        self.language = language ?? profile.rasterLanguage ?? .zpl
        self.queryTimeout = queryTimeout
    }

    /// Asks the printer how it is. A write-only transport cannot know: `.unknown`, with that reason.
    public func status() async throws(TransportError) -> StatusReading {
        guard connection.canRead else {
            return StatusReading(
                status: .unknown, answered: [],
                problems: [
                    StatusParseError(.empty, "\(connection.address) is write-only; the printer's state cannot be read", field: "transport")
                ])
        }
        let poll = StatusPoll(language: language, profile: profile)
        var replies: [StatusQuery: [UInt8]] = [:]
        for query in poll.queries {
            replies[query] = try await ask(query)
        }
        var port: USBPortStatus?
        if replies.values.allSatisfy(\.isEmpty), let reporter = connection as? any PortStatusReporting {
            port = try? USBPortStatus.parse([try await reporter.portStatus(timeout: queryTimeout)])
        }
        return poll.merge(replies, portStatus: port)
    }

    /// Model, firmware and resolution as the printer states them (`~HI`), or nil when it does not
    /// answer in time or the answer cannot be read.
    public func identification() async throws(TransportError) -> PrinterIdentification? {
        guard connection.canRead, language == .zpl else { return nil }
        let reply = try await ask(.zplHostIdentification)
        return try? PrinterIdentification.parse(reply)
    }

    /// Sends one query and reads its reply; bytes left over from an earlier, late reply are
    /// drained first so they are not taken for this one.
    public func ask(_ query: StatusQuery) async throws(TransportError) -> [UInt8] {
        try await Self.ask(query, over: connection, timeout: queryTimeout)
    }

    /// `ask(_:)` before there is a client: the resolver asks a network printer's `~HI` to choose
    /// the profile a client is made with.
    static func ask(
        _ query: StatusQuery, over connection: any PrinterConnection, timeout: Duration
    ) async throws(TransportError)
        -> [UInt8]
    {
        // A zero timeout takes what is already buffered without waiting; libusb has no such
        // call (its zero means "wait forever"), so USB drains with the shortest real transfer.
        let drain: Duration = connection is USBPrinterConnection ? .milliseconds(1) : .zero
        _ = try await connection.read(timeout: drain) { _ in false }
        try await connection.write(query.bytes, timeout: timeout)
        return try await connection.read(timeout: timeout, until: query.completion)
    }

    /// Sends a whole job; the transport writes every byte or throws.
    public func send(job bytes: [UInt8], timeout: Duration = .seconds(30)) async throws(TransportError) {
        try await connection.write(bytes, timeout: timeout)
    }

    /// Sends a control command (settings, calibration, configuration label).
    public func send(_ command: ControlCommand, timeout: Duration = .seconds(10)) async throws(TransportError) {
        try await connection.write(command.bytes, timeout: timeout)
    }

    public func close() async { await connection.close() }
}

extension USBPrinterConnection: PortStatusReporting {}
