public import LanyardSupport

/// A failure of the local database: which operation, and SQLite's own words.
public typealias StoreError = CodedError<StoreErrorCode>

/// The stored sync cursor of an event (nil: none yet) and the one a refused snapshot or
/// delta was built on.
public struct StoreCursorConflict: ErrorFacts, Equatable {
    public let stored: Int64?
    public let given: Int64

    public init(stored: Int64?, given: Int64) {
        self.stored = stored
        self.given = given
    }

    public var description: String { "stored cursor \(stored.map(String.init) ?? "none"), given \(given)" }
}

/// The two ends of a refused job state change.
public struct RefusedJobTransition: ErrorFacts, Equatable {
    public let from: JobState
    public let to: JobState

    public init(from: JobState, to: JobState) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from.rawValue) -> \(to.rawValue)" }
}

extension CodedError where Code == StoreErrorCode {
    public typealias Transition = RefusedJobTransition
    public typealias CursorConflict = StoreCursorConflict

    /// `path` is the database file; `underlying` GRDB's or the encoder's error; `transition` the
    /// two ends of a refused job state change; `cursor` both cursors of a refused sync step, so
    /// the caller can decide what to fetch next without parsing the message.
    public init(
        _ code: Code, _ message: String, path: String? = nil, underlying: (any Error)? = nil,
        transition: RefusedJobTransition? = nil, cursor: StoreCursorConflict? = nil
    ) {
        self.init(code, message, context: path, underlying: underlying, facts: transition.map { $0 as any ErrorFacts } ?? cursor)
    }

    public var path: String? { context }
    public var transition: RefusedJobTransition? { facts(as: RefusedJobTransition.self) }
    public var cursor: StoreCursorConflict? { facts(as: StoreCursorConflict.self) }
}
