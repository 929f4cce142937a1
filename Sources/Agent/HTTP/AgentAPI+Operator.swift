import Foundation
import Glibc
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Store

/// What the operator page reads (`web/operator.html`): one overview it polls while on screen,
/// and the check-ins made here. Both need an operator (or admin) sign-in or the admin token.
/// Everything comes from the store and the state the workers publish; nothing waits on a
/// printer.
extension AgentAPI {
    /// The series' bucket: ten minutes, so six hours are 36 bars and a day 144.
    static let outcomeBucketSeconds = 600
    static let overviewHours = 1...24
    static let overviewDefaultHours = 6
    static let overviewListLimit = 50
    static let overviewCheckIns = 20

    static func addOperatorRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.get("/v1/operator/overview") { request, context in
            try authorize(request, core: core, role: .operator)
            let hours = try hoursParameter(request)
            return json(.ok, try await Blocking.run { try operatorOverview(core, hours: hours) })
        }
        router.get("/v1/checkins") { request, context in
            try authorize(request, core: core, role: .operator)
            let limit = min(200, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 50))
            let before = request.uri.queryParameters.get("before", as: Int64.self)
            return json(.ok, CheckInList(checkIns: try checkInViews(core.store, limit: limit, before: before)))
        }
    }

    static func hoursParameter(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("hours") else { return overviewDefaultHours }
        guard let hours = Int(text), overviewHours.contains(hours) else {
            throw AgentError(
                .requestInvalid, "hours is a whole number from \(overviewHours.lowerBound) to \(overviewHours.upperBound)",
                detail: "hours")
        }
        return hours
    }

    static func operatorOverview(_ core: AgentCore, hours: Int, now: Date = Date()) throws -> OperatorOverview {
        let store = core.store
        let bucket = outcomeBucketSeconds
        let count = hours * 3600 / bucket
        // Buckets end on the clock's ten minutes; the last one is the one running now.
        let end = (now.timeIntervalSince1970 / Double(bucket)).rounded(.down) * Double(bucket) + Double(bucket)
        let start = Date(timeIntervalSince1970: end - Double(count * bucket))
        let printers = printerViews(core)
        return OperatorOverview(
            generatedAt: Timestamps.iso8601(now),
            health: OperatorHealthView(
                printers: printers, readiness: readiness(core), registry: registryHealth(core, now: now),
                disk: diskSpace(URL(filePath: store.path).deletingLastPathComponent().path),
                queueDepth: printers.reduce(0) { $0 + $1.queueDepth }, simulatedPrinter: core.printsToSimulator ? true : nil),
            jobs: try store.recentJobs(state: nil, limit: overviewListLimit).map(OperatorJobView.init),
            deadLetters: try store.deadLetters(limit: overviewListLimit).map(DeadLetterView.init),
            manualReview: try store.openManualReviews(limit: overviewListLimit).map(OperatorJobView.init),
            checkIns: try checkInViews(store, limit: overviewCheckIns, before: nil),
            series: OutcomeSeriesView(
                hours: hours, bucketSeconds: bucket, buckets: try store.jobOutcomes(from: start, bucketSeconds: bucket, count: count)),
            overdue: try core.overdueJobs(now: now, limit: overviewListLimit).map(OperatorJobView.init),
            destinations: core.configuration.destinations.compactMap { core.destinations[$0.id]?.status },
            alerts: OperatorAlertsView(core.alerts.current))
    }

    static func checkInViews(_ store: LanyardStore, limit: Int, before: Int64?) throws -> [OperatorCheckInView] {
        let listed = try store.recentCheckIns(limit: limit, before: before)
        let attendees = try store.attendees(ids: listed.map(\.checkIn.attendeeID))
        return listed.map { OperatorCheckInView($0, attendee: attendees[$0.checkIn.attendeeID]) }
    }

    static func registryHealth(_ core: AgentCore, now: Date) -> RegistryHealthView {
        guard let sync = core.sync else { return RegistryHealthView(enabled: false, stale: false) }
        let status = sync.status
        let freshness = freshnessName(status.freshness)
        return RegistryHealthView(
            enabled: true, freshness: freshness, lastFreshRefresh: status.lastFreshRefresh.map(Timestamps.iso8601),
            ageSeconds: status.lastFreshRefresh.map { max(0, Int(now.timeIntervalSince($0))) }, stale: freshness != "fresh")
    }

    /// The space left where the agent keeps its data, as `df` reports it for an ordinary user.
    static func diskSpace(_ path: String) -> DiskSpaceView? {
        var figures = statvfs()
        guard statvfs(path, &figures) == 0, figures.f_blocks > 0 else { return nil }
        let unit = Int64(figures.f_frsize)
        let free = Int64(figures.f_bavail) * unit
        let total = Int64(figures.f_blocks) * unit
        return DiskSpaceView(freeBytes: free, totalBytes: total, freePercent: (Double(free) / Double(total) * 1000).rounded() / 10)
    }
}
