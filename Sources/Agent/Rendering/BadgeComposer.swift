public import Attendees
public import Badges
import Foundation
import LanyardSupport
public import Logging
public import Printers
public import Raster
public import Store

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
    /// The badge's first QR code as drawn (module size, level), when rendered in this process:
    /// what the scan-quality loop's dry render reads. Nil from the render child and without a QR.
    public var qr: SymbolReport? = nil
}

/// Every tier failed: why each did.
public struct ComposeFailure: Error, Sendable, CustomStringConvertible {
    public var reasons: [(tier: TemplateTier, template: String, reason: String)]
    public var description: String {
        reasons.map { "\($0.tier.rawValue) template \($0.template): \($0.reason)" }.joined(separator: "; ")
    }
}

/// Why a badge to print was not made.
public enum RenderFailure: Error, Sendable, CustomStringConvertible {
    /// Every tier failed (the template's fault or the attendee's data): retrying will not help.
    case tiers(ComposeFailure)
    /// A stage ran past its limit (`limits.render_seconds`, `limits.encode_seconds`); the render
    /// child doing it was killed.
    case timedOut(stage: PipelineStage, limitSeconds: Double)
    /// The render child died or answered garbage, twice in a row for this badge.
    case childFailed(String)

    public var description: String {
        switch self {
        case .tiers(let failure): failure.description
        case .timedOut(let stage, let seconds):
            "\(stage == .encode ? "encoding" : "rendering") took longer than limits.\(stage.rawValue)_seconds (\(seconds) s); the render child was stopped"
        case .childFailed(let reason): "the render child failed twice on this badge: \(reason)"
        }
    }
}

/// Renders and encodes badges for one printer, resolving the template by tier: the event's
/// bundle, then the attendee's track default, then the global fallback. A tier whose bundle does
/// not load (a file missing or not matching its manifest checksum), whose fonts are missing, or
/// whose badge cannot print (a code that cannot be made) falls through to the next; the tier
/// used is reported. The set of bundles is read once per badge from `ActiveTemplates`, so a
/// badge finishes on the versions it started with while the sync service swaps in new ones.
///
/// Badges to print go to the render child when the agent has one (`RenderChildClient`): a render
/// stuck in a C call cannot be stopped inside this process, and it would hold the process-wide
/// render lock. Previews and agents without a child render here (`TieredRenderer`, which keeps
/// renderers per bundle directory). Not thread-safe: one printer worker owns it.
public final class BadgeComposer {
    public let profile: PrinterProfile
    public let language: PrinterLanguage
    public let templates: ActiveTemplates
    let logger: Logger
    private let local: TieredRenderer
    /// Where badges to print are made, under the limits; nil: in this process.
    let child: RenderChildClient?
    /// Called after every attempt at a tier with the bundle tried and whether it rendered: what
    /// the automatic rollback after a promotion watches.
    var onAttempt: (@Sendable (TemplateSource, Bool) -> Void)?

    public convenience init(
        templates: ActiveTemplates, profile: PrinterProfile, language: PrinterLanguage, logger: Logger,
        onAttempt: (@Sendable (TemplateSource, Bool) -> Void)? = nil
    ) {
        self.init(templates: templates, profile: profile, language: language, logger: logger, onAttempt: onAttempt, child: nil)
    }

    init(
        templates: ActiveTemplates, profile: PrinterProfile, language: PrinterLanguage, logger: Logger,
        onAttempt: (@Sendable (TemplateSource, Bool) -> Void)?, child: RenderChildClient?
    ) {
        self.templates = templates
        self.profile = profile
        self.language = language
        self.logger = logger
        self.onAttempt = onAttempt
        self.child = child
        local = TieredRenderer(profile: profile, language: language, logger: logger)
    }

    /// In this process, with no time limit: what a preview shows.
    public func compose(
        _ attendee: Attendee, event: EventConfiguration, overrides: JobOverrides, options: RenderOptions = RenderOptions()
    ) throws(ComposeFailure) -> ComposedBadge {
        let candidates = templates.current.candidates(track: attendee.track)
        return try local.compose(
            fields: BadgeFields.fields(for: attendee, event: event), candidates: candidates, overrides: overrides, options: options
        ) { progress in
            if case .attempt(let index, let rendered) = progress { onAttempt?(candidates[index].source, rendered) }
        }
    }

    /// A badge to print: in the render child under the limits when the agent has one, else here.
    func composeToPrint(
        _ attendee: Attendee, event: EventConfiguration, overrides: JobOverrides, options: RenderOptions = RenderOptions()
    ) throws(RenderFailure) -> ComposedBadge {
        guard let child else {
            do { return try compose(attendee, event: event, overrides: overrides, options: options) } catch { throw .tiers(error) }
        }
        let candidates = templates.current.candidates(track: attendee.track)
        let request = RenderRequest(
            attendeeID: attendee.attendeeID, fields: BadgeFields.fields(for: attendee, event: event),
            candidates: candidates.map { RenderRequest.Candidate(tier: $0.tier, source: $0.source) }, profile: profile,
            language: language, overrides: overrides, options: options)
        return try child.compose(request) { index, rendered in onAttempt?(candidates[index].source, rendered) }
    }

    /// Lets an idle render child go (see `RenderChildClient.retireIfIdle`).
    func retireIdleChild() { child?.retireIfIdle() }

    /// Stops the render child, if one runs: the worker is stopping.
    func stopChild() { child?.stop() }
}
