import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Sync

/// How the API answers: JSON bodies, problems with a code and the correlation id, tokens.
extension RegistryAPI {
    static func problem(_ status: HTTPResponse.Status, code: String, message: String, detail: String?, correlation: String) -> Response {
        APIResponder.problem(status, code: code, message: message, detail: detail, correlation: correlation)
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
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
        guard let given = bearer(request), ConstantTime.equal(Array(given.utf8), Array(token.utf8)) else {
            throw RegistryError(.unauthorized, "the agent token is required", detail: "Authorization")
        }
    }

    /// The fleet view: the admin token as `Authorization: Bearer`, or as the password of Basic
    /// authentication so a browser can open `/fleet`.
    static func requireAdminToken(_ request: Request, server: RegistryServer) throws(RegistryError) {
        guard let token = server.configuration.adminToken else { return }
        guard let given = bearer(request) ?? basicPassword(request), ConstantTime.equal(Array(given.utf8), Array(token.utf8)) else {
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

}
