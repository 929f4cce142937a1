public import LanyardSupport

extension StoreError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { path }
    public var exitStatus: ExitStatus { .ioFailed }
    /// A request that conflicts with a record's state (a reprint of an unfinished job, a second
    /// replay) is 409, not the store failing (503).
    public var httpStatus: Int {
        switch code {
        case .notFound: 404
        case .invalidTransition, .invalidValue, .jobNotFinished, .alreadyReplayed, .cursorMismatch, .snapshotStale: 409
        case .openFailed, .migrationFailed, .queryFailed, .queueFull, .corruptRecord: 503
        }
    }
}
