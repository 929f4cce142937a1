import Foundation
public import HTTPTypes
public import Hummingbird
import LanyardSupport

/// The one shape of a refused request, for the agent's API and the registry's alike:
/// `{"error": {"code", "message", "detail"?, "correlation_id"}}` (docs/openapi.yaml and
/// docs/registry-openapi.yaml, `Problem`). Decoded by clients and tests from the same type.
public struct Problem: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var detail: String?
        public var correlationID: String

        public init(code: String, message: String, detail: String?, correlationID: String) {
            self.code = code
            self.message = message
            self.detail = detail
            self.correlationID = correlationID
        }

        enum CodingKeys: String, CodingKey {
            case code, message, detail, correlationID = "correlation_id"
        }
    }

    public var error: Body

    public init(error: Body) { self.error = error }
}

/// An error whose refusal tells the client when to come back (HTTP 429 or 503 with `Retry-After`).
public protocol RetryLater: Error {
    var retryAfterSeconds: Int { get }
}

/// How both servers answer: every request gets a correlation id (the client's own when usable,
/// else a new one; `CorrelationMiddleware`), echoed in `X-Correlation-ID` and in every problem;
/// every error becomes a problem with its own HTTP status (`LanyardError.httpStatus`). A body
/// that does not decode is the client's mistake (400); any other error is the server's (500),
/// never a 4xx.
public enum APIResponder {
    public static let correlationHeader = HTTPField.Name("X-Correlation-ID")!

    /// The request's own id when it sent a usable one (1 to 100 characters), else a new one: an
    /// empty id would correlate nothing in the logs.
    public static func correlationID(_ request: Request) -> String {
        guard let given = request.headers[correlationHeader], !given.isEmpty, given.count <= 100 else {
            return UUID().uuidString.lowercased()
        }
        return given
    }

    public static func problem(for error: any Error, correlation: String, realm: String) -> Response {
        var response: Response
        switch error {
        case let error as any LanyardError:
            response = problem(
                HTTPResponse.Status(code: error.httpStatus), code: error.errorCode, message: error.message,
                detail: error.context, correlation: correlation)
        case let error as HTTPError:
            response = problem(
                error.status, code: "http.\(error.status.code)", message: error.body ?? error.status.reasonPhrase,
                detail: nil, correlation: correlation)
        case let error as DecodingError:
            response = problem(
                .badRequest, code: "http.400", message: "the request body does not decode: \(error)", detail: nil,
                correlation: correlation)
        default:
            response = problem(.internalServerError, code: "internal", message: "\(error)", detail: nil, correlation: correlation)
        }
        if let later = error as? any RetryLater {
            response.headers[.retryAfter] = "\(later.retryAfterSeconds)"
        } else if response.status == .tooManyRequests {
            response.headers[.retryAfter] = "2"
        }
        if response.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"\(realm)\"" }
        return response
    }

    public static func problem(
        _ status: HTTPResponse.Status, code: String, message: String, detail: String?, correlation: String
    ) -> Response {
        // A refusal is about this request: no cache may answer a later one with it.
        json(
            status, Problem(error: .init(code: code, message: message, detail: detail, correlationID: correlation)),
            headers: [.cacheControl: "no-store"])
    }

    /// A JSON response of a Codable value: keys sorted, slashes as they are.
    public static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
