public import LanyardSupport

/// The operations the agent sends (RFC 8011 §5.2–5.3).
public struct IPPOperation: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let printJob = IPPOperation(rawValue: 0x0002)
    public static let getJobAttributes = IPPOperation(rawValue: 0x0009)
    public static let getJobs = IPPOperation(rawValue: 0x000A)
    public static let getPrinterAttributes = IPPOperation(rawValue: 0x000B)
}

/// A response's status-code (RFC 8011 §B.1). A struct: printers send codes from later
/// specifications too, and an unnamed code is still a code.
public struct IPPStatusCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let successfulOK = IPPStatusCode(rawValue: 0x0000)
    public static let clientErrorDocumentFormatNotSupported = IPPStatusCode(rawValue: 0x040A)
    public static let clientErrorAttributesOrValuesNotSupported = IPPStatusCode(rawValue: 0x040B)
    public static let serverErrorVersionNotSupported = IPPStatusCode(rawValue: 0x0503)
    public static let serverErrorBusy = IPPStatusCode(rawValue: 0x0507)

    /// 0x0000–0x00FF: the operation was carried out, perhaps with attributes ignored or
    /// substituted.
    public var isSuccessful: Bool { rawValue <= 0x00FF }

    /// The keyword RFC 8011 gives the code, when it is one of its own.
    public var keyword: String? { Self.keywords[rawValue] }

    /// `client-error-not-found (0x0406)`.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        let code = "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return keyword.map { "\($0) (\(code))" } ?? code
    }

    static let keywords: [UInt16: String] = [
        0x0000: "successful-ok", 0x0001: "successful-ok-ignored-or-substituted-attributes",
        0x0002: "successful-ok-conflicting-attributes",
        0x0400: "client-error-bad-request", 0x0401: "client-error-forbidden", 0x0402: "client-error-not-authenticated",
        0x0403: "client-error-not-authorized", 0x0404: "client-error-not-possible", 0x0405: "client-error-timeout",
        0x0406: "client-error-not-found", 0x0407: "client-error-gone", 0x0408: "client-error-request-entity-too-large",
        0x0409: "client-error-request-value-too-long", 0x040A: "client-error-document-format-not-supported",
        0x040B: "client-error-attributes-or-values-not-supported", 0x040C: "client-error-uri-scheme-not-supported",
        0x040D: "client-error-charset-not-supported", 0x040E: "client-error-conflicting-attributes",
        0x040F: "client-error-compression-not-supported", 0x0410: "client-error-compression-error",
        0x0411: "client-error-document-format-error", 0x0412: "client-error-document-access-error",
        0x0500: "server-error-internal-error", 0x0501: "server-error-operation-not-supported",
        0x0502: "server-error-service-unavailable", 0x0503: "server-error-version-not-supported", 0x0504: "server-error-device-error",
        0x0505: "server-error-temporary-error", 0x0506: "server-error-not-accepting-jobs", 0x0507: "server-error-busy",
        0x0508: "server-error-job-canceled", 0x0509: "server-error-multiple-document-jobs-not-supported",
    ]
}

/// printer-state (RFC 8011 §5.4.11).
public enum IPPPrinterState: Int32, Sendable, CaseIterable {
    case idle = 3
    case processing = 4
    case stopped = 5
}

/// job-state (RFC 8011 §5.3.7).
public enum IPPJobState: Int32, Sendable, CaseIterable {
    case pending = 3
    /// Not a candidate for printing until released (job-hold-until, or held for an operator).
    case held = 4
    case processing = 5
    /// Processing stopped by the printer, typically for an error it reports in the printer's state
    /// reasons (paper out); the job resumes when it is fixed.
    case stopped = 6
    case canceled = 7
    case aborted = 8
    case completed = 9

    /// Canceled, aborted or completed: the printer will do nothing more with the job.
    public var isTerminal: Bool { rawValue >= IPPJobState.canceled.rawValue }
}

/// What the agent asks of a printer's Get-Printer-Attributes answer.
public struct IPPPrinterDescription: Sendable, Equatable {
    public var state: IPPPrinterState
    /// `none`, or keywords such as `media-empty-error`, `paused`.
    public var stateReasons: [String]
    public var stateMessage: String?
    public var isAcceptingJobs: Bool
    /// MIME types such as `application/pdf`.
    public var documentFormats: [String]
    public var makeAndModel: String?
    public var name: String?
    public var info: String?
    public var location: String?
    /// The whole printer group, for anything else the printer said.
    public var attributes: IPPAttributeGroup

    /// Reads the printer group of an answer. printer-state and printer-is-accepting-jobs are
    /// REQUIRED (RFC 8011 §5.4); without them the answer is `ipp.malformed`.
    public init(_ group: IPPAttributeGroup) throws(IPPError) {
        guard let stateNumber = group["printer-state"]?.value?.integer else {
            throw IPPError(.malformed, "the printer's answer has no printer-state", context: "printer-state")
        }
        guard let state = IPPPrinterState(rawValue: stateNumber) else {
            throw IPPError(
                .malformed, "printer-state \(stateNumber) is not idle (3), processing (4) or stopped (5)", context: "printer-state")
        }
        guard let accepting = group["printer-is-accepting-jobs"]?.value?.boolean else {
            throw IPPError(.malformed, "the printer's answer has no printer-is-accepting-jobs", context: "printer-is-accepting-jobs")
        }
        self.state = state
        self.isAcceptingJobs = accepting
        stateReasons = group["printer-state-reasons"]?.values.compactMap(\.string) ?? []
        stateMessage = group["printer-state-message"]?.value?.string
        documentFormats = group["document-format-supported"]?.values.compactMap(\.string) ?? []
        makeAndModel = group["printer-make-and-model"]?.value?.string
        name = group["printer-name"]?.value?.string
        info = group["printer-info"]?.value?.string
        location = group["printer-location"]?.value?.string
        attributes = group
    }
}

/// A job as a printer describes it in a job group (Print-Job, Get-Job-Attributes, Get-Jobs).
public struct IPPJobStatus: Sendable, Equatable {
    public var id: Int32
    /// job-uri, in Print-Job answers (and wherever the printer adds it).
    public var uri: String?
    /// job-name: the agent sends the job's idempotency key there.
    public var name: String?
    public var state: IPPJobState
    /// `none`, or keywords such as `job-completed-successfully`, `job-canceled-by-user`.
    public var stateReasons: [String]
    public var stateMessage: String?

    public var isTerminal: Bool { state.isTerminal }

    public init(
        id: Int32, uri: String? = nil, name: String? = nil, state: IPPJobState, stateReasons: [String] = [], stateMessage: String? = nil
    ) {
        self.id = id
        self.uri = uri
        self.name = name
        self.state = state
        self.stateReasons = stateReasons
        self.stateMessage = stateMessage
    }

    /// Reads a job group; job-id and job-state are required.
    public init(_ group: IPPAttributeGroup) throws(IPPError) {
        guard let id = group["job-id"]?.value?.integer else {
            throw IPPError(.malformed, "the printer's answer has no job-id", context: "job-id")
        }
        guard let stateNumber = group["job-state"]?.value?.integer else {
            throw IPPError(.malformed, "the printer's answer has no job-state for job \(id)", context: "job-state")
        }
        guard let state = IPPJobState(rawValue: stateNumber) else {
            throw IPPError(.malformed, "job-state \(stateNumber) of job \(id) is not one of 3 to 9", context: "job-state")
        }
        self.init(
            id: id, uri: group["job-uri"]?.value?.string, name: group["job-name"]?.value?.string, state: state,
            stateReasons: group["job-state-reasons"]?.values.compactMap(\.string) ?? [],
            stateMessage: group["job-state-message"]?.value?.string)
    }
}
