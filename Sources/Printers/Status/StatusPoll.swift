public import LanyardSupport

/// Which status queries to send a printer in its language, and how their replies become one
/// `PrinterStatus`.
///
/// ZPL: `~HS` then `~HQES`. A ZPL printer does not answer `~HS` in media out, ribbon out, head
/// open, rewinder full or head over temperature (reference §4.1), so an empty `~HS` reply is a
/// signal, not a verdict: the `~HQES` reply that follows decides. With both readable, the two
/// are merged (conditions add up, names are listed once). A profile with the `no-hqes` quirk is
/// polled with `~HS` alone. EPL: `^ee`.
///
/// Total silence, or only unreadable replies, is `.unknown`, never `.ready`. The USB port status
/// byte, when given, is consulted only then, and can add paper-out, off-line or fault to the
/// unknown state but never turn it into ready (its bits are unverified on Zebra firmware).
public struct StatusPoll: Sendable, Equatable {
    public let language: PrinterLanguage
    /// In the order to send them; send one, read its reply, then the next.
    public let queries: [StatusQuery]

    public init(language: PrinterLanguage, profile: PrinterProfile? = nil) {
        self.language = language
        switch language {
        case .zpl:
            queries = profile?.has(.noExtendedStatus) == true ? [.zplHostStatus] : [.zplHostStatus, .zplExtendedStatus]
        case .epl:
            queries = [.eplErrorReport]
        }
    }

    /// The query that identifies the printer (model, firmware, resolution) in this language.
    public var identificationQuery: StatusQuery {
        switch language {
        case .zpl: .zplHostIdentification
        case .epl: .eplConfiguration
        }
    }

    /// Merges the replies to `queries` (a missing entry counts as silence).
    public func merge(_ replies: [StatusQuery: [UInt8]], portStatus: USBPortStatus? = nil) -> StatusReading {
        var readings: [PrinterStatus] = []
        var answered: [StatusQuery] = []
        var problems: [StatusParseError] = []
        for query in queries {
            let reply = replies[query] ?? []
            do {
                readings.append(try Self.status(of: reply, for: query))
                answered.append(query)
            } catch {
                problems.append(Self.explained(error, for: query))
            }
        }
        var status: PrinterStatus
        if let first = readings.first {
            status = readings.dropFirst().reduce(first) { $0.merged(with: $1) }
        } else {
            status = .unknown
            if let portStatus { status = status.merged(with: portStatus.printerStatus) }
        }
        return StatusReading(status: status, answered: answered, problems: problems)
    }

    /// One reply as a status reading; only the status queries have one.
    static func status(of reply: [UInt8], for query: StatusQuery) throws(StatusParseError) -> PrinterStatus {
        switch query {
        case .zplHostStatus: try HostStatus.parse(reply).printerStatus
        case .zplExtendedStatus: try ExtendedStatus.parse(reply).printerStatus
        case .eplErrorReport: try EPLErrorReport.parse(reply).printerStatus
        case .zplHostIdentification, .eplConfiguration:
            throw StatusParseError(.invalidField, "\(query) identifies the printer; it does not report status", field: query.rawValue)
        }
    }

    /// Silence after `~HS` has a documented meaning; say it where the reading is logged.
    private static func explained(_ error: StatusParseError, for query: StatusQuery) -> StatusParseError {
        guard error.code == .empty, query == .zplHostStatus else { return error }
        return StatusParseError(
            .empty,
            "no reply to ~HS; ZPL printers stay silent in media out, ribbon out, head open, rewinder full and head over temperature",
            field: error.field, offset: error.offset, excerpt: error.excerpt)
    }
}

/// The outcome of one status poll.
public struct StatusReading: Sendable, Equatable {
    public var status: PrinterStatus
    /// Queries whose replies were read.
    public var answered: [StatusQuery]
    /// Why the other replies were not (silence is `printers.status_empty`).
    public var problems: [StatusParseError]

    public init(status: PrinterStatus, answered: [StatusQuery], problems: [StatusParseError]) {
        self.status = status
        self.answered = answered
        self.problems = problems
    }
}
