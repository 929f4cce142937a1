public import Attendees
import Badges
import Foundation
import LanyardSupport
public import Logging
import Printers

/// Renders a candidate template bundle for every synthetic attendee (long names, every script a
/// venue door sees, every access tier, empty optional fields) at the printer's resolution before
/// it may be promoted. A bundle passes when it loads and `TemplateCheck` finds no error: the same
/// check, in the same words, as `lanyard templates check` and `lanyard registry publish`.
public enum TemplateDryRun {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var template: String
        public var reason: String
        public var description: String { "\(template): \(reason)" }
    }

    /// The same, on `Blocking`: sixteen renders are too long to hold one of the few threads of
    /// Swift's cooperative pool, which the HTTP API and the printer workers share.
    public static func checkOffPool(_ source: TemplateSource, event: EventConfiguration, dpi: Int, logger: Logger) async throws(Failure) {
        do {
            try await Blocking.run { try check(source, event: event, dpi: dpi, logger: logger) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(template: source.name, reason: "\(error)")
        }
    }

    public static func check(_ source: TemplateSource, event: EventConfiguration, dpi: Int, logger: Logger) throws(Failure) {
        let check: TemplateCheck
        do {
            _ = try BundleManifest.verify(directory: source.directory)
            check = try TemplateCheck(
                bundle: try TemplateBundle.load(directory: source.directory), event: event, dpis: [dpi], logger: logger)
        } catch {
            throw Failure(template: source.name, reason: error.description)
        }
        if let error = check.errors.first {
            throw Failure(template: source.name, reason: error.description)
        }
    }
}
