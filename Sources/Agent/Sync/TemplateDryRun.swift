public import Badges
import Dispatch
import Foundation
public import Logging
import Printers

/// Renders a candidate template bundle for every synthetic attendee (long names, every script a
/// venue door sees, every access tier, empty optional fields) at the printer's resolution before
/// it may be promoted. A bundle passes when it loads, its fonts are all there, and no badge has
/// an issue that would stop it printing.
public enum TemplateDryRun {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var template: String
        public var reason: String
        public var description: String { "\(template): \(reason)" }
    }

    /// The same, on a thread of its own: sixteen renders are too long to hold one of the few
    /// threads of Swift's cooperative pool, which the HTTP API and the printer workers share.
    public static func checkOffPool(_ source: TemplateSource, event: EventConfiguration, dpi: Int, logger: Logger) async throws(Failure) {
        let result: Result<Void, Failure> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(Failure) in try check(source, event: event, dpi: dpi, logger: logger) })
            }
        }
        try result.get()
    }

    public static func check(_ source: TemplateSource, event: EventConfiguration, dpi: Int, logger: Logger) throws(Failure) {
        let renderer: BadgeRenderer
        do {
            _ = try BundleManifest.verify(directory: source.directory)
            renderer = try BadgeRenderer(bundle: try TemplateBundle.load(directory: source.directory), dpi: dpi, logger: logger)
        } catch {
            throw Failure(template: source.name, reason: error.description)
        }
        if let missing = renderer.fontWarnings.first { throw Failure(template: source.name, reason: missing.message) }
        for synthetic in SyntheticAttendees.cases {
            do {
                let badge = try renderer.render(fields: BadgeFields.fields(synthetic: synthetic.fields, event: event))
                if let blocking = BadgeComposer.blockingIssue(in: badge) {
                    throw Failure(template: source.name, reason: "\(synthetic.label): \(blocking.message)")
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(template: source.name, reason: "\(synthetic.label): \(error)")
            }
        }
    }
}
