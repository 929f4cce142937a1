import Foundation
import LanyardSupport
import YAMLReading

/// How long each stage of one badge may take (`limits:`). A badge past its limit is abandoned and
/// dead-lettered with its raw payload (`agent.execution_timeout`); the printer goes on with the
/// next. Badges render in 20 to 60 ms and registrations pass intake in well under a millisecond,
/// so the defaults are far from normal work: they catch a hang, not a slow box.
public struct LimitSettings: Sendable, Equatable, Decodable {
    /// Seconds intake (decoding and validating one registration) may take before the request is
    /// answered 422 and the registration dead-lettered.
    public var intakeSeconds: Double = 5
    /// Seconds rendering one badge may take, every template tier tried included (and a cold
    /// render child's start).
    public var renderSeconds: Double = 10
    /// Seconds encoding one rendered badge for the printer may take.
    public var encodeSeconds: Double = 10
    /// Seconds a render child may sit unused before it is stopped: an idle kiosk keeps no second
    /// process with fonts loaded; the next badge starts one again (cold, tens of milliseconds).
    public var renderChildIdleSeconds: Double = 300

    /// What no limit may exceed: a stage allowed more than ten minutes is not bounded.
    static let maximumSeconds: Double = 600

    enum CodingKeys: String, CodingKey, CaseIterable {
        case intakeSeconds = "intake_seconds", renderSeconds = "render_seconds", encodeSeconds = "encode_seconds"
        case renderChildIdleSeconds = "render_child_idle_seconds"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        intakeSeconds = try c.decodeIfPresent(Double.self, forKey: .intakeSeconds) ?? 5
        renderSeconds = try c.decodeIfPresent(Double.self, forKey: .renderSeconds) ?? 10
        encodeSeconds = try c.decodeIfPresent(Double.self, forKey: .encodeSeconds) ?? 10
        renderChildIdleSeconds = try c.decodeIfPresent(Double.self, forKey: .renderChildIdleSeconds) ?? 300
    }

    func validate() throws(AgentError) {
        let stages: [(String, Double)] = [
            ("intake_seconds", intakeSeconds), ("render_seconds", renderSeconds), ("encode_seconds", encodeSeconds),
        ]
        for (key, value) in stages where !(value > 0 && value <= Self.maximumSeconds) {
            throw AgentError(
                .configurationInvalid, "limits.\(key) must be more than 0 and at most \(Int(Self.maximumSeconds)) seconds",
                detail: "limits.\(key): \(value)")
        }
        guard renderChildIdleSeconds >= 1, renderChildIdleSeconds.isFinite else {
            throw AgentError(
                .configurationInvalid, "limits.render_child_idle_seconds must be at least 1 second",
                detail: "limits.render_child_idle_seconds: \(renderChildIdleSeconds)")
        }
    }

    static func duration(_ seconds: Double) -> Duration { .nanoseconds(Int64((seconds * 1e9).rounded())) }
}
