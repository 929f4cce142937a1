import LanyardSupport
import Badges
import Foundation
import Hummingbird
import Sync

/// `GET /v1/sync`: what the kiosk runs and how fresh its registry metadata is.
extension AgentAPI {
    static func addSyncRoutes(to router: Router<BasicRequestContext>, core: AgentCore) {
        router.get("/v1/sync") { request, _ in
            await handle(request) { _ in json(.ok, await syncObject(core)) }
        }
    }

    static func syncObject(_ core: AgentCore) async -> [String: Any] {
        var object: [String: Any] = ["enabled": core.sync != nil]
        if let templates = core.templates {
            object["templates"] = templateObjects(templates.current)
            if let stable = templates.lastStable { object["last_stable"] = templateObjects(stable) }
            object["activated_at"] = Timestamps.iso8601(templates.activatedAt)
        }
        guard let sync = core.sync else { return object }
        let status = sync.status
        object["agent_id"] = sync.agentID
        object["freshness"] = freshnessName(status.freshness)
        object["root_version"] = status.rootVersion
        object["consecutive_failures"] = status.consecutiveFailures
        if let version = status.targetsVersion { object["targets_version"] = version }
        if let at = status.lastFreshRefresh { object["last_fresh_refresh"] = Timestamps.iso8601(at) }
        if let at = status.lastAttempt { object["last_attempt"] = Timestamps.iso8601(at) }
        if let error = status.lastError {
            var detail: [String: Any] = ["code": error.code.rawValue, "message": error.message]
            if let subject = error.subject { detail["subject"] = subject }
            object["last_error"] = detail
        }
        var attendees: [String: Any] = ["event": core.event.slug, "follows_changes": sync.attendeeChanges != nil]
        if let cursor = status.attendeeCursor { attendees["cursor"] = cursor }
        if let error = status.attendeeChangesError { attendees["error"] = ["code": error.code.rawValue, "message": error.message] }
        object["attendees"] = attendees
        object["rolled_back"] = sync.rollbacks.map {
            ["target": $0.target, "label": $0.label, "digest": $0.digest, "reason": $0.reason, "at": Timestamps.iso8601($0.at)]
        }
        return object
    }

    static func freshnessName(_ freshness: Freshness?) -> String {
        switch freshness {
        case .fresh: "fresh"
        case .stale: "stale"
        case .expired: "expired"
        case nil: "unknown"
        }
    }

    static func templateObjects(_ set: TemplateSet) -> [[String: Any]] {
        set.all.map { tier, source in
            var object: [String: Any] = ["tier": tier.rawValue, "name": source.name, "label": source.label, "origin": source.origin.rawValue]
            if let digest = source.digest { object["digest"] = digest }
            return object
        }
    }
}
