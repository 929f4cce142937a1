import Foundation
import LanyardSupport
import YAMLReading

/// How the agent evaluates the operator page's alerts (`alerts:`, docs/alerts.md).
public struct AlertSettings: Sendable, Equatable, Decodable {
    /// Seconds between two evaluations. Every other figure of the alerts is counted in
    /// evaluations (a baseline of 180, an hour of history, each rule's `for`), so the default of
    /// 60 is the shipped Prometheus rules' minute; a shorter interval shortens all of them in
    /// proportion, for a demonstration or a test, and makes the page disagree with Prometheus.
    public var intervalSeconds: Double = AlertRules.defaultIntervalSeconds

    /// A kiosk that wakes more than once a second for its alerts gains nothing from it.
    static let intervalRange: ClosedRange<Double> = 1...3600

    enum CodingKeys: String, CodingKey, CaseIterable {
        case intervalSeconds = "interval_seconds"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        intervalSeconds = try c.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? AlertRules.defaultIntervalSeconds
    }

    func validate() throws(AgentError) {
        guard intervalSeconds.isFinite, Self.intervalRange.contains(intervalSeconds) else {
            throw AgentError(
                .configurationInvalid,
                "alerts.interval_seconds must be from \(Int(Self.intervalRange.lowerBound)) to \(Int(Self.intervalRange.upperBound)) seconds",
                detail: "alerts.interval_seconds: \(intervalSeconds)")
        }
    }
}
