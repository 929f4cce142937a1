import Foundation
import HTTPTypes
import Hummingbird
import Sync

/// How the API answers: JSON bodies, problems with a code and the correlation id, tokens.
extension RegistryAPI {
    /// Runs a handler with a correlation id and turns every error into a JSON problem.
    static func handle(_ request: Request, _ body: (String) async throws -> Response) async -> Response {
        let correlation = correlationID(request)
        var response: Response
        do {
            response = try await body(correlation)
        } catch let error as RegistryError {
            response = problem(status(of: error.code), code: error.code.rawValue, message: error.message, detail: error.detail,
                               correlation: correlation)
            // Every 401 names its scheme (RFC 9110, 15.5.2), a refused report signature included:
            // the endpoints that answer one take a bearer token.
            if response.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"lanyard-registry\"" }
        } catch let error as SyncError {
            response = problem(.internalServerError, code: error.code.rawValue, message: error.message, detail: error.subject,
                               correlation: correlation)
        } catch let error as HTTPError {
            response = problem(error.status, code: "http.\(error.status.code)", message: error.body ?? error.status.reasonPhrase,
                               detail: nil, correlation: correlation)
        } catch {
            response = problem(.internalServerError, code: "registry.internal", message: "\(error)", detail: nil, correlation: correlation)
        }
        response.headers[correlationHeader] = correlation
        return response
    }

    /// The request's own id when it sent a usable one (1 to 100 characters), else a new one: an
    /// empty id would correlate nothing in the logs.
    static func correlationID(_ request: Request) -> String {
        guard let given = request.headers[correlationHeader], !given.isEmpty, given.count <= 100 else {
            return UUID().uuidString.lowercased()
        }
        return given
    }

    static func status(of code: RegistryError.Code) -> HTTPResponse.Status {
        switch code {
        case .requestInvalid: .badRequest
        case .unauthorized, .signatureInvalid: .unauthorized
        case .agentKeyMismatch: .forbidden
        case .reportReplayed, .conflict, .cursorAhead: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .notFound: .notFound
        case .storage, .signingUnavailable: .serviceUnavailable
        case .configurationInvalid: .internalServerError
        }
    }

    static func problem(_ status: HTTPResponse.Status, code: String, message: String, detail: String?, correlation: String) -> Response {
        json(status, Problem(error: .init(code: code, message: message, detail: detail, correlationID: correlation)))
    }

    struct Problem: Encodable {
        struct Body: Encodable {
            var code: String
            var message: String
            var detail: String?
            var correlationID: String

            enum CodingKeys: String, CodingKey {
                case code, message, detail, correlationID = "correlation_id"
            }
        }

        var error: Body
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: RegistryJSON.encode(value))))
    }

    static func bodyData(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maximumBodyBytes)
            return Data(buffer.readableBytesView)
        } catch {
            throw RegistryError(.payloadTooLarge, "the body is larger than \(maximumBodyBytes) bytes or could not be read", detail: "body")
        }
    }

    // MARK: Tokens

    /// Uploads: the agent token as `Authorization: Bearer`, when one is configured.
    static func requireAgentToken(_ request: Request, server: RegistryServer) throws(RegistryError) {
        guard let token = server.configuration.agentToken else { return }
        guard let given = bearer(request), constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw RegistryError(.unauthorized, "the agent token is required", detail: "Authorization")
        }
    }

    /// The fleet view: the admin token as `Authorization: Bearer`, or as the password of Basic
    /// authentication so a browser can open `/fleet`.
    static func requireAdminToken(_ request: Request, server: RegistryServer) throws(RegistryError) {
        guard let token = server.configuration.adminToken else { return }
        guard let given = bearer(request) ?? basicPassword(request), constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw RegistryError(.unauthorized, "the admin token is required", detail: "Authorization")
        }
    }

    /// Actions that change what the registry trusts are refused outright without an admin token.
    static func requireConfiguredAdminToken(_ request: Request, server: RegistryServer) throws(RegistryError) {
        guard server.configuration.adminToken != nil else {
            throw RegistryError(.unauthorized, "admin actions are disabled: no admin token is configured")
        }
        try requireAdminToken(request, server: server)
    }

    private static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    private static func basicPassword(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Basic "),
              let decoded = Data(base64Encoded: String(value.dropFirst(6))), let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        return String(text[text.index(after: colon)...])
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
