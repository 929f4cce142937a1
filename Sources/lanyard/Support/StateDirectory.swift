import Agent
import Foundation
import Store

/// Where the agent keeps its database: `$LANYARD_STATE_DIR`, else /var/lib/lanyard when this
/// user may write there (the packaged agent), else `$XDG_STATE_HOME/lanyard` or
/// ~/.local/state/lanyard (a technician's own runs).
enum StateDirectory {
    static var url: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["LANYARD_STATE_DIR"], !path.isEmpty { return URL(filePath: path, directoryHint: .isDirectory) }
        if FileManager.default.isWritableFile(atPath: "/var/lib/lanyard") { return URL(filePath: "/var/lib/lanyard", directoryHint: .isDirectory) }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            return URL(filePath: state, directoryHint: .isDirectory).appending(path: "lanyard")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appending(path: ".local/state/lanyard")
    }

    /// The store in `directory`, else in the default state directory.
    static func openStore(_ directory: String? = nil) throws -> LanyardStore {
        try LanyardStore(dataDirectory: directory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? url)
    }

    /// Says so when no agent is running on `directory`: what a command writes there reaches the
    /// next agent started on it, not an agent already running on another directory.
    static func warnIfNoAgent(on directory: URL, what: String) {
        guard DataDirectoryLock.runningAgent(on: directory) == nil else { return }
        Terminal.warning("no agent is running on \(directory.path); \(what) will be used by the next agent started on it, "
            + "not by an agent running on another data directory (give --data)")
    }
}
