public import Foundation
import LanyardSupport
public import Store

/// The agent's data directory as the commands that write beside it find it (`Installation.stateDirectory`).
public enum StateDirectory {
    public static var url: URL { Installation.stateDirectory }

    /// The store in `directory`, else in the default state directory.
    public static func openStore(_ directory: String? = nil) throws -> LanyardStore {
        try LanyardStore(dataDirectory: directory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? url)
    }

    /// What to say when no agent is running on `directory`: what a command writes there reaches
    /// the next agent started on it, not an agent already running on another directory.
    public static func noAgentWarning(on directory: URL, what: String) -> String? {
        guard DataDirectoryLock.runningAgent(on: directory) == nil else { return nil }
        return "no agent is running on \(directory.path); \(what) will be used by the next agent started on it, "
            + "not by an agent running on another data directory (give --data)"
    }
}
