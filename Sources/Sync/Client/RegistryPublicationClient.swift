public import AsyncHTTPClient
public import Foundation
public import LanyardSupport
import NIOCore
import NIOHTTP1

/// Sends a publication to the registry server (`POST /v1/publications`) with a publisher token
/// and the reason the audit log keeps: how central operations publish to a fleet's registry from
/// their own machine, without its keys or a shell on its host.
public struct RegistryPublicationClient: Sendable {
    public let serverURL: String
    public let token: String
    public let client: HTTPClient
    /// The catalogs of codes the server's problems may carry, so each maps to its own exit status.
    public let codes: [any ErrorCode.Type]

    /// The publication's bytes, base64 in JSON, are at most what the server takes.
    public static let maximumRequestBytes = 64 << 20
    /// The server signs and writes while the client waits, after any publication ahead of it.
    static let timeout: TimeAmount = .minutes(10)

    public init(
        serverURL: String, token: String, client: HTTPClient = RegistryHTTPClient.publishing,
        codes: [any ErrorCode.Type] = [SyncErrorCode.self]
    ) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.token = token
        self.client = client
        self.codes = codes
    }

    /// Sends `publication`; the server's refusal is a `RegistryProblem`, a server that cannot be
    /// reached or answers something else a `SyncError` (`sync.transport`).
    public func send(_ publication: PublicationRequest, reason: String) async throws -> PublicationResult {
        let body = WireJSON.encode(publication)
        guard body.count <= Self.maximumRequestBytes else {
            throw SyncError(
                .targetInvalid, "the release is \(body.count) bytes as JSON; the registry takes at most \(Self.maximumRequestBytes)",
                subject: publication.target)
        }
        let url = "\(serverURL)/v1/publications"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Lanyard-Reason", value: Self.headerValue(reason))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await client.execute(request, timeout: Self.timeout)
            answer = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw SyncError(.transport, "the registry server cannot be reached", subject: url, underlying: error)
        }
        let data = Data(answer.readableBytesView)
        guard response.status.code == 200 else {
            throw RegistryProblem(status: Int(response.status.code), body: data, codes: codes)
                ?? SyncError(
                    .transport, "the registry server answered HTTP \(response.status.code)", subject: url,
                    cause: String(decoding: data.prefix(300), as: UTF8.self))
        }
        do { return try WireJSON.decoder.decode(PublicationResult.self, from: data) } catch {
            throw SyncError(.transport, "the registry server's answer does not decode", subject: url, underlying: error)
        }
    }

    /// The reason as a header value: HTTP carries visible ASCII and spaces, so anything else
    /// (and `%` itself) is percent-encoded, which the server decodes.
    static func headerValue(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: Unicode.Scalar(0x20)...Unicode.Scalar(0x7E))
        allowed.remove("%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A refusal the registry server answered with its problem document (`{"error": {"code",
/// "message", "detail", "correlation_id"}}`), as the command line reports it: the server's own
/// code and message, and the exit status that code has in its catalog.
public struct RegistryProblem: LanyardError, Equatable {
    public let status: Int
    public let errorCode: String
    public let message: String
    public let context: String?
    public let correlationID: String?
    public let exitStatus: ExitStatus

    public var httpStatus: Int { status }

    public var description: String {
        var text = "\(errorCode): \(message)"
        if let context { text += " (\(context))" }
        text += " [HTTP \(status)\(correlationID.map { ", correlation id \($0)" } ?? "")]"
        return text
    }

    /// The problem in `body`, or nil when the body is not one (a proxy's error page).
    public init?(status: Int, body: Data, codes: [any ErrorCode.Type]) {
        struct Document: Decodable {
            struct Body: Decodable {
                var code: String
                var message: String
                var detail: String?
                var correlationID: String?

                enum CodingKeys: String, CodingKey {
                    case code, message, detail, correlationID = "correlation_id"
                }
            }
            var error: Body
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: body) else { return nil }
        self.status = status
        errorCode = document.error.code
        message = document.error.message
        context = document.error.detail
        correlationID = document.error.correlationID
        exitStatus = codes.lazy.compactMap { Self.exitStatus(of: document.error.code, in: $0) }.first ?? Self.exitStatus(status: status)
    }

    private static func exitStatus<Code: ErrorCode>(of code: String, in catalog: Code.Type) -> ExitStatus? {
        Code(rawValue: code)?.exitStatus
    }

    /// For a code no catalog knows: what its HTTP status says of it.
    static func exitStatus(status: Int) -> ExitStatus {
        switch status {
        case 400, 409, 413, 422: .usage
        case 401, 403: .noPermission
        case 404: .inputMissing
        case 502, 503, 504: .unavailable
        default: .internalError
        }
    }
}
