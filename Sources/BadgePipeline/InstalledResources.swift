public import Attendees
public import Badges
import Foundation
public import LanyardSupport
public import Logging
public import Printers

/// The bundled templates, sample event and printer profiles (`Installation`), loaded.
extension Installation {
    /// The event configuration at `path`, else the sample event.
    public static func event(_ path: String?) throws -> EventConfiguration {
        try EventConfiguration.load(file: path.map { URL(filePath: $0) } ?? sampleEvent)
    }

    /// A profile by id from the profile directory, or from a YAML file when given a path.
    public static func profile(_ nameOrFile: String, directory: String?) throws -> PrinterProfile {
        if nameOrFile.hasSuffix(".yaml") || nameOrFile.hasSuffix(".yml") || nameOrFile.contains("/") {
            return try ProfileLibrary.load(file: nameOrFile)
        }
        return try ProfileLibrary.load(directory: directory ?? profiles.path).require(id: nameOrFile)
    }

    public static func bundle(_ path: String) throws -> TemplateBundle {
        try TemplateBundle.load(directory: URL(filePath: path, directoryHint: .isDirectory))
    }

    /// The libraries' logger for command-line work: warnings and worse.
    public static var quietLogger: Logger {
        var logger = Logger(label: "lanyard")
        logger.logLevel = .warning
        return logger
    }
}
