public import Attendees
public import Foundation
import LanyardSupport
public import Store

/// The flows a request starts, kept out of the HTTP layer: a route decodes, calls one of these
/// and encodes the answer. Every store write here is fsync'd, so each flow runs on `Blocking`,
/// never on the cooperative pool the HTTP server shares.
extension AgentCore {
    /// `POST /v1/badges`: a raw registration through intake, or an attendee already in the cache.
    /// The `Idempotency-Key` header wins over the body's key; an empty key is the caller's mistake.
    public func requestBadge(_ request: BadgeRequest, headerKey: String?, correlationID: String) async throws -> Submission {
        let key = headerKey ?? request.idempotencyKey
        if let key, key.isEmpty {
            throw AgentError(.requestInvalid, "the idempotency key is empty", detail: "Idempotency-Key")
        }
        if let id = request.attendeeID {
            return try await Blocking.run {
                guard let attendee = try self.store.attendee(id: id) else {
                    throw AgentError(.notFound, "no attendee \(id) in the cache", detail: "$.attendee_id")
                }
                return try self.enqueue(
                    attendee, idempotencyKey: key, printer: request.printer, correlationID: correlationID,
                    priority: request.priority ?? .normal)
            }
        }
        guard let attendee = request.attendee, attendee.isObject else {
            throw AgentError(.requestInvalid, "expected attendee (a registration object) or attendee_id", detail: "$.attendee")
        }
        let registration = try JSONEncoder().encode(attendee)
        let outcome = try await intake(registration)
        return try await Blocking.run {
            try self.submit(
                registration: registration, outcome: outcome, idempotencyKey: key, printer: request.printer, correlationID: correlationID,
                priority: request.priority ?? .normal)
        }
    }

    /// `POST /v1/checkins`: a scanned ticket verified against the event's secret, the check-in
    /// recorded (and queued for the registry) before the badge is queued. An earlier check-in is
    /// reported, not refused: a lost badge must be reprintable, and whether to ask first is the
    /// kiosk page's choice.
    public func checkIn(payload: String, correlationID: String) async throws -> (Submission, earlier: PriorCheckIn?) {
        guard let verified = CheckIn.verify(payload: payload, secret: event.checkInSecret, expectedEventSlug: event.slug) else {
            // A well-formed ticket of another event is said so: the attendee is at the wrong door,
            // not holding a forgery. Its signature is not checked (another event's secret).
            let fields = payload.split(separator: "|", omittingEmptySubsequences: false)
            if fields.count == 4, !fields[0].isEmpty, fields[0] != event.slug {
                throw AgentError(.ticketForAnotherEvent, "this ticket is for another event", detail: String(fields[0]))
            }
            throw AgentError(.unauthorized, "the QR code is not a valid ticket for this event", detail: "$.payload")
        }
        return try await Blocking.run {
            guard let attendee = try self.store.attendee(id: verified.attendeeID) else {
                throw AgentError(.notFound, "the ticket is valid but its attendee is not in this kiosk's list", detail: verified.attendeeID)
            }
            let recorded = try self.store.recordCheckIn(
                attendeeID: attendee.attendeeID, event: attendee.eventSlug,
                kioskID: self.configuration.kioskID, scannedAt: Date())
            // A check-in is a person at the door: their badge goes before a batch printed ahead.
            let submission = try self.enqueue(attendee, idempotencyKey: nil, printer: nil, correlationID: correlationID, priority: .high)
            return (submission, recorded.earlier)
        }
    }

    /// A signed webhook delivery from `source`: rate, signature and replay checked, then intake.
    /// The delivery id is kept only once the registration is handled (queued, a duplicate or
    /// dead-lettered): a delivery refused for a full queue or a store failure was not taken, so the
    /// sender's retry must not be refused as a replay. Two copies racing in at once both pass;
    /// the job's idempotency key still prints one badge.
    public func receiveWebhook(
        source: String, body: Data, timestamp: String?, signature: String?, delivery: String?,
        correlationID: String
    ) async throws -> Submission {
        guard let secret = configuration.webhooks.secrets[source] else {
            throw AgentError(.notFound, "no webhook source \(source) is configured", detail: "source")
        }
        if let wait = rateLimiter.acquire(source) {
            throw AgentAPI.RateLimited(retryAfter: wait, "too many deliveries from this source")
        }
        try WebhookSignature(secret: secret, tolerance: TimeInterval(configuration.webhooks.toleranceSeconds))
            .verify(body: body, timestamp: timestamp, signature: signature, now: Date())
        guard let delivery, !delivery.isEmpty, delivery.count <= 200 else {
            throw AgentError(.signatureInvalid, "missing delivery id", detail: WebhookSignature.deliveryHeader)
        }
        // Intake before the replay check: the delivery is signed and rate-limited already, and the
        // check and the record of the delivery stay in one step on the pool.
        let outcome = try await intake(body)
        return try await Blocking.run {
            guard try !self.store.isDeliveryKnown(source: source, deliveryID: delivery) else {
                throw AgentError(.signatureInvalid, "this delivery was already received (replay)", detail: WebhookSignature.deliveryHeader)
            }
            let submission = try self.submit(
                registration: body, outcome: outcome, idempotencyKey: nil, printer: nil, correlationID: correlationID)
            _ = try self.store.recordDelivery(source: source, deliveryID: delivery, at: Date())
            return submission
        }
    }

    /// `POST /v1/jobs/{id}/reprint` (admin): a new job for a finished one, audited.
    public func reprint(jobID: Int64, reason: String, actor: String = "admin", correlationID: String) async throws -> EnqueueResult {
        let result = try await Blocking.run {
            try self.store.enqueueReprint(of: jobID, idempotencyKey: "reprint:\(jobID):\(correlationID)", actor: actor, reason: reason)
        }
        workers[result.job.printerID]?.nudge()
        return result
    }

    /// `POST /v1/dead-letters/{id}/replay` (admin): the stored registration through intake again.
    public func replayDeadLetter(id: Int64, correlationID: String) async throws -> Submission {
        let payload = try await Blocking.run { try self.store.markReplayed(id: id) }
        let outcome = try await intake(payload)
        return try await Blocking.run {
            try self.submit(registration: payload, outcome: outcome, idempotencyKey: nil, printer: nil, correlationID: correlationID)
        }
    }

    /// `POST /v1/manual-review/{id}/decision` (admin): an operator's decision on a badge the
    /// printer never confirmed, audited; a reprint decision queues a new job.
    public func decide(jobID: Int64, _ request: ReviewDecisionRequest) async throws -> (ReviewRecord, reprint: PrintJob?) {
        guard let decision = ReviewDecision(rawValue: request.decision) else {
            throw AgentError(
                .requestInvalid, "expected {\"decision\": \"printed\"|\"reprint\"|\"dismissed\", \"reason\": \"...\"}",
                detail: "$.decision")
        }
        guard let reason = request.reason, !reason.isEmpty, reason.count <= 500 else {
            throw AgentError(.requestInvalid, "a decision needs a reason (1 to 500 characters)", detail: "$.reason")
        }
        let actor = request.actor.flatMap { $0.isEmpty || $0.count > 100 ? nil : $0 } ?? "admin"
        let (record, reprint) = try await Blocking.run {
            try self.store.decideManualReview(jobID: jobID, decision: decision, actor: actor, reason: reason)
        }
        if let reprint { workers[reprint.printerID]?.nudge() }
        return (record, reprint)
    }
}

extension AgentCore {
    /// A correction of how an attendee's name is written, audited beside the registration.
    /// From the kiosk (`actor` nil): only where the event allows it, only a new way of writing
    /// the registered name, and only before the first badge printed (a second badge is staff's
    /// to give). From staff: any name, with a reason.
    public func correctName(of attendee: Attendee, to request: NameCorrectionRequest, actor: String?) async throws -> NameCorrection {
        let first = NameCorrection.tidy(request.firstName)
        let last = NameCorrection.tidy(request.lastName)
        for (field, value) in [("first_name", first), ("last_name", last)] {
            if let problem = NameCorrection.problem(with: value) {
                throw AgentError(.requestInvalid, "the \(field.replacingOccurrences(of: "_", with: " ")) \(problem)", detail: "$.\(field)")
            }
        }
        let reason = request.reason.map(NameCorrection.tidy).flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        if actor != nil, reason == nil {
            throw AgentError(.requestInvalid, "a correction by staff needs a reason", detail: "$.reason")
        }
        if actor == nil {
            guard event.nameCorrections else {
                throw AgentError(.forbidden, "this event does not let attendees change their name at the kiosk; staff can")
            }
            let registeredFirst = [attendee.firstName, attendee.preferredName].compactMap { $0 }
            guard registeredFirst.contains(where: { NameCorrection.writesSameName(first, as: $0) }),
                NameCorrection.writesSameName(last, as: attendee.lastName ?? "")
            else {
                throw AgentError(
                    .nameChangeNeedsStaff, "at the kiosk a name can be written differently (case, accents, spacing), not changed",
                    detail: "$")
            }
            let printed = try await Blocking.run { try self.store.hasPrintedBadge(attendeeID: attendee.attendeeID) }
            guard !printed else {
                throw AgentError(.nameChangeNeedsStaff, "this attendee's badge is already printed; a second one needs staff", detail: "$")
            }
        }
        let correction = NameCorrection(
            attendeeID: attendee.attendeeID, firstName: first, lastName: last, actor: actor ?? "kiosk", reason: reason, recordedAt: Date())
        return try await Blocking.run { try self.store.recordNameCorrection(correction) }
    }
}
