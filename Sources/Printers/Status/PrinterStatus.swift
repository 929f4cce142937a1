/// One condition a printer can be in. Several may hold at once (paused with the head open); a
/// printer is ready only when none of the blocking ones does.
public enum PrinterCondition: String, Sendable, Codable, CaseIterable, Comparable {
    case ready
    case paused
    case paperOut = "paper_out"
    case ribbonOut = "ribbon_out"
    case headOpen = "head_open"
    case bufferFull = "buffer_full"
    case tooHot = "too_hot"
    case tooCold = "too_cold"
    /// A fault other than the above (cutter, printhead element, firmware configuration...).
    case fault
    case unplugged
    /// The printer did not answer, or answered something that could not be read.
    case unknown

    /// Conditions that stop a badge from printing: the spooler holds jobs (it does not fail
    /// them) until they clear.
    public var blocksPrinting: Bool { self != .ready }

    public static func < (lhs: PrinterCondition, rhs: PrinterCondition) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a printer said about itself, merged from whatever queries its language offers (`~HS`,
/// `~HQES`, EPL status, the USB port status byte). Printer state is read, not assumed: a silent
/// printer is `unknown`, never `ready`.
public struct PrinterStatus: Sendable, Equatable, Codable {
    /// Never empty: `[.ready]` when nothing is wrong.
    public var conditions: Set<PrinterCondition>
    /// Formats (labels) received but not yet printed, when the printer reports it.
    public var formatsInBuffer: Int?
    /// Labels left in the current batch (`~HS` string 2), when reported.
    public var labelsRemaining: Int?
    /// Human-readable details: each error and warning bit by name, e.g. "media out", "clean printhead".
    public var errors: [String]
    public var warnings: [String]

    public init(
        conditions: Set<PrinterCondition>, formatsInBuffer: Int? = nil, labelsRemaining: Int? = nil,
        errors: [String] = [], warnings: [String] = []
    ) {
        let blocking = conditions.subtracting([.ready])
        self.conditions = blocking.isEmpty ? [.ready] : blocking
        self.formatsInBuffer = formatsInBuffer
        self.labelsRemaining = labelsRemaining
        self.errors = errors
        self.warnings = warnings
    }

    public static let unknown = PrinterStatus(conditions: [.unknown])
    public static let unplugged = PrinterStatus(conditions: [.unplugged])

    public var isReady: Bool { conditions == [.ready] }

    /// The conditions in a fixed order, for display and logs.
    public var sortedConditions: [PrinterCondition] { conditions.sorted() }

    /// Combines two readings of the same moment (e.g. `~HS` and `~HQES`): conditions add up,
    /// counts prefer the reading that has them.
    public func merged(with other: PrinterStatus) -> PrinterStatus {
        var conditions = self.conditions.union(other.conditions).subtracting([.ready])
        // A reading that knows something beats one that does not.
        if conditions.count > 1 { conditions.remove(.unknown) }
        return PrinterStatus(
            conditions: conditions,
            formatsInBuffer: formatsInBuffer ?? other.formatsInBuffer,
            labelsRemaining: labelsRemaining ?? other.labelsRemaining,
            errors: errors + other.errors.filter { !errors.contains($0) },
            warnings: warnings + other.warnings.filter { !warnings.contains($0) })
    }
}
