import Foundation
import LanyardSupport
public import Store
import YAMLReading

/// The scan-quality loop (`scan_quality:`, docs/agent.md "Scan quality"): over `window_seconds`,
/// counted again from a printer's last adjustment, a printer and template version with at least
/// `minimum_scans` reads of which more than `failure_threshold` failed gets one adjustment.
public struct ScanQualitySettings: Sendable, Equatable, Decodable {
    /// Off: reads are still counted and shown; no tuning changes.
    public var enabled = true
    public var windowSeconds: Double = 1800
    /// Fewer reads than this in the window never adjust: two bad reads of five are chance.
    public var minimumScans = 50
    /// The share of failed reads above which the loop adjusts (2 %: exactly 2 % does not).
    public var failureThreshold = 0.02

    /// The window is at most a day: the store keeps a day of reads (`LanyardStore.scanRetention`).
    static let windowRange: ClosedRange<Double> = 60...86_400

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, windowSeconds = "window_seconds", minimumScans = "minimum_scans", failureThreshold = "failure_threshold"
    }

    public init() {}

    public init(enabled: Bool = true, windowSeconds: Double = 1800, minimumScans: Int = 50, failureThreshold: Double = 0.02) {
        self.enabled = enabled
        self.windowSeconds = windowSeconds
        self.minimumScans = minimumScans
        self.failureThreshold = failureThreshold
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? 1800
        minimumScans = try c.decodeIfPresent(Int.self, forKey: .minimumScans) ?? 50
        failureThreshold = try c.decodeIfPresent(Double.self, forKey: .failureThreshold) ?? 0.02
    }

    func validate() throws(AgentError) {
        guard Self.windowRange.contains(windowSeconds) else {
            throw AgentError(
                .configurationInvalid,
                "scan_quality.window_seconds must be from \(Int(Self.windowRange.lowerBound)) to \(Int(Self.windowRange.upperBound)) seconds",
                detail: "scan_quality.window_seconds: \(windowSeconds)")
        }
        guard minimumScans >= 1 else {
            throw AgentError(
                .configurationInvalid, "scan_quality.minimum_scans must be at least 1",
                detail: "scan_quality.minimum_scans: \(minimumScans)")
        }
        guard failureThreshold > 0, failureThreshold < 1 else {
            throw AgentError(
                .configurationInvalid, "scan_quality.failure_threshold is a share between 0 and 1, such as 0.02 for 2 %",
                detail: "scan_quality.failure_threshold: \(failureThreshold)")
        }
    }

    /// Whether a window's reads call for an adjustment: enough of them, and strictly more failed
    /// than the threshold.
    public func calls(for counts: ScanCounts) -> Bool {
        counts.total >= minimumScans && counts.failureRate > failureThreshold
    }
}
