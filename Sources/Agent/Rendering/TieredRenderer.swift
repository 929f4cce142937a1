import Badges
import Foundation
import LanyardSupport
import Logging
import Printers
import Raster

/// What happens while a badge is composed, in order, for whoever watches: the automatic rollback
/// (which tiers rendered) and the render child's parent (which stage the work is in).
enum ComposeProgress {
    /// Candidate `index` is about to be rendered.
    case rendering(index: Int)
    /// Candidate `index` rendered (`true`: encoding begins) or failed (`false`: the next tier
    /// comes). A tier that rendered but did not encode reports `true`, then `false`.
    case attempt(index: Int, rendered: Bool)
}

/// The tier walk itself: the candidates in order, each bundle's renderer loaded once per
/// directory and kept, the first that renders and encodes wins. The same code renders in the
/// agent (previews, agents without a render child) and in the render child, so a badge is the
/// same raster either way. Not thread-safe: one owner.
final class TieredRenderer {
    let profile: PrinterProfile
    let language: PrinterLanguage
    let logger: Logger
    private var renderers: [String: Result<BadgeRenderer, BadgeError>] = [:]

    init(profile: PrinterProfile, language: PrinterLanguage, logger: Logger) {
        self.profile = profile
        self.language = language
        self.logger = logger
    }

    func compose(
        fields: [String: String], candidates: [(tier: TemplateTier, source: TemplateSource)], overrides: JobOverrides,
        options: RenderOptions = RenderOptions(), progress: (ComposeProgress) -> Void = { _ in }
    ) throws(ComposeFailure) -> ComposedBadge {
        var failure = ComposeFailure(reasons: [])
        for (index, (tier, source)) in candidates.enumerated() {
            let name = source.name
            let start = ContinuousClock.now
            progress(.rendering(index: index))
            do {
                let renderer = try renderer(for: source)
                if let missing = renderer.blockingIssue {
                    failure.reasons.append((tier, name, missing.message))
                    progress(.attempt(index: index, rendered: false))
                    continue
                }
                let badge = try renderer.render(fields: fields, options: options)
                if let blocking = badge.blockingIssue {
                    failure.reasons.append((tier, name, blocking.message))
                    progress(.attempt(index: index, rendered: false))
                    continue
                }
                progress(.attempt(index: index, rendered: true))
                let label = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: language, overrides: overrides)
                let elapsed = ContinuousClock.now - start
                return ComposedBadge(
                    bitmap: badge.bitmap, label: label, tier: tier, templateName: renderer.bundle.template.name,
                    templateVersion: renderer.bundle.template.version, templateRelease: source.digest,
                    renderSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                    qr: badge.elements.lazy.compactMap { $0.type == "qr" ? $0.symbol : nil }.first)
            } catch let error as BadgeError {
                failure.reasons.append((tier, name, error.description))
                progress(.attempt(index: index, rendered: false))
            } catch {
                failure.reasons.append((tier, name, "\(error)"))
                progress(.attempt(index: index, rendered: false))
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
