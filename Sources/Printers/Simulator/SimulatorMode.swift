/// What the simulated printer is doing, switched at run time by tests, demos and the CLI.
public enum SimulatorMode: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Prints every complete label at once.
    case ready
    /// Media out: labels are held; `~HS` goes unanswered (unless configured otherwise), `~HQES`
    /// reports "media out", EPL `^ee` reports 07.
    case paperOut
    /// Printhead open: like `paperOut`, reported as "head open" (EPL 11).
    case headOpen
    /// Paused (front-panel pause or `~PP`): labels are held, `~HS` answers with the pause flag,
    /// EPL `^ee` reports 12. `~PS` resumes.
    case paused
    /// Ready, but the connection takes at most this many bytes a second, like a printer busy
    /// decompressing graphics whose buffer is full.
    case slow(bytesPerSecond: Int)
    /// Ready, but each connection is closed after this many bytes arrive while the mode holds
    /// (a printer reset or a network drop). The bytes past the limit are discarded, and a
    /// label still incomplete at the drop is never printed.
    case dropConnection(afterBytes: Int)

    /// Modes in which a complete label waits instead of printing.
    var holdsLabels: Bool {
        switch self {
        case .paperOut, .headOpen, .paused: true
        case .ready, .slow, .dropConnection: false
        }
    }

    /// The condition a status reader should conclude from the replies in this mode.
    public var condition: PrinterCondition {
        switch self {
        case .ready, .slow, .dropConnection: .ready
        case .paperOut: .paperOut
        case .headOpen: .headOpen
        case .paused: .paused
        }
    }

    public var description: String {
        switch self {
        case .ready: "ready"
        case .paperOut: "paper out"
        case .headOpen: "head open"
        case .paused: "paused"
        case .slow(let rate): "slow (\(rate) bytes/s)"
        case .dropConnection(let limit): "drop connection after \(limit) bytes"
        }
    }
}
