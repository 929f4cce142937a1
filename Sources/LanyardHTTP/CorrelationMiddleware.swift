public import Hummingbird
import Logging
public import NIOCore

/// The request context of both servers: Hummingbird's core storage, the request's correlation
/// id, which every log line, job and problem of the request carries, and the address of the
/// connection's peer.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `CorrelationMiddleware` before any route runs.
    public var correlationID: String
    /// The peer of the connection the request came on, as the socket has it (nil over a unix
    /// socket): what an address allowlist trusts, unlike a forwarding header anyone can write.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        correlationID = ""
        remoteAddress = source.channel.remoteAddress
    }
}

/// Gives every request its correlation id (`APIResponder.correlationID`), echoes it in
/// `X-Correlation-ID`, and turns whatever a route throws into a `ProblemError`, so both servers
/// answer every failure, an unknown path included, with the same problem document.
public struct CorrelationMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    /// The bearer realm every 401 announces (RFC 9110, 15.5.2).
    let realm: String

    public init(realm: String) { self.realm = realm }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let correlation = APIResponder.correlationID(request)
        context.correlationID = correlation
        context.logger[metadataKey: "correlation_id"] = .string(correlation)
        do {
            var response = try await next(request, context)
            response.headers[APIResponder.correlationHeader] = correlation
            return response
        } catch let error as ProblemError {
            throw error
        } catch {
            throw ProblemError(error, correlationID: correlation, realm: realm)
        }
    }
}

/// Any failure as the problem document the client gets: the one error type both servers throw
/// to Hummingbird, which answers with `response(from:context:)`.
public struct ProblemError: HTTPResponseError {
    public let underlying: any Error
    public let correlationID: String
    let realm: String

    public init(_ underlying: any Error, correlationID: String, realm: String) {
        self.underlying = underlying
        self.correlationID = correlationID
        self.realm = realm
    }

    public var status: HTTPResponse.Status { response.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    private var response: Response {
        var response = APIResponder.problem(for: underlying, correlation: correlationID, realm: realm)
        response.headers[APIResponder.correlationHeader] = correlationID
        return response
    }
}
