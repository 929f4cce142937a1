public import Badges
public import Foundation
public import Logging
public import Printers

/// Which template a badge was made with: the event's own, its track's default, or the global
/// fallback. Recorded on the job, logged and counted.
public enum TemplateTier: String, Sendable, Codable, CaseIterable {
    case event, track, fallback
}

/// A badge ready for the printer.
public struct ComposedBadge: Sendable {
    public var label: EncodedLabel
    public var tier: TemplateTier
    public var templateName: String
    public var templateVersion: String
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
/// used is reported. Bundles and renderers are loaded once and kept. Not thread-safe: one
/// printer worker owns it.
public final class BadgeComposer {
    public let profile: PrinterProfile
    public let language: PrinterLanguage
    let templatesDirectory: URL
    let tiers: AgentConfiguration.Templates
    let logger: Logger
    private var renderers: [String: Result<BadgeRenderer, BadgeError>] = [:]

    public init(templatesDirectory: URL, tiers: AgentConfiguration.Templates, profile: PrinterProfile,
                language: PrinterLanguage, logger: Logger) {
        self.templatesDirectory = templatesDirectory
        self.tiers = tiers
        self.profile = profile
        self.language = language
        self.logger = logger
    }

    /// The bundles to try for an attendee, in order, without repeats.
    func candidates(track: String?) -> [(TemplateTier, String)] {
        var list: [(TemplateTier, String)] = []
        if let event = tiers.event { list.append((.event, event)) }
        if let track, let name = tiers.tracks[track] ?? tiers.tracks[track.lowercased()] { list.append((.track, name)) }
        list.append((.fallback, tiers.fallback))
        var seen = Set<String>()
        return list.filter { seen.insert($0.1).inserted }
    }

    public func compose(_ attendee: Attendee, event: EventConfiguration, overrides: JobOverrides) throws(ComposeFailure) -> ComposedBadge {
        var failure = ComposeFailure(reasons: [])
        let fields = BadgeFields.fields(for: attendee, event: event)
        for (tier, name) in candidates(track: attendee.track) {
            let start = ContinuousClock.now
            do {
                let renderer = try renderer(named: name)
                if let missing = renderer.fontWarnings.first {
                    failure.reasons.append((tier, name, missing.message))
                    continue
                }
                let badge = try renderer.render(fields: fields)
                if let blocking = badge.issues.first(where: { $0.severity == .error && [.symbolEncodingFailed, .symbolDoesNotFit].contains($0.code) }) {
                    failure.reasons.append((tier, name, blocking.message))
                    continue
                }
                let label = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: language, overrides: overrides)
                let elapsed = ContinuousClock.now - start
                return ComposedBadge(label: label, tier: tier, templateName: renderer.bundle.template.name,
                                     templateVersion: renderer.bundle.template.version,
                                     renderSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            } catch let error as BadgeError {
                failure.reasons.append((tier, name, error.description))
            } catch {
                failure.reasons.append((tier, name, "\(error)"))
            }
        }
        throw failure
    }

    private func renderer(named name: String) throws(BadgeError) -> BadgeRenderer {
        if let cached = renderers[name] { return try cached.get() }
        let result = Result { () throws(BadgeError) -> BadgeRenderer in
            let bundle = try TemplateBundle.load(directory: templatesDirectory.appending(path: name, directoryHint: .isDirectory))
            return try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: logger)
        }
        renderers[name] = result
        if case .failure(let error) = result {
            logger.warning("template unusable", metadata: ["template": "\(name)", "error": "\(error.code.rawValue)"])
        }
        return try result.get()
    }
}
