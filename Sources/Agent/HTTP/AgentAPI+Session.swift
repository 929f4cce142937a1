import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging

/// Staff sign-in on the kiosk: a name and a PIN for a session cookie (HttpOnly, SameSite=Strict,
/// eight hours), locked out after repeated wrong PINs (`StaffSessions`).
extension AgentAPI {
    static func addSessionRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.post("/v1/session") { request, context in
            let body = try decode(SignInRequest.self, from: try await bodyData(request), expecting: "{\"name\": \"...\", \"pin\": \"...\"}")
            let staff = core.staff
            switch try await Blocking.run({ staff.signIn(name: body.name, pin: body.pin) }) {
            case .signedIn(let token, let session):
                core.logger.notice("staff signed in", metadata: ["staff": "\(session.name)", "role": "\(session.role.rawValue)"])
                var response = json(.ok, SessionView(session))
                response.headers[.setCookie] =
                    "\(sessionCookieName)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(StaffSessions.lifetime))"
                return response
            case .refused:
                core.logger.warning("staff sign-in refused", metadata: ["staff": "\(body.name)"])
                throw AgentError(.unauthorized, "that name and PIN do not match", detail: "$.pin")
            case .locked(let seconds):
                throw RateLimited(retryAfterSeconds: seconds, "too many wrong PINs; sign-in is locked for \(seconds) s")
            }
        }
        router.get("/v1/session") { request, context in
            guard let token = sessionCookie(request), let session = core.staff.session(token) else {
                throw AgentError(.unauthorized, "nobody is signed in")
            }
            return json(.ok, SessionView(session))
        }
        router.delete("/v1/session") { request, context in
            if let token = sessionCookie(request) { core.staff.signOut(token) }
            var response = Response(status: .noContent)
            response.headers[.setCookie] = "\(sessionCookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
    }
}

/// `POST /v1/session`.
public struct SignInRequest: Codable, Sendable, Equatable {
    public var name: String
    public var pin: String
}

public struct SessionView: Codable, Sendable, Equatable {
    public var name: String
    public var role: String
    public var expiresAt: String

    enum CodingKeys: String, CodingKey { case name, role, expiresAt = "expires_at" }

    init(_ session: StaffSessions.Session) {
        name = session.name
        role = session.role.rawValue
        expiresAt = Timestamps.iso8601(session.expires)
    }
}
