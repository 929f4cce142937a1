import Foundation

/// A one-line progress bar on stderr, only when stderr is a terminal.
public final class ProgressBar {
    private let enabled = isatty(2) == 1
    private var lastDrawn = -1

    public init() {}

    /// Without a total (CSV, whose records may span lines) it counts records instead.
    public func update(_ done: Int, of total: Int?) {
        guard enabled else { return }
        guard let total, total > 0 else {
            if done % 25 == 0 { FileHandle.standardError.write(Data("\r\(done) records".utf8)) }
            return
        }
        let percent = done * 100 / total
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    public func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
