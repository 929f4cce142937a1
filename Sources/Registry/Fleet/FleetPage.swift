import Foundation
import LanyardSupport
import Sync

/// `/fleet`: one server-rendered table for people at an event's operations desk. No script: it
/// reloads itself every 30 seconds. Everything an agent reported is escaped, since reports are
/// written by kiosks, not by the operator.
struct FleetPage {
    /// An agent not heard from for longer than this is marked as late.
    static let lateAfter: TimeInterval = 300

    var agents: [FleetAgent]
    var repository: RepositoryVersions
    /// The latest entries of the audit log, newest first: who changed what, and why.
    var changes: [AuditEntry] = []
    var now: Date

    func html() -> String {
        var rows = ""
        for agent in agents { rows += row(agent) }
        if agents.isEmpty { rows = "<tr><td colspan=\"9\">No agent has reported yet.</td></tr>\n" }
        let expires = repository.timestampExpires.map(Timestamps.iso8601) ?? "—"
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="refresh" content="30">
            <title>Lanyard fleet</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #111; }
            table { border-collapse: collapse; width: 100%; }
            th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
            th { background: #f0f0f0; }
            ul { margin: 0; padding-left: 1.1em; }
            .late, .behind, .stale { background: #fff4cc; }
            .expired, .down { background: #ffd6d6; }
            .muted { color: #666; }
            </style>
            </head>
            <body>
            <h1>Lanyard fleet</h1>
            <p>Repository: timestamp version \(repository.timestampVersion), targets version \(repository.targetsVersion), \
            timestamp expires \(escape(expires)). \(agents.count) agent(s). Generated \(escape(Timestamps.iso8601(now))).</p>
            <table>
            <thead><tr><th>Agent</th><th>Last seen</th><th>Targets</th><th>Freshness</th><th>Templates</th><th>Printers</th>\
            <th>Queue</th><th>Last rollbacks</th><th>Print results</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            <h2>Recent changes</h2>
            \(changeTable())
            </body>
            </html>

            """
    }

    private func row(_ agent: FleetAgent) -> String {
        let report = agent.report
        let age = now.timeIntervalSince(agent.lastSeen)
        let lastSeen = "\(escape(Timestamps.iso8601(agent.lastSeen)))<br><span class=\"muted\">\(Self.ago(age))</span>"
        let behind = (report.targetsVersion ?? 0) < repository.targetsVersion
        let targets = report.targetsVersion.map { "\($0)" } ?? "none"
        let templates = list(report.templates.map { "\(escape($0.name)) \(escape($0.label)) (\($0.state.rawValue))" })
        let printers = list(
            report.printers.map { printer in
                let conditions = printer.conditions.isEmpty ? "" : ": " + printer.conditions.map(escape).joined(separator: ", ")
                return
                    "\(escape(printer.id)) \(escape(printer.activity)), \(printer.ready ? "ready" : "<strong>not ready</strong>")\(conditions)"
            })
        let rollbacks = list(
            report.rollbacks.suffix(3).reversed().map { rollback in
                "\(escape(rollback.name)) \(escape(rollback.from)) → \(escape(rollback.to)): \(escape(rollback.reason)) "
                    + "<span class=\"muted\">\(escape(Timestamps.iso8601(rollback.at)))</span>"
            })
        let results = agent.printResults.keys.sorted().map { "\(escape($0)) \(agent.printResults[$0] ?? 0)" }.joined(separator: "<br>")
        let notReady = report.printers.contains { !$0.ready }
        return """
            <tr>\
            <td>\(escape(agent.agentID))<br><span class="muted">key \(escape(String(agent.keyID.prefix(12))))</span></td>\
            <td\(age > Self.lateAfter ? " class=\"late\"" : "")>\(lastSeen)</td>\
            <td\(behind ? " class=\"behind\"" : "")>\(targets) of \(repository.targetsVersion)</td>\
            <td class="\(report.freshness.rawValue)">\(report.freshness.rawValue)</td>\
            <td>\(templates)</td>\
            <td\(notReady ? " class=\"down\"" : "")>\(printers)</td>\
            <td>\(report.queueDepth)</td>\
            <td>\(rollbacks)</td>\
            <td>\(results.isEmpty ? "—" : results)</td>\
            </tr>

            """
    }

    private func changeTable() -> String {
        guard !changes.isEmpty else { return "<p>No publication, attendee push or token change recorded yet.</p>" }
        var rows = ""
        for change in changes {
            let detail = change.detail.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            rows += """
                <tr><td>\(escape(Timestamps.iso8601(change.at)))</td><td>\(escape(change.actor))</td>\
                <td>\(escape(change.action.rawValue))</td><td>\(escape(change.subject))</td>\
                <td>\(escape(change.reason ?? "—"))</td><td>\(list(detail.map(escape)))</td></tr>

                """
        }
        return """
            <table>
            <thead><tr><th>When</th><th>Who</th><th>What</th><th>Of</th><th>Why</th><th>Detail</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            """
    }

    private func list(_ items: [String]) -> String {
        items.isEmpty ? "—" : "<ul>" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    static func ago(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds))
        if whole < 120 { return "\(whole) s ago" }
        if whole < 7_200 { return "\(whole / 60) min ago" }
        if whole < 172_800 { return "\(whole / 3_600) h ago" }
        return "\(whole / 86_400) days ago"
    }

    func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
