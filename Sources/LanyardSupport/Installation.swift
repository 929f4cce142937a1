public import Foundation

/// Where what ships with Lanyard is, and where its state goes by default.
///
/// The bundled templates, sample event and printer profiles are under `$LANYARD_HOME`, else
/// `<prefix>/share/lanyard` for an executable installed as `<prefix>/bin/lanyard` (the Debian
/// package), else the nearest directory holding `firmware-profiles/` above the executable (a
/// source checkout's `.build/<config>/lanyard`), else the current directory.
public enum Installation {
    public static let home: URL = {
        if let env = ProcessInfo.processInfo.environment["LANYARD_HOME"], !env.isEmpty {
            return URL(filePath: env, directoryHint: .isDirectory)
        }
        var dir = executable.deletingLastPathComponent()
        let installed = dir.deletingLastPathComponent().appending(path: "share/lanyard", directoryHint: .isDirectory)
        if FileManager.default.fileExists(atPath: installed.appending(path: "firmware-profiles").path) { return installed }
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appending(path: "firmware-profiles").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return URL(filePath: FileManager.default.currentDirectoryPath, directoryHint: .isDirectory)
    }()

    /// The running executable. `argv[0]` is only the name typed when the shell found it on
    /// `$PATH`, so the kernel's link to the executable comes first.
    public static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(filePath: path)
        }
        return URL(filePath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    public static var layout: ResourceLayout { ResourceLayout(home: home) }
    public static var templates: URL { layout.templates }
    public static var profiles: URL { layout.profiles }
    public static var sampleEvent: URL { layout.sampleEvent }
    public static var sampleAttendees: URL { layout.sampleAttendees }

    /// Where the agent keeps its database: `$LANYARD_STATE_DIR`, else /var/lib/lanyard when this
    /// user may write there (the packaged agent), else `$XDG_STATE_HOME/lanyard` or
    /// ~/.local/state/lanyard (a technician's own runs).
    public static var stateDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["LANYARD_STATE_DIR"], !path.isEmpty { return URL(filePath: path, directoryHint: .isDirectory) }
        if FileManager.default.isWritableFile(atPath: "/var/lib/lanyard") {
            return URL(filePath: "/var/lib/lanyard", directoryHint: .isDirectory)
        }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            return URL(filePath: state, directoryHint: .isDirectory).appending(path: "lanyard")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appending(path: ".local/state/lanyard")
    }
}

/// What ships with Lanyard, below its home: laid out the same in a source checkout, the Debian
/// package's share directory and a test's repository root.
public struct ResourceLayout: Sendable, Equatable {
    public let home: URL

    public init(home: URL) { self.home = home }

    public var templates: URL { home.appending(path: "Templates") }
    public var profiles: URL { home.appending(path: "firmware-profiles") }
    public var sampleEvent: URL { templates.appending(path: "sample-event.yaml") }
    public var sampleAttendees: URL { templates.appending(path: "sample-attendees.jsonl") }
    /// The kiosk's pages, served by the agent.
    public var web: URL { home.appending(path: "web") }
}
