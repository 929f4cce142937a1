import Agent
import Foundation
import LanyardSupport
import TestSupport
import Testing
import YAMLReading

/// The Prometheus rules the package ships and the conditions the operator page evaluates are one
/// set of numbers: every expression, `for` and label of `packaging/prometheus/lanyard-alerts.rules.yml`
/// is what `AlertRules` makes of them.
@Suite struct AlertRulesFileTests {
    struct RulesFile: Decodable {
        var groups: [Group]
    }

    struct Group: Decodable {
        var name: String
        var interval: String
        var rules: [Rule]
    }

    struct Rule: Decodable {
        var record: String?
        var alert: String?
        var expr: String
        var `for`: String?
        var labels: [String: String]?
        var annotations: [String: String]?
    }

    static func load() throws -> Group {
        let text = try String(
            contentsOf: Repository.root.appending(path: "packaging/prometheus/lanyard-alerts.rules.yml"), encoding: .utf8)
        let file = try YAMLReader.decode(RulesFile.self, from: text)
        try #require(file.groups.count == 1, "one group: its rules evaluate in order, each seeing the ones before")
        return file.groups[0]
    }

    /// A PromQL number as the rules write it: 10, not 10.0.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func minutes(_ count: Int) -> String {
        count % 60 == 0 ? "\(count / 60)h" : "\(count)m"
    }

    static func words(_ expression: String) -> String {
        expression.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func everyRuleIsTheSwiftTablesNumbers() throws {
        let group = try Self.load()
        let interval = Int(AlertRules.defaultIntervalSeconds / 60)
        #expect(group.interval == "\(interval)m")
        let window = Self.minutes(AlertRules.baselineIntervals * interval)
        var byRecord: [String: String] = [:]
        var byAlert: [String: Rule] = [:]
        for rule in group.rules {
            if let record = rule.record { byRecord[record] = Self.words(rule.expr) }
            if let alert = rule.alert { byAlert[alert] = rule }
        }
        #expect(Set(byAlert.keys) == Set(AlertRules.all.flatMap { [$0.baselineAlert, $0.severeAlert] }), "the same alerts")

        for rule in AlertRules.all {
            let r = rule.record
            #expect(byRecord["\(r):mean_\(window)"] == "avg_over_time(\(r)[\(window)])")
            #expect(byRecord["\(r):stddev_\(window)"] == "stddev_over_time(\(r)[\(window)])")
            #expect(byRecord["\(r):samples_\(window)"] == "count_over_time(\(r)[\(window)])")

            let worse = rule.direction == .above ? ">=" : "<="
            let beyond = rule.direction == .above ? ">" : "<"
            let side = rule.direction == .above ? "+" : "-"
            let baseline = try #require(byAlert[rule.baselineAlert], "\(rule.baselineAlert)")
            #expect(
                Self.words(baseline.expr)
                    == "\(r) \(worse) \(Self.number(rule.floor)) and \(r) \(beyond) \(r):mean_\(window) \(side) "
                    + "\(Self.number(AlertRules.sigma)) * \(r):stddev_\(window) and \(r):samples_\(window) >= "
                    + "\(AlertRules.minimumBaselineSamples)")
            #expect(baseline.for == "\(rule.forIntervals * interval)m", "\(rule.baselineAlert)")
            #expect(baseline.labels == ["severity": "warning", "signal": rule.signal.rawValue])

            let severe = try #require(byAlert[rule.severeAlert], "\(rule.severeAlert)")
            #expect(Self.words(severe.expr) == "\(r) \(worse) \(Self.number(rule.severeFloor))")
            #expect(severe.for == "\(rule.severeForIntervals * interval)m", "\(rule.severeAlert)")
            #expect(severe.labels == ["severity": "critical", "signal": rule.signal.rawValue])

            for alert in [baseline, severe] {
                #expect(alert.annotations?["summary"]?.contains("{{ $labels.instance }}") == true, "\(alert.alert ?? "")")
                #expect(alert.annotations?["description"]?.isEmpty == false)
            }
        }
        // The signals, as the agent samples them (`AlertMonitor.sample`).
        #expect(byRecord["lanyard:queue_depth"] == "sum without (printer) (lanyard_queue_depth)")
        #expect(byRecord["lanyard:render_p95_seconds"] == "lanyard_render_duration_p95_seconds > 0")
        #expect(byRecord["lanyard:dead_letters_per_minute"] == "lanyard_dead_letters_per_minute")
        #expect(
            byRecord["lanyard:print_success_ratio"]
                == "lanyard_print_success_ratio and lanyard_jobs_ended_recent >= \(AlertRules.minimumEndedJobs)")
        #expect(byRecord["lanyard:registry_staleness_seconds"] == "lanyard_registry_seconds_since_fresh_refresh >= 0")
        #expect(Set(byRecord.keys).count == AlertRules.all.count * 4, "a signal and its three baseline figures, nothing else")
    }

    @Test func theIntervalIsASettingWithBounds() throws {
        let configuration = try YAMLReader.decode(AgentConfiguration.self, from: "alerts:\n  interval_seconds: 2\n")
        #expect(configuration.alerts.intervalSeconds == 2)
        #expect(AgentConfiguration().alerts.intervalSeconds == AlertRules.defaultIntervalSeconds)
        for bad in [0.5, 7200] {
            var refused = AgentConfiguration()
            refused.alerts.intervalSeconds = bad
            #expect(throws: AgentError.self) { try refused.validate() }
        }
        #expect(throws: (any Error).self) { try YAMLReader.decode(AgentConfiguration.self, from: "alerts:\n  window: 3\n") }
    }
}
