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

    static func openStore() throws -> LanyardStore {
        try LanyardStore(dataDirectory: url)
    }
}
