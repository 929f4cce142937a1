import Foundation
import Hummingbird
import LanyardHTTP

/// `GET /v1/notify?after=N&timeout=S[&event=E&attendee_cursor=C]`: a long-poll that answers as
/// soon as the repository's timestamp version is above N or, when an event is named, as soon as
/// that event's attendees change past cursor C; else after S seconds (default 30, at most 60)
/// with things as they are. Always 200 with the same body, so a client has one case to handle:
/// compare `timestamp_version` (and `attendee_cursor`) with what it has.
extension RegistryAPI {
    static let defaultNotifyTimeout = 30.0
    static let maximumNotifyTimeout = 60.0

    struct NotifyAnswer: Encodable {
        var timestampVersion: Int
        var targetsVersion: Int
        /// The named event's latest attendee change cursor; absent when no event was named.
        var attendeeCursor: Int64?

        enum CodingKeys: String, CodingKey {
            case timestampVersion = "timestamp_version", targetsVersion = "targets_version", attendeeCursor = "attendee_cursor"
        }
    }

    static func addNotifyRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.get("/v1/notify") { request, context in
            let query = request.uri.queryParameters
            guard let afterText = query.get("after"), let after = Int(afterText), after >= 0 else {
                throw RegistryError(.requestInvalid, "after is the timestamp version the client has (0 for none)", detail: "after")
            }
            var timeout = defaultNotifyTimeout
            if let text = query.get("timeout") {
                guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
                    throw RegistryError(.requestInvalid, "timeout is a number of seconds", detail: "timeout")
                }
                timeout = min(seconds, maximumNotifyTimeout)
            }
            var watch: NotifyHub.AttendeeWatch?
            if let event = query.get("event") {
                try UploadField.identifier(event, "event")
                guard let text = query.get("attendee_cursor"), let cursor = Int64(text), cursor >= 0 else {
                    throw RegistryError(
                        .requestInvalid, "attendee_cursor is the event's cursor the client has (0 for none)",
                        detail: "attendee_cursor")
                }
                watch = .init(event: event, after: cursor)
            }
            // Replicas: a notice from another one may have been missed, so the waited-on event's
            // cursor is read from the database before waiting and again at the answer.
            if let watch, server.store.isShared { try await server.refreshCursor(event: watch.event) }
            let versions = await server.hub.next(after: after, attendees: watch, timeout: .milliseconds(Int64(timeout * 1000)))
            var attendeeCursor: Int64?
            if let watch {
                if server.store.isShared { try await server.refreshCursor(event: watch.event) }
                attendeeCursor = await server.hub.attendeeCursor(event: watch.event)
            }
            return json(
                .ok,
                NotifyAnswer(
                    timestampVersion: versions.timestampVersion, targetsVersion: versions.targetsVersion,
                    attendeeCursor: attendeeCursor))
        }
    }
}
