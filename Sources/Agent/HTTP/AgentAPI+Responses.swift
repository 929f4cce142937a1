import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Store
import YAMLReading

/// How the API reads requests and answers: bodies decoded into Codable types, answers encoded from
/// them, problems through `APIResponder`, the admin token.
extension AgentAPI {
    /// A badge request's answer: the job (202 queued, 200 for a known idempotency key), or the
    /// rejection with its dead letter and every issue (422). `correlation` goes into a rejection
    /// like into every other problem, so an operator can find the dead letter from the answer.
    static func submissionResponse(
        _ submission: AgentCore.Submission, correlation: String,
        alreadyCheckedIn: PriorCheckInView? = nil
    ) -> Response {
        switch submission {
        case .queued(let job):
            var view = JobView(job)
            view.alreadyCheckedIn = alreadyCheckedIn
            return json(.accepted, view)
        case .duplicate(let job):
            var view = JobView(job)
            view.alreadyCheckedIn = alreadyCheckedIn
            view.duplicate = true
            return json(.ok, view)
        case .rejected(let id, let issues):
            return json(
                .unprocessableContent,
                RejectionProblem(
                    error: .init(
                        code: issues.first?.code.rawValue ?? "intake.rejected", message: "the registration cannot become a badge",
                        correlationID: correlation, deadLetterID: id,
                        issues: issues.map {
                            .init(code: $0.code.rawValue, field: $0.fieldPath, reason: $0.reason, severity: "\($0.severity)")
                        })))
        case .timedOut(let id, let reason):
            return json(
                .unprocessableContent,
                RejectionProblem(
                    error: .init(
                        code: AgentErrorCode.executionTimeout.rawValue, message: reason, correlationID: correlation, deadLetterID: id,
                        issues: [])))
        }
    }

    /// The admin token (an integrator, a script), a token from `tokens` with the admin scope, or a
    /// signed-in member of staff whose role allows `role`; returns who, for the audit trail
    /// ("admin" for the admin token, "token:NAME" for another). Staff sessions travel in a
    /// SameSite=Strict cookie, which a page of another site never sends; the browser boundary
    /// refuses such a page's changes anyway.
    @discardableResult
    static func authorize(_ request: Request, core: AgentCore, role: StaffRole = .admin) throws -> String {
        switch try credential(request, core: core) {
        case .admin: return "admin"
        case .token(let token):
            guard token.scopes.contains(.admin) else { throw scopeMissing(.admin, .token(token)) }
            return "token:\(token.name)"
        case nil: break
        }
        if let cookie = sessionCookie(request), let session = core.staff.session(cookie) {
            guard session.role.allows(role) else {
                throw AgentError(.forbidden, "\(session.name) is signed in as \(session.role.rawValue); this needs \(role.rawValue)")
            }
            return session.name
        }
        let configuration = core.configuration
        guard
            configuration.adminToken != nil || !configuration.staff.isEmpty
                || configuration.tokens.contains(where: { $0.scopes.contains(.admin) })
        else {
            throw AgentError(.unauthorized, "admin actions are disabled: no admin token, admin-scoped token or staff is configured")
        }
        throw AgentError(.unauthorized, "admin token or a staff sign-in required", detail: "Authorization")
    }

    static let sessionCookieName = "lanyard_session"

    static func sessionCookie(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == sessionCookieName { return parts[1] }
            }
        }
        return nil
    }

    static func bodyData(_ request: Request, upTo limit: Int = maxBodyBytes) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            throw AgentError(.requestInvalid, "the body is larger than \(limit) bytes or could not be read", detail: "body")
        }
    }

    /// A request body as `T`; one that does not decode is refused naming the field at fault.
    static func decode<T: Decodable>(_ type: T.Type, from body: Data, expecting: String? = nil) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            let path = error.settingPath.isEmpty ? "$" : "$." + error.settingPath
            throw AgentError(
                .requestInvalid, expecting.map { "expected \($0)" } ?? "the body does not decode: \(error.plainReason)",
                detail: path)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        APIResponder.json(status, value)
    }
}
