import Badges
import Foundation
import Logging
import Printers

/// Where the bundled templates, the sample event and the printer profiles are: `$LANYARD_HOME`,
/// else `<prefix>/share/lanyard` for an executable installed as `<prefix>/bin/lanyard` (the
/// Debian package), else the nearest directory holding `firmware-profiles/` above the executable
/// (a source checkout's `.build/<config>/lanyard`), else the current directory.
enum Resources {
    static let home: URL = {
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
    private static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(filePath: path)
        }
        return URL(filePath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    static var templates: URL { home.appending(path: "Templates") }
    static var profiles: URL { home.appending(path: "firmware-profiles") }
    static var sampleEvent: URL { templates.appending(path: "sample-event.yaml") }
    static var sampleAttendees: URL { templates.appending(path: "sample-attendees.jsonl") }

    static func event(_ path: String?) throws -> EventConfiguration {
        try EventConfiguration.load(file: path.map { URL(filePath: $0) } ?? sampleEvent)
    }

    /// A profile by id from the profile directory, or from a YAML file when given a path.
    static func profile(_ nameOrFile: String, directory: String?) throws -> PrinterProfile {
        if nameOrFile.hasSuffix(".yaml") || nameOrFile.hasSuffix(".yml") || nameOrFile.contains("/") {
            return try ProfileLibrary.load(file: nameOrFile)
        }
        return try ProfileLibrary.load(directory: directory ?? profiles.path).require(id: nameOrFile)
    }

    static func bundle(_ path: String) throws -> TemplateBundle {
        try TemplateBundle.load(directory: URL(filePath: path, directoryHint: .isDirectory))
    }

    static var logger: Logger {
        var logger = Logger(label: "lanyard")
        logger.logLevel = .warning
        return logger
    }
}
