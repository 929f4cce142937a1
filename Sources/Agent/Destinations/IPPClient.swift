public import AsyncHTTPClient
import Foundation
public import LanyardSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import Printers

/// An IPP client for one office printer (RFC 8011 operations over HTTP, RFC 8010 encoding), for
/// sending a badge as a PDF when the thermal printers are down and following the job until the
/// printer reports it done.
///
/// Every failure is an `IPPError` whose `requestMayHaveArrived` tells a caller whether a
/// Print-Job can be sent again as is (`ipp.unreachable`: it never left) or whether the queue has
/// to be searched by job-name first (`jobs(named:)`), so that a badge is not printed twice.
public struct IPPClient: Sendable {
    /// The printer's `ipp://` or `ipps://` URI, sent as printer-uri in every request.
    public let printerURI: String
    /// The `http://` or `https://` URL the requests are posted to.
    public let endpoint: String
    let httpClient: HTTPClient

    /// Each request is sent on a fresh connection with an IPP/2.0 header first (falling back to
    /// 1.1 for a printer that refuses 2.0). `httpClient` defaults to one that verifies an `ipps`
    /// printer's certificate; `trustingAnyCertificate` reaches the many office printers whose
    /// certificate is self-signed.
    public init(printerURI: String, httpClient: HTTPClient = IPPClient.sharedHTTPClient) throws(IPPError) {
        self.printerURI = printerURI
        self.endpoint = try Self.endpoint(of: printerURI)
        self.httpClient = httpClient
    }

    /// The attributes `printerAttributes()` asks for: those `IPPPrinterDescription` reads.
    public static let describedPrinterAttributes = [
        "printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs", "document-format-supported",
        "printer-make-and-model", "printer-name", "printer-info", "printer-location",
    ]

    /// The job attributes `IPPJobStatus` reads.
    static let describedJobAttributes = ["job-id", "job-uri", "job-name", "job-state", "job-state-reasons", "job-state-message"]

    /// Get-Printer-Attributes: the printer's state, whether it accepts jobs, the formats it takes.
    /// `requested` may add attributes (they land in `attributes`) or be `["all"]`.
    public func printerAttributes(
        requested: [String] = IPPClient.describedPrinterAttributes, timeout: Duration = .seconds(10)
    ) async throws(IPPError) -> IPPPrinterDescription {
        let operation = operationAttributes(userName: nil) + [IPPAttribute("requested-attributes", requested.map(IPPValue.keyword))]
        let response = try await send(.getPrinterAttributes, [IPPAttributeGroup(.operation, operation)], timeout: timeout)
        guard let printer = response.group(.printer) else {
            throw IPPError(.malformed, "the printer's Get-Printer-Attributes answer has no printer attributes", context: printerURI)
        }
        return try IPPPrinterDescription(printer)
    }

    /// Print-Job: sends `document` (of MIME type `format`, e.g. `application/pdf`) as one job
    /// named `jobName`, which is what an operator sees in the printer's queue and what
    /// `jobs(named:)` finds it by. Returns the job the printer created (its id, job-uri, state).
    public func printJob(
        document: [UInt8], format: String, jobName: String, userName: String, timeout: Duration = .seconds(60)
    ) async throws(IPPError) -> IPPJobStatus {
        let operation =
            operationAttributes(userName: userName) + [
                IPPAttribute("job-name", .name(jobName)), IPPAttribute("document-format", .mimeMediaType(format)),
            ]
        let response = try await send(.printJob, [IPPAttributeGroup(.operation, operation)], data: document, timeout: timeout)
        guard let job = response.group(.job) else {
            throw IPPError(.malformed, "the printer accepted the Print-Job but sent no job attributes", context: printerURI)
        }
        return try IPPJobStatus(job)
    }

    /// Get-Job-Attributes: where the job is (pending, processing, completed…) and why.
    public func jobStatus(id: Int32, timeout: Duration = .seconds(10)) async throws(IPPError) -> IPPJobStatus {
        let operation =
            operationAttributes(userName: nil) + [
                IPPAttribute("job-id", .integer(id)),
                IPPAttribute("requested-attributes", Self.describedJobAttributes.map(IPPValue.keyword)),
            ]
        let response = try await send(.getJobAttributes, [IPPAttributeGroup(.operation, operation)], timeout: timeout)
        guard let job = response.group(.job) else {
            throw IPPError(.malformed, "the printer's Get-Job-Attributes answer for job \(id) has no job attributes", context: printerURI)
        }
        return try IPPJobStatus(job)
    }

    /// Get-Jobs: the printer's jobs, finished or not, named `jobName`. After a Print-Job whose
    /// answer was lost, an empty list means the job was not created and can be sent again.
    /// A printer that does not know which-jobs `all` (PWG 5100.7) is asked for its completed and
    /// its not-completed jobs in turn. A printer forgets finished jobs after a while, so an old
    /// job may be absent.
    public func jobs(named jobName: String, timeout: Duration = .seconds(10)) async throws(IPPError) -> [IPPJobStatus] {
        let allJobs = try await jobs(which: "all", timeout: timeout)
        let found =
            if let allJobs {
                allJobs
            } else {
                (try await jobs(which: "completed", timeout: timeout) ?? [])
                    + (try await jobs(which: "not-completed", timeout: timeout) ?? [])
            }
        return found.filter { $0.name == jobName }
    }

    /// One Get-Jobs request; nil when the printer does not support that which-jobs value.
    func jobs(which: String, timeout: Duration) async throws(IPPError) -> [IPPJobStatus]? {
        let operation =
            operationAttributes(userName: nil) + [
                IPPAttribute("which-jobs", .keyword(which)),
                IPPAttribute("requested-attributes", Self.describedJobAttributes.map(IPPValue.keyword)),
            ]
        let response: IPPMessage
        switch await result({ () async throws(IPPError) in
            try await send(.getJobs, [IPPAttributeGroup(.operation, operation)], timeout: timeout)
        }) {
        case .success(let answer): response = answer
        case .failure(let error) where error.ippStatus?.status == .clientErrorAttributesOrValuesNotSupported: return nil
        case .failure(let error): throw error
        }
        // A printer may ignore the value instead of refusing it (successful-ok-ignored-or-substituted-attributes).
        if response.group(.unsupported)?["which-jobs"] != nil { return nil }
        var found: [IPPJobStatus] = []
        for group in response.groups(.job) { found.append(try IPPJobStatus(group)) }
        return found
    }

    // MARK: - Requests

    /// attributes-charset and attributes-natural-language come first, then printer-uri
    /// (RFC 8011 §4.1.4–4.1.5).
    func operationAttributes(userName: String?) -> [IPPAttribute] {
        var attributes = [
            IPPAttribute("attributes-charset", .charset("utf-8")), IPPAttribute("attributes-natural-language", .naturalLanguage("en")),
            IPPAttribute("printer-uri", .uri(printerURI)),
        ]
        if let userName { attributes.append(IPPAttribute("requesting-user-name", .name(userName))) }
        return attributes
    }

    /// Sends one request and returns the printer's answer when its status is successful. A printer
    /// that refuses IPP/2.0 (server-error-version-not-supported) did not act on the request, so it
    /// is sent again as IPP/1.1.
    public func send(
        _ operation: IPPOperation, _ groups: [IPPAttributeGroup], data: [UInt8] = [], timeout: Duration
    ) async throws(IPPError) -> IPPMessage {
        var version = IPPVersion.v2_0
        while true {
            let request = IPPMessage(
                version: version, operation: operation, requestID: Int32.random(in: 1...Int32.max), groups: groups, data: data)
            let response = try await exchange(request, timeout: timeout)
            guard response.status.isSuccessful else {
                if response.status == .serverErrorVersionNotSupported, version == .v2_0 {
                    version = .v1_1
                    continue
                }
                let message = response.group(.operation)?["status-message"]?.value?.string
                throw IPPError(
                    .status, "the printer refused the \(Self.name(of: operation)) request", context: printerURI,
                    facts: IPPStatusFacts(status: response.status, statusMessage: message))
            }
            return response
        }
    }

    /// The largest answer read: a Get-Printer-Attributes answer with `all` and media-col-database
    /// is tens of kilobytes.
    static let maximumResponseBytes = 16 << 20

    /// POSTs the request and decodes the answer, whatever its status.
    func exchange(_ request: IPPMessage, timeout: Duration) async throws(IPPError) -> IPPMessage {
        let body = try request.encoded()
        var httpRequest = HTTPClientRequest(url: endpoint)
        httpRequest.method = .POST
        httpRequest.headers.add(name: "Content-Type", value: "application/ipp")
        // A fresh connection per request: a kept-alive one the printer closed meanwhile would fail
        // the next request in a way that cannot tell whether it was received.
        httpRequest.headers.add(name: "Connection", value: "close")
        httpRequest.body = .bytes(ByteBuffer(bytes: body))
        let client = httpClient
        let deadline = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        // Failures are kept as values and handled after the `do`: no `await` runs in a `catch`.
        let answer: Result<(HTTPResponseStatus, ByteBuffer), any Error> = await result { () async throws(any Error) in
            let response = try await client.execute(httpRequest, timeout: deadline)
            return (response.status, try await response.body.collect(upTo: Self.maximumResponseBytes))
        }
        switch answer {
        case .failure(let error): throw failure(error, timeout: timeout)
        case .success((let status, let bytes)):
            guard status == .ok else {
                throw IPPError(
                    .noAnswer, "the printer answered HTTP \(status.code) \(status.reasonPhrase), not an IPP message", context: printerURI)
            }
            let response = try IPPMessage.decode(Array(buffer: bytes))
            guard response.requestID == request.requestID else {
                throw IPPError(
                    .malformed, "the printer answered request \(response.requestID), not \(request.requestID)", context: printerURI)
            }
            return response
        }
    }

    /// An HTTP client error as an IPP failure, split by whether the request can have left.
    func failure(_ error: any Error, timeout: Duration) -> IPPError {
        if DeliveryFailure.failedBeforeSending(error) {
            return IPPError(.unreachable, "could not connect to the printer", context: printerURI, underlying: error)
        }
        if let httpError = error as? HTTPClientError, httpError == .deadlineExceeded {
            return IPPError(.noAnswer, "the printer did not answer within \(timeout)", context: printerURI, underlying: error)
        }
        return IPPError(
            .noAnswer, "the exchange with the printer failed after the request was sent", context: printerURI, underlying: error)
    }

    static func name(of operation: IPPOperation) -> String {
        switch operation {
        case .printJob: "Print-Job"
        case .getJobAttributes: "Get-Job-Attributes"
        case .getJobs: "Get-Jobs"
        case .getPrinterAttributes: "Get-Printer-Attributes"
        default: "operation \(operation.rawValue)"
        }
    }

    // MARK: - Addresses and HTTP clients

    /// `ipp://host[:port]/path` as `http://host:port/path`, `ipps://` as `https://`; both default
    /// to port 631 (RFC 8010 §8.1, RFC 7472 §4.3).
    static func endpoint(of printerURI: String) throws(IPPError) -> String {
        guard let components = URLComponents(string: printerURI), let scheme = components.scheme?.lowercased(),
            scheme == "ipp" || scheme == "ipps", let host = components.host, !host.isEmpty
        else {
            throw IPPError(.invalidURI, "not an ipp:// or ipps:// printer address with a host", context: printerURI)
        }
        guard components.user == nil, components.query == nil, components.fragment == nil else {
            throw IPPError(.invalidURI, "a printer address has no user, query or fragment", context: printerURI)
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return "\(scheme == "ipps" ? "https" : "http")://\(hostPart):\(components.port ?? 631)\(path)"
    }

    /// The process-wide client: one attempt to connect (a printer that is down fails at once,
    /// as `ipp.unreachable`, instead of being retried until the deadline), 5 seconds to connect,
    /// 30 seconds of silence before a read fails. Never shut down, like `HTTPClient.shared`.
    public static let sharedHTTPClient = makeHTTPClient(verifyingCertificates: true)

    /// The same, accepting any certificate from an `ipps` printer: office printers mostly serve a
    /// self-signed one. The connection is encrypted but the printer not authenticated.
    public static let trustingAnyCertificate = makeHTTPClient(verifyingCertificates: false)

    static func makeHTTPClient(verifyingCertificates: Bool) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        if !verifyingCertificates {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }
}

/// Runs `body` and keeps its failure as a value, so that the caller handles it in a `switch` and
/// never awaits inside a `catch` (which Swift 6.3 miscompiles in release builds).
func result<Success, Failure: Error>(_ body: () async throws(Failure) -> Success) async -> Result<Success, Failure> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
