import Attendees
import Foundation
import LanyardSupport
import Logging
import Store
import Sync

/// The event's attendees: the signed snapshot from the repository, then the registry server's
/// signed change log from the snapshot's cursor on (docs/registry-protocol.md, "Attendee
/// changes"). Both go through this kiosk's intake and into the store in one transaction each.
extension SyncService {
    /// Applies the event's attendee snapshot (`attendees/<event slug>`) when its cursor is ahead
    /// of the cache's, in one transaction: the event's attendees become exactly the snapshot's.
    /// Its lines are registrations in the attendee contract and pass through intake like any
    /// other; a line intake refuses is left out and counted in the log.
    func reconcileAttendees() async throws(SyncError) {
        let name = "attendees/\(event.slug)"
        guard let target = trusted?.targets?[name], target.kind == .attendeeSnapshot, let cursor = target.cursor else { return }
        let stored: Int64?
        do { stored = try store.attendeeCursor(event: event.slug) } catch {
            throw SyncError(.io, "cannot read the attendee cursor", subject: name, underlying: error)
        }
        if let stored, stored >= cursor { return }
        let release = target.release(for: agentID)
        try await materialize(release, of: name)
        // Reading and storing 100,000 attendees takes seconds of parsing and fsync'd writes: on
        // `Blocking`, not on the cooperative pool the HTTP API and the printer workers share.
        let files = release.files.keys.sorted().filter { $0.hasSuffix(".jsonl") }.map { releaseDirectory(release).appending(path: $0) }
        let (event, store, at) = (self.event, self.store, now())
        let applied: (outcome: AttendeeSyncOutcome, attendees: Int, refused: Int)
        do {
            applied = try await Blocking.run {
                var attendees: [Attendee] = []
                var refused = 0
                for file in files {
                    var session = Intake(event: event).makeSession()
                    let batch = try session.acceptJSONLines(in: file)
                    attendees += batch.outcomes.compactMap(\.attendee)
                    refused += batch.outcomes.filter { $0.attendee == nil }.count
                }
                let outcome = try store.applyAttendeeSnapshot(event: event.slug, cursor: cursor, attendees: attendees, now: at)
                return (outcome, attendees.count, refused)
            }
        } catch {
            throw SyncError(.io, "cannot apply the attendee snapshot", subject: name, underlying: error)
        }
        attendeeCursorRefused = false
        logger.notice(
            "attendee snapshot applied",
            metadata: [
                "event": "\(event.slug)", "cursor": "\(cursor)", "attendees": "\(applied.attendees)",
                "written": "\(applied.outcome.written)",
                "removed": "\(applied.outcome.removed)", "refused_lines": "\(applied.refused)",
            ])
    }

    /// Most pages taken in one step; the rest follow at the next (a kiosk back after a long
    /// time offline catches up without holding the actor for minutes).
    static let maximumPagesPerStep = 100

    /// Follows the event's change log from the cursor the attendee list is at, one verified
    /// page at a time, each applied in one transaction. Nothing to do without a server or
    /// before a snapshot (a list not from this registry has no cursor to follow). A failure is
    /// kept in the status and logged once; it never stops template sync or printing.
    func followAttendeeChanges() async {
        guard let attendeeChanges else { return }
        do throws(SyncError) {
            for _ in 0..<Self.maximumPagesPerStep {
                guard let since = try storedAttendeeCursor() else { return }
                let data: Data
                do { data = try await attendeeChanges.page(event: event.slug, since: since) } catch {
                    if case .cursorAhead = error, !attendeeCursorRefused {
                        logger.error(
                            "the registry does not know this kiosk's attendee cursor; waiting for a new snapshot",
                            metadata: [
                                "event": "\(event.slug)", "cursor": "\(since)",
                            ])
                    }
                    if case .cursorAhead = error { attendeeCursorRefused = true }
                    throw error.syncError
                }
                guard let root = trusted?.root else { break }
                let page = try AttendeeChangePage.verified(data, root: root, event: event.slug, since: since)
                attendeeCursorRefused = false
                if page.changes.isEmpty { break }
                let (delta, refused) = attendeeDelta(page)
                let outcome: AttendeeSyncOutcome
                let (store, at) = (self.store, now())
                do { outcome = try await Blocking.run { try store.applyAttendeeDelta(delta, now: at) } } catch {
                    throw SyncError(.io, "cannot apply the attendee changes", subject: "attendees/\(event.slug)", underlying: error)
                }
                logger.notice(
                    "attendee changes applied",
                    metadata: [
                        "event": "\(event.slug)", "from_cursor": "\(page.fromCursor)", "to_cursor": "\(outcome.cursor)",
                        "written": "\(outcome.written)", "removed": "\(outcome.removed)", "resolutions": "\(outcome.resolutions)",
                        "refused_registrations": "\(refused)",
                    ])
                if !page.more { break }
            }
            attendeeChangesError = nil
        } catch {
            if attendeeChangesError?.code != error.code {
                logger.warning(
                    "attendee changes not followed",
                    metadata: [
                        "code": "\(error.code.rawValue)", "error": "\(error.message)",
                        "subject": "\(error.subject ?? "-")",
                    ])
            }
            attendeeChangesError = error
        }
    }

    private func storedAttendeeCursor() throws(SyncError) -> Int64? {
        do { return try store.attendeeCursor(event: event.slug) } catch {
            throw SyncError(.io, "cannot read the attendee cursor", subject: "attendees/\(event.slug)", underlying: error)
        }
    }

    /// The page as the store's delta. Registrations pass through intake as a snapshot's lines
    /// do; one intake refuses, or one whose attendee id is not the change's, is left out and
    /// counted (the registry names the attendee, so a registration cannot move to another id).
    nonisolated func attendeeDelta(_ page: AttendeeChangePage) -> (AttendeeDelta, refused: Int) {
        let intake = Intake(event: event)
        var refused = 0
        var changes: [AttendeeChange] = []
        changes.reserveCapacity(page.changes.count)
        for entry in page.changes {
            switch entry.op {
            case .upsert:
                guard let attendee = intake.validate(jsonObject: Data((entry.registration ?? "").utf8), line: nil).attendee,
                    attendee.attendeeID == entry.attendeeID
                else {
                    refused += 1
                    continue
                }
                changes.append(.upsert(attendee))
            case .remove:
                changes.append(.remove(attendeeID: entry.attendeeID))
            case .checkInResolved:
                guard let nonce = entry.nonce, let kioskID = entry.kioskID, let scannedAt = entry.scannedAt else {
                    refused += 1
                    continue
                }
                changes.append(
                    .checkInResolved(
                        CheckInResolution(
                            attendeeID: entry.attendeeID, nonce: nonce, kioskID: kioskID,
                            scannedAt: scannedAt)))
            }
        }
        return (AttendeeDelta(event: page.event, fromCursor: page.fromCursor, toCursor: page.toCursor, changes: changes), refused)
    }
}
