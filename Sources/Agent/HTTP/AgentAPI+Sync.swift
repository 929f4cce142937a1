import Attendees
import Badges
import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Sync

/// `GET /v1/sync`: what the kiosk runs and how fresh its registry metadata is.
extension AgentAPI {
    static func addSyncRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.get("/v1/sync") { request, context in
            json(.ok, syncView(core))
        }
    }

    static func syncView(_ core: AgentCore) -> SyncView {
        var view = SyncView(enabled: core.sync != nil)
        if let templates = core.templates {
            view.templates = templateViews(templates.current)
            view.lastStable = templates.lastStable.map(templateViews)
            view.activatedAt = Timestamps.iso8601(templates.activatedAt)
        }
        guard let sync = core.sync else { return view }
        let status = sync.status
        view.agentID = sync.agentID
        view.freshness = freshnessName(status.freshness)
        view.rootVersion = status.rootVersion
        view.consecutiveFailures = status.consecutiveFailures
        view.targetsVersion = status.targetsVersion
        view.lastFreshRefresh = status.lastFreshRefresh.map(Timestamps.iso8601)
        view.lastAttempt = status.lastAttempt.map(Timestamps.iso8601)
        view.lastError = status.lastError.map { SyncView.Failure(code: $0.code.rawValue, message: $0.message, subject: $0.subject) }
        view.attendees = SyncView.Attendees(
            event: core.event.slug, followsChanges: sync.attendeeChanges != nil, cursor: status.attendeeCursor,
            error: status.attendeeChangesError.map { SyncView.Failure(code: $0.code.rawValue, message: $0.message, subject: nil) })
        view.rolledBack = sync.rollbacks.map {
            SyncView.RolledBack(target: $0.target, label: $0.label, digest: $0.digest, reason: $0.reason, at: Timestamps.iso8601($0.at))
        }
        return view
    }

    static func freshnessName(_ freshness: Freshness?) -> String {
        switch freshness {
        case .fresh: "fresh"
        case .stale: "stale"
        case .expired: "expired"
        case nil: "unknown"
        }
    }

    static func templateViews(_ set: TemplateSet) -> [SyncView.Template] {
        set.all.map { tier, source in
            SyncView.Template(
                tier: tier.rawValue, name: source.name, label: source.label, origin: source.origin.rawValue, digest: source.digest)
        }
    }
}
