import Foundation
import LanyardSupport

/// One publication timed across the fleet, in seconds after the publication ended.
struct PublishRound {
    var label: String
    var kiosks: Int
    /// Long-polls waiting on the servers when it was published.
    var parked: Int
    /// When each kiosk that took the release held it, sorted.
    var held: [Double] = []
    /// When each of those kiosks' long-poll was answered (or its step otherwise began), sorted.
    var woken: [Double] = []
    /// Each kiosk's step from its long-poll's answer to the release held (refresh, fetch, verify).
    var stepSeconds: [Double] = []
    /// CPU time the servers, PostgreSQL and this process (the kiosks) used from publication to
    /// the end of the round.
    var serverCPU = 0.0
    var databaseCPU = 0.0
    var ownCPU = 0.0

    /// Seconds until `share` of the kiosks held the release; nil when fewer had by the timeout.
    func seconds(toShare share: Double) -> Double? {
        let needed = max(1, Int((share * Double(kiosks)).rounded(.up)))
        return held.count >= needed ? held[needed - 1] : nil
    }

    var line: String {
        "\(label): \(parked) waiting; 95 % at \(ScaleReport.seconds(seconds(toShare: 0.95))), "
            + "100 % at \(ScaleReport.seconds(seconds(toShare: 1))) (\(held.count) of \(kiosks)); long-poll answered p50 "
            + "\(ScaleReport.seconds(woken.percentile(50))) p95 \(ScaleReport.seconds(woken.percentile(95))); refresh + fetch p50 "
            + "\(ScaleReport.milliseconds(stepSeconds.percentile(50))) p95 \(ScaleReport.milliseconds(stepSeconds.percentile(95))); "
            + "CPU: servers \(BenchCommand.fmt(serverCPU)) s, PostgreSQL \(BenchCommand.fmt(databaseCPU)) s, kiosks \(BenchCommand.fmt(ownCPU)) s"
    }
}

/// The sustained check-in uploads.
struct UploadResult {
    var seconds = 0.0
    var accepted = 0
    var duplicates = 0
    var batches = 0
    var failures = 0
    /// Per batch, milliseconds from request to decoded answer.
    var latencies: [Double] = []
    var messages: [String] = []
    var serverCPU = 0.0
    var databaseCPU = 0.0
    var ownCPU = 0.0
    /// Long-polls still waiting when the uploads ended.
    var waitingAfter = 0

    init() {}

    init(seconds: Double, summary: (accepted: Int, duplicates: Int, batches: Int, failures: Int, latencies: [Double], messages: [String])) {
        self.seconds = seconds
        (accepted, duplicates, batches, failures, latencies, messages) = summary
    }

    var perMinute: Double { seconds > 0 ? Double(accepted) / seconds * 60 : 0 }

    var line: String {
        "check-in uploads for \(BenchCommand.fmt(seconds)) s: \(accepted) accepted (\(Int(perMinute.rounded())) a minute) in \(batches) "
            + "batches, \(duplicates) duplicates, \(failures) failed; latency p50 \(ScaleReport.milliseconds(latencies.percentile(50) / 1000)) "
            + "p95 \(ScaleReport.milliseconds(latencies.percentile(95) / 1000)); CPU: servers \(BenchCommand.fmt(serverCPU)) s, "
            + "PostgreSQL \(BenchCommand.fmt(databaseCPU)) s, kiosks "
            + "\(BenchCommand.fmt(ownCPU)) s; \(waitingAfter) long-polls waiting at the end"
            + (messages.isEmpty ? "" : "\n  failures: " + messages.joined(separator: "\n  "))
    }
}

/// The event day and the database it left.
struct DayResult {
    var listSeconds = 0.0
    var uploadSeconds = 0.0
    var checkIns = 0
    var printResults = 0
    var reports = 0
    var failedRequests = 0
    var bytes = 0
    var parts: [(name: String, bytes: Int)] = []
    /// The database as the servers created it, before the day.
    var emptyBytes = 0
}

struct ScaleStoreResult {
    var store: ScaleStore
    var kiosks: Int
    var firstSync = 0.0
    var day = DayResult()
    var rounds: [PublishRound] = []
    var afterUploads: PublishRound?
    var uploads = UploadResult()
    var failures: (sync: Int, notify: Int, messages: [String]) = (0, 0, [])
}

/// The benchmark's closing tables.
enum ScaleReport {
    static let target = 10.0

    static func summary(_ results: [ScaleStoreResult], options: FleetScaleBenchOptions) -> String {
        var rows: [[String]] = []
        rows.append(
            ["publish -> 95 % of kiosks on the new release, p50 / p95 of \(options.rounds) rounds"]
                + results.map { result in
                    let times = result.rounds.map { $0.seconds(toShare: 0.95) ?? .infinity }
                    let met = times.percentile(95) <= target
                    return "\(seconds(times.percentile(50))) / \(seconds(times.percentile(95))) (\(met ? "met" : "not met"))"
                } + ["<= 10 s"])
        rows.append(
            ["publish -> 100 %, p50 / p95"]
                + results.map { result in
                    let times = result.rounds.map { $0.seconds(toShare: 1) ?? .infinity }
                    return "\(seconds(times.percentile(50))) / \(seconds(times.percentile(95)))"
                } + [""])
        rows.append(
            ["publish right after the uploads -> 95 % / 100 %"]
                + results.map { result in
                    guard let after = result.afterUploads else { return "-" }
                    return "\(seconds(after.seconds(toShare: 0.95))) / \(seconds(after.seconds(toShare: 1)))"
                } + [""])
        rows.append(
            ["CPU in a round, p50: servers / PostgreSQL / kiosks"]
                + results.map { result in
                    "\(BenchCommand.fmt(result.rounds.map(\.serverCPU).percentile(50))) / "
                        + "\(BenchCommand.fmt(result.rounds.map(\.databaseCPU).percentile(50))) / "
                        + "\(BenchCommand.fmt(result.rounds.map(\.ownCPU).percentile(50))) s"
                } + [""])
        rows.append(
            ["CPU during the uploads: servers / PostgreSQL / kiosks"]
                + results.map { result in
                    "\(BenchCommand.fmt(result.uploads.serverCPU)) / \(BenchCommand.fmt(result.uploads.databaseCPU)) / "
                        + "\(BenchCommand.fmt(result.uploads.ownCPU)) s"
                } + [""])
        rows.append(
            ["check-ins accepted per minute (batches of 2-6, back to back)"]
                + results.map {
                    "\(Int($0.uploads.perMinute.rounded()))" + ($0.uploads.failures > 0 ? " (\($0.uploads.failures) failed)" : "")
                }
                + [""])
        rows.append(
            ["check-in upload latency p50 / p95"]
                + results.map {
                    "\(milliseconds($0.uploads.latencies.percentile(50) / 1000)) / \(milliseconds($0.uploads.latencies.percentile(95) / 1000))"
                } + [""])
        rows.append(
            ["database after the event day (empty)"]
                + results.map { "\(megabytes($0.day.bytes)) (\(megabytes($0.day.emptyBytes)))" } + [""])
        var text = TextTable.render(header: ["\(results.first?.kiosks ?? 0) kiosks"] + results.map(\.store.title) + ["target"], rows: rows)
        for result in results {
            text +=
                "\n\(result.store.title): database parts: "
                + result.day.parts.map { "\($0.name) \(megabytes($0.bytes))" }.joined(separator: ", ")
            text += "\n\(result.store.title): kiosk steps failed \(result.failures.sync), long-polls failed \(result.failures.notify)"
            for message in result.failures.messages { text += "\n  \(message)" }
        }
        return text
    }

    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "not reached" }
        return String(format: "%.2f s", value)
    }

    static func milliseconds(_ value: Double) -> String { String(format: value * 1000 < 10 ? "%.2f ms" : "%.0f ms", value * 1000) }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
