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

    static func bodyData(_ request: Request, upTo limit: Int = maximumBodyBytes) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            throw RegistryError(.payloadTooLarge, "the body is larger than \(limit) bytes or could not be read", detail: "body")
        }
    }

    // MARK: Tokens

    /// The principal allowed `permission` by the request's token, sent as `Authorization:
    /// Bearer`, or as the password of Basic authentication so a browser can open `/fleet`; nil
    /// for an anonymous request to something open (`AccessControl`).
    @discardableResult
    static func authorize(
        _ request: Request, _ permission: AccessPermission, server: RegistryServer
    ) async throws(RegistryError) -> Principal? {
        try await server.access.authorize(bearer(request) ?? basicPassword(request), for: permission)
    }

    /// The principal of an action that changes shared state: never anonymous.
    static func accountable(
        _ request: Request, _ permission: AccessPermission, server: RegistryServer
    ) async throws(RegistryError) -> Principal {
        guard let principal = try await authorize(request, permission, server: server) else {
            throw RegistryError(.unauthorized, "a token is required", detail: "Authorization")
        }
        return principal
    }

    /// The reason a person or system gave for a change: the `Lanyard-Reason` header (UTF-8,
    /// percent-encoded where HTTP needs it), at most `AuditEntry.maximumReasonLength` characters.
    static func reason(_ request: Request) throws(RegistryError) -> String? {
        guard let raw = request.headers[reasonHeader] else { return nil }
        let text = (raw.removingPercentEncoding ?? raw).trimmingCharacters(in: .whitespaces)
        guard text.count <= AuditEntry.maximumReasonLength else {
            throw RegistryError(
                .requestInvalid, "a reason is at most \(AuditEntry.maximumReasonLength) characters", detail: "Lanyard-Reason")
        }
        return text.isEmpty ? nil : text
    }

    static let reasonHeader = HTTPField.Name("Lanyard-Reason")!

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
