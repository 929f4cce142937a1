import Attendees
import BadgePipeline
import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Store

/// Search and one attendee: display fields only, never an email.
extension AgentAPI {
    static func addAttendeeRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.get("/v1/attendees") { request, context in
            try authorize(request, core: core, role: .operator)
            let query = request.uri.queryParameters.get("q") ?? ""
            let limit = min(100, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 20))
            let matches = try core.store.searchAttendees(query, limit: limit)
            return json(.ok, AttendeeList(attendees: matches.map { AttendeeView($0.attendee) }))
        }
        router.get("/v1/attendees/:id") { request, context in
            try authorize(request, core: core, role: .operator)
            let attendee = try knownAttendee(core, context)
            return json(.ok, AttendeeView(attendee, checkIn: CheckInView(try core.store.checkInState(attendeeID: attendee.attendeeID))))
        }
        // What the kiosk page shows of the attendee it just identified: what the badge itself
        // shows, nothing of the check-in record and no list.
        router.get("/v1/kiosk/attendees/:id") { _, context in
            let attendee = try knownAttendee(core, context)
            var view = AttendeeView(try core.store.shown(attendee))
            view.nameCorrections = core.event.nameCorrections
            return json(.ok, view)
        }
        router.post("/v1/kiosk/attendees/:id/name") { request, context in
            let attendee = try knownAttendee(core, context)
            let body = try decode(NameCorrectionRequest.self, from: try await bodyData(request), expecting: nameCorrectionShape)
            let correction = try await core.correctName(of: attendee, to: body, actor: nil)
            return json(.ok, AttendeeView(correction.applied(to: attendee)))
        }
        router.post("/v1/attendees/:id/name") { request, context in
            let actor = try authorize(request, core: core, role: .operator)
            let attendee = try knownAttendee(core, context)
            let body = try decode(NameCorrectionRequest.self, from: try await bodyData(request), expecting: nameCorrectionShape)
            let correction = try await core.correctName(of: attendee, to: body, actor: actor)
            return json(.ok, AttendeeView(correction.applied(to: attendee)))
        }
        router.get("/v1/kiosk/search") { request, context in
            guard core.configuration.kiosk.search else { throw AgentError(.notFound, "search is off at this kiosk") }
            let query = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard query.count >= kioskSearchMinimumLength else {
                throw AgentError(.requestInvalid, "type at least \(kioskSearchMinimumLength) letters", detail: "q")
            }
            if let wait = core.searchLimiter.acquire("kiosk") { throw RateLimited(retryAfter: wait, "too many searches at this kiosk") }
            let matches = try core.store.searchAttendees(query, limit: kioskSearchResults)
            return json(.ok, KioskMatchList(matches: matches.map { KioskMatch($0.attendee) }))
        }
        router.get("/v1/attendees/:id/badge.png") { _, context in
            let attendee = try core.store.shown(try knownAttendee(core, context))
            // Rendered for the printer the badge would go to now, dot for dot as it would print there.
            let printerID = core.route(attendee)
            guard let preview = core.previews[printerID] ?? core.preview else {
                throw AgentError(.notFound, "this agent renders no previews")
            }
            let png: [UInt8]
            do {
                png = try await Blocking.run {
                    try preview.png(of: attendee, options: TuningOverrides(printerKey: printerID, store: core.store).renderOptions)
                }
            } catch let failure as ComposeFailure {
                throw AgentError(.requestInvalid, "no template can make this attendee's badge: \(failure)", detail: attendee.attendeeID)
            }
            // A person's badge: no cache keeps it after the kiosk's screen is cleared.
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
    }
}

extension AgentAPI {
    static let nameCorrectionShape = "{\"first_name\": \"...\", \"last_name\": \"...\", \"reason\": \"...\"}"

    static func knownAttendee(_ core: AgentCore, _ context: APIRequestContext) throws -> Attendee {
        let id = try context.parameters.require("id")
        guard let attendee = try core.store.attendee(id: id) else {
            throw AgentError(.notFound, "no attendee \(id) in this kiosk's list")
        }
        return attendee
    }

    /// A public screen lists no one on a letter or two, and never more than a handful.
    static let kioskSearchMinimumLength = 3
    static let kioskSearchResults = 5
}
