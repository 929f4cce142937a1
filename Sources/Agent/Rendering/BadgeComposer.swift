public import Attendees
import Badges
import Foundation
import LanyardSupport
public import Logging
public import Printers
public import Raster

/// Which template a badge was made with: the event's own, its track's default, or the global
/// fallback. Recorded on the job, logged and counted.
public enum TemplateTier: String, Sendable, Codable, CaseIterable {
    case event, track, fallback
}

/// A badge ready for the printer.
public struct ComposedBadge: Sendable {
    /// The 1-bit raster the label carries, dot for dot: what a preview shows.
    public var bitmap: Bitmap
    public var label: EncodedLabel
    public var tier: TemplateTier
    public var templateName: String
    public var templateVersion: String
    /// The registry release (its digest), or nil for a local bundle.
    public var templateRelease: String?
    public var renderSeconds: Double
}

/// Every tier failed: why each did.
public struct ComposeFailure: Error, Sendable, CustomStringConvertible {
    public var reasons: [(tier: TemplateTier, template: String, reason: String)]
    public var description: String {
        reasons.map { "\($0.tier.rawValue) template \($0.template): \($0.reason)" }.joined(separator: "; ")
    }
}

/// Renders and encodes badges for one printer, resolving the template by tier: the event's
/// bundle, then the attendee's track default, then the global fallback. A tier whose bundle does
/// not load (a file missing or not matching its manifest checksum), whose fonts are missing, or
/// whose badge cannot print (a code that cannot be made) falls through to the next; the tier
/// used is reported. The set of bundles is read once per badge from `ActiveTemplates`, so a
/// badge finishes on the versions it started with while the sync service swaps in new ones.
/// Renderers are loaded once per bundle directory and kept. Not thread-safe: one printer
/// worker owns it.
public final class BadgeComposer {
    public let profile: PrinterProfile
    public let language: PrinterLanguage
    public let templates: ActiveTemplates
    let logger: Logger
    private var renderers: [String: Result<BadgeRenderer, BadgeError>] = [:]
    /// Called after every attempt at a tier with the bundle tried and whether it rendered: what
    /// the automatic rollback after a promotion watches.
    var onAttempt: (@Sendable (TemplateSource, Bool) -> Void)?

    public init(
        templates: ActiveTemplates, profile: PrinterProfile, language: PrinterLanguage, logger: Logger,
        onAttempt: (@Sendable (TemplateSource, Bool) -> Void)? = nil
    ) {
        self.templates = templates
        self.profile = profile
        self.language = language
        self.logger = logger
        self.onAttempt = onAttempt
    }

    public func compose(_ attendee: Attendee, event: EventConfiguration, overrides: JobOverrides) throws(ComposeFailure) -> ComposedBadge {
        var failure = ComposeFailure(reasons: [])
        let fields = BadgeFields.fields(for: attendee, event: event)
        for (tier, source) in templates.current.candidates(track: attendee.track) {
            let name = source.name
            let start = ContinuousClock.now
            do {
                let renderer = try renderer(for: source)
                if let missing = renderer.blockingIssue {
                    failure.reasons.append((tier, name, missing.message))
                    onAttempt?(source, false)
                    continue
                }
                let badge = try renderer.render(fields: fields)
                if let blocking = badge.blockingIssue {
                    failure.reasons.append((tier, name, blocking.message))
                    onAttempt?(source, false)
                    continue
                }
                onAttempt?(source, true)
                let label = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: language, overrides: overrides)
                let elapsed = ContinuousClock.now - start
                return ComposedBadge(
                    bitmap: badge.bitmap, label: label, tier: tier, templateName: renderer.bundle.template.name,
                    templateVersion: renderer.bundle.template.version, templateRelease: source.digest,
                    renderSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            } catch let error as BadgeError {
                failure.reasons.append((tier, name, error.description))
                onAttempt?(source, false)
            } catch {
                failure.reasons.append((tier, name, "\(error)"))
                onAttempt?(source, false)
            }
        }
        throw failure
    }

    private func renderer(for source: TemplateSource) throws(BadgeError) -> BadgeRenderer {
        let key = source.directory.standardizedFileURL.path
        if let cached = renderers[key] { return try cached.get() }
        let result = Result { () throws(BadgeError) -> BadgeRenderer in
            let bundle = try TemplateBundle.load(directory: source.directory)
            return try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: logger)
        }
        renderers[key] = result
        if case .failure(let error) = result {
            logger.warning("template unusable", metadata: ["template": "\(source.name)", "error": "\(error.code.rawValue)"])
        }
        return try result.get()
    }
}
