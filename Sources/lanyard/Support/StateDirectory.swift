import Agent
import Foundation
import LanyardSupport
import Store

/// The agent's data directory as the commands that write beside it find it (`Installation.stateDirectory`).
enum StateDirectory {
    static var url: URL { Installation.stateDirectory }

    /// The store in `directory`, else in the default state directory.
    static func openStore(_ directory: String? = nil) throws -> LanyardStore {
        try LanyardStore(dataDirectory: directory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? url)
    }

    /// Says so when no agent is running on `directory`: what a command writes there reaches the
    /// next agent started on it, not an agent already running on another directory.
    static func warnIfNoAgent(on directory: URL, what: String) {
        guard DataDirectoryLock.runningAgent(on: directory) == nil else { return }
        Terminal.warning(
            "no agent is running on \(directory.path); \(what) will be used by the next agent started on it, "
                + "not by an agent running on another data directory (give --data)")
    }
}
