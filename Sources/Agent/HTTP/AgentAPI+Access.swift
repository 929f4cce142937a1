import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging
import NIOCore

/// Who may call what, on which listener (docs/agent.md, "Integrators and peers"): the bearer
/// tokens (the admin token and `tokens`), their scopes and windows, and the webhook sources'
/// address lists.
extension AgentAPI {
    /// The listener a router serves. The routes are the same; what is anonymous differs.
    public enum Listener: Sendable {
        /// `listen`: the kiosk's own page on the box, which submits badges and check-ins without
        /// a token; admin routes take the admin token, an admin-scoped token or a staff session.
        case kiosk
        /// `tls.listen`: integrators and peers on the network. Every request needs a token but
        /// health, readiness and webhook deliveries (which carry their own signature); a badge
        /// needs the print scope, a check-in the check-in scope.
        case integrators
    }

    /// A bearer token the agent knows and accepts now.
    enum Credential {
        /// The admin token: every scope, no window.
        case admin
        case token(AccessToken)

        func allows(_ scope: TokenScope) -> Bool {
            switch self {
            case .admin: true
            case .token(let token): token.scopes.contains(scope) || token.scopes.contains(.admin)
            }
        }
    }

    /// The request's bearer token, if it is one the agent knows and within its window; nil when
    /// there is none or it is unknown. A known token outside its window is refused here, so a
    /// rotated-out token never falls through to another way in.
    static func credential(_ request: Request, core: AgentCore, now: Date = Date()) throws(AgentError) -> Credential? {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return nil
        }
        let presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if let admin = core.configuration.adminToken, ConstantTime.equal(Array(presented.utf8), Array(admin.utf8)) {
            return .admin
        }
        let digest = Array(AccessToken.digest(of: presented).utf8)
        guard let token = core.configuration.tokens.first(where: { ConstantTime.equal(digest, Array($0.sha256.utf8)) }) else {
            return nil
        }
        guard token.isCurrent(at: now) else {
            throw AgentError(
                .tokenOutOfWindow, "the token \(token.name) is not valid now (outside its not_before and not_after)", detail: token.name)
        }
        return .token(token)
    }

    /// A badge (`print`) or a check-in (`check-in`): anonymous on the kiosk's listener, where its
    /// own page sends them; on the integrators' listener the token must carry the scope.
    static func requireScope(_ scope: TokenScope, _ request: Request, core: AgentCore, listener: Listener) throws(AgentError) {
        guard listener == .integrators else { return }
        guard let held = try credential(request, core: core) else { throw tokenRequired }
        guard held.allows(scope) else { throw scopeMissing(scope, held) }
    }

    static func scopeMissing(_ scope: TokenScope, _ credential: Credential) -> AgentError {
        let name = if case .token(let token) = credential { token.name } else { "admin" }
        return AgentError(.scopeMissing, "the token \(name) does not have the \(scope.rawValue) scope this needs", detail: name)
    }

    static var tokenRequired: AgentError {
        AgentError(.unauthorized, "this listener takes requests with a token only: Authorization: Bearer <token>", detail: "Authorization")
    }

    /// A webhook delivery from an address its source's `webhooks.allow` list names, or from
    /// anywhere for a source without a list. The address is the connection's peer, never a header
    /// a proxy (or anyone) could write; a connection without one (a unix socket) is refused.
    static func checkWebhookAddress(source: String, context: APIRequestContext, core: AgentCore) throws(AgentError) {
        guard let allowed = core.configuration.webhooks.allow[source] else { return }
        let address = context.remoteAddress?.ipAddress
        guard let address, allowed.contains(where: { $0.contains(address) }) else {
            throw AgentError(
                .addressNotAllowed, "deliveries from \(source) are not taken from \(address ?? "an unknown address")",
                detail: address ?? "unknown")
        }
    }
}

/// On the integrators' listener, refuses a request without a token (but health, readiness and
/// webhooks); on both, counts and logs the refusals of the boundary (`lanyard_agent_refusals_total`)
/// with the token's name or the address refused, never a token or an attendee's name.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let core: AgentCore
    let listener: AgentAPI.Listener

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            if listener == .integrators, !Self.isOpen(request), try AgentAPI.credential(request, core: core) == nil {
                throw AgentAPI.tokenRequired
            }
            return try await next(request, context)
        } catch let error as AgentError {
            if let reason = Self.reason(error) {
                core.metrics.recordRefusal(reason)
                context.logger.notice(
                    "request refused",
                    metadata: [
                        "reason": "\(reason.rawValue)", "method": "\(request.method)", "path": "\(request.uri.path)",
                        "remote": "\(context.remoteAddress?.ipAddress ?? "")", "detail": "\(error.detail ?? "")",
                    ])
            }
            throw error
        }
    }

    /// Health and readiness for monitors and load balancers; webhook deliveries, which are
    /// signed by their source and checked against its address list.
    static func isOpen(_ request: Request) -> Bool {
        let path = request.uri.path
        return (request.method == .get && (path == "/v1/health" || path == "/v1/ready"))
            || (request.method == .post && path.hasPrefix("/v1/webhooks/registrations/"))
    }

    /// The boundary's refusals; a wrong PIN or a staff role's limits are the staff pages' own.
    static func reason(_ error: AgentError) -> AgentMetrics.Refusal? {
        switch error.code {
        case .unauthorized where error.detail == "Authorization": .unauthorized
        case .tokenOutOfWindow: .tokenOutOfWindow
        case .scopeMissing: .scopeMissing
        case .addressNotAllowed: .addressNotAllowed
        default: nil
        }
    }
}
