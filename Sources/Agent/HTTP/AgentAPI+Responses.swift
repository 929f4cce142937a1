import LanyardSupport
import Badges
import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import Store

/// How the API answers: JSON bodies, problems with a code and the correlation id, and the few
/// shapes (jobs, attendees) every route shares.
extension AgentAPI {
    /// `correlation` goes into a rejection like into every other problem (docs/openapi.yaml:
    /// `correlation_id` is required), so an operator can find the dead letter from the answer.
    /// `extra` adds fields to a job's object (a check-in's `already_checked_in`).
    static func submissionResponse(_ submission: AgentCore.Submission, correlation: String, extra: [String: Any] = [:]) -> Response {
        switch submission {
        case .queued(let job): json(.accepted, jobObject(job).merging(extra) { $1 })
        case .duplicate(let job): json(.ok, jobObject(job).merging(extra) { $1 }.merging(["duplicate": true]) { $1 })
        case .rejected(let id, let issues):
            json(.unprocessableContent, ["error": [
                "code": issues.first?.code.rawValue ?? "intake.rejected", "message": "the registration cannot become a badge",
                "correlation_id": correlation, "dead_letter_id": id,
                "issues": issues.map { ["code": $0.code.rawValue, "field": $0.fieldPath, "reason": $0.reason, "severity": "\($0.severity)"] },
            ] as [String: Any]])
        }
    }

    static func jobObject(_ job: PrintJob) -> [String: Any] {
        var object: [String: Any] = [
            "id": job.id, "state": job.state.apiName, "printer": job.printerID, "attempts": job.attempts,
            "idempotency_key": job.idempotencyKey, "correlation_id": job.correlationID,
            "created_at": Timestamps.iso8601(job.createdAt),
        ]
        if let attendee = job.attendeeID { object["attendee_id"] = attendee }
        if let tier = job.templateTier { object["template_tier"] = tier }
        if let version = job.templateVersion { object["template_version"] = version }
        if let error = job.lastError { object["last_error"] = error }
        if let original = job.reprintOf { object["reprint_of"] = original }
        if let diagnostic = job.diagnostic, let value = try? JSONSerialization.jsonObject(with: diagnostic, options: [.fragmentsAllowed]) {
            object["diagnostic"] = value
        }
        return object
    }

    /// Ids and display fields only: the kiosk shows who it found, the API never returns emails.
    static func attendeeObject(_ attendee: Attendee) -> [String: Any] {
        var object: [String: Any] = ["attendee_id": attendee.attendeeID, "access_tier": attendee.accessTier.rawValue]
        if let name = attendee.preferredName ?? attendee.firstName { object["first_name"] = name }
        if let last = attendee.lastName { object["last_name"] = last }
        if let company = attendee.company { object["company"] = company }
        return object
    }

    /// Whether the attendee is checked in, as far as this kiosk knows: the check-in that counts
    /// (the registry's decision when it has told one, else this kiosk's earliest) and how many
    /// times this kiosk scanned the attendee.
    static func checkInObject(_ state: CheckInState?) -> [String: Any] {
        var object: [String: Any] = ["checked_in": state?.first != nil, "scans_here": state?.local.count ?? 0]
        if let first = state?.first {
            object["first"] = ["kiosk_id": first.kioskID, "scanned_at": ScanTime.text(first.scannedAt), "confirmed_by_registry": first.resolved]
        }
        return object
    }

    static func authorize(_ request: Request, core: AgentCore) throws {
        guard let token = core.configuration.adminToken else {
            throw AgentError(.unauthorized, "admin actions are disabled: no admin token is configured")
        }
        let given = request.headers[.authorization] ?? ""
        guard constantTimeEqual(Array(given.utf8), Array("Bearer \(token)".utf8)) else {
            throw AgentError(.unauthorized, "admin token required", detail: "Authorization")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func bodyData(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch {
            throw AgentError(.requestInvalid, "the body is larger than \(maxBodyBytes) bytes or could not be read", detail: "body")
        }
    }

    /// Runs a handler with a correlation id and turns every error into a JSON problem, as the
    /// registry does (`APIResponder`).
    static func handle(_ request: Request, _ body: (String) async throws -> Response) async -> Response {
        await APIResponder.handle(request, realm: "lanyard-agent", body)
    }

    static func problem(_ status: HTTPResponse.Status, code: String, message: String, detail: String?, correlation: String) -> Response {
        APIResponder.problem(status, code: code, message: message, detail: detail, correlation: correlation)
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
