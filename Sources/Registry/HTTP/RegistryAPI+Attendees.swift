import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging
import Sync

/// The events' attendee lists: pushed by central operations or an integrator (admin token),
/// followed by kiosks as signed pages of the change log (agent token).
///
/// - `POST /v1/events/{event}/attendees`: `{"changes": [...]}` (`AttendeePush`), applied in one
///   transaction; answers the event's cursor and what changed.
/// - `GET /v1/events/{event}/attendee-changes?since=N&limit=L`: the changes after cursor N, at
///   most L (default and maximum 1,000), as an `AttendeeChangePage` in a `SignedEnvelope`
///   signed with the timestamp key.
extension RegistryAPI {
    static let maximumChangesPerPage = 1_000

    static func addAttendeeRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.post("/v1/events/:event/attendees") { request, context in
            let principal = try await accountable(request, .pushAttendees, server: server)
            let event = try eventParameter(context)
            let reason = try reason(request)
            let changes = try AttendeePush.decode(try await bodyData(request), event: event)
            let audit = principal.audit(.attendeesPushed, subject: event, reason: reason, correlationID: context.correlationID)
            let result = try await server.store.recordAttendeeChanges(changes, event: event, at: audit.at, audit: audit)
            await server.hub.attendeesChanged(event: event, cursor: result.cursor)
            server.logger.notice(
                "attendee changes recorded",
                metadata: [
                    "event": "\(event)", "cursor": "\(result.cursor)", "upserted": "\(result.upserted)", "removed": "\(result.removed)",
                    "unchanged": "\(result.unchanged)", "actor": "\(principal.name)", "correlation_id": "\(context.correlationID)",
                ])
            return json(.ok, result)
        }
        router.get("/v1/events/:event/attendee-changes") { request, context in
            try await authorize(request, .followAttendees, server: server)
            let event = try eventParameter(context)
            let query = request.uri.queryParameters
            guard let text = query.get("since"), let since = Int64(text), since >= 0 else {
                throw RegistryError(.requestInvalid, "since is the cursor the kiosk's attendee list is at", detail: "since")
            }
            var limit = maximumChangesPerPage
            if let text = query.get("limit") {
                guard let value = Int(text), value >= 1 else {
                    throw RegistryError(.requestInvalid, "limit is a positive number of changes", detail: "limit")
                }
                limit = min(value, maximumChangesPerPage)
            }
            guard let key = server.configuration.timestampKey else {
                throw RegistryError(
                    .signingUnavailable, "attendee changes are served signed, and this server has no timestamp key",
                    detail: "timestamp-key")
            }
            let page = try await server.store.attendeeChanges(event: event, since: since, limit: limit)
            let envelope: Data
            do { envelope = try page.signed(with: [key]).encoded() } catch {
                throw RegistryError(.signingUnavailable, "the page cannot be signed", detail: "\(error)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: envelope)))
        }
    }

    static func eventParameter(_ context: APIRequestContext) throws -> String {
        let event = try context.parameters.require("event")
        try UploadField.identifier(event, "event", maximumLength: 128)
        return event
    }
}
