import Attendees
import Badges
import Foundation
import LanyardSupport
import Logging

/// A badge as a document for an office printer: the template tiers walked as for a label, the
/// first that renders giving a one-page PDF/A-2b (vector text, fonts embedded), with the codes'
/// modules placed at `dpi`. Renderers are kept per bundle directory. Used in the render child and,
/// for an agent without one, in process. Not thread-safe: one owner.
final class TieredDocuments {
    let dpi: Int
    let logger: Logger
    private var renderers: [String: BadgeRenderer] = [:]

    init(dpi: Int = 300, logger: Logger) {
        self.dpi = dpi
        self.logger = logger
    }

    /// The PDF of the first candidate that renders, the candidate's index and its template.
    func document(
        fields: [String: String], candidates: [(tier: TemplateTier, source: TemplateSource)], beforeEach: (Int) -> Void = { _ in }
    ) throws(ComposeFailure) -> (bytes: [UInt8], index: Int, template: String) {
        var failure = ComposeFailure(reasons: [])
        for (index, (tier, source)) in candidates.enumerated() {
            beforeEach(index)
            do {
                let key = source.directory.standardizedFileURL.path
                let renderer: BadgeRenderer
                if let cached = renderers[key] {
                    renderer = cached
                } else {
                    renderer = try BadgeRenderer(bundle: try TemplateBundle.load(directory: source.directory), dpi: dpi, logger: logger)
                    renderers[key] = renderer
                }
                if let missing = renderer.blockingIssue {
                    failure.reasons.append((tier, source.name, missing.message))
                    continue
                }
                let document = try renderer.renderPDFDocument(fields: fields)
                return (document.bytes, index, "\(renderer.bundle.template.name)@\(renderer.bundle.template.version)")
            } catch {
                failure.reasons.append((tier, source.name, error.description))
            }
        }
        throw failure
    }
}

/// The badge documents of one office printer: rendered in a render child of their own under
/// `limits.render_seconds` when the agent has one (`lanyard agent`), else in process.
final class BadgeDocuments {
    let templates: ActiveTemplates
    let child: RenderChildClient?
    private let inProcess: TieredDocuments

    init(templates: ActiveTemplates, child: RenderChildClient?, logger: Logger) {
        self.templates = templates
        self.child = child
        inProcess = TieredDocuments(logger: logger)
    }

    func pdf(for attendee: Attendee, event: EventConfiguration) throws(RenderFailure) -> (bytes: [UInt8], template: String) {
        let candidates = templates.current.candidates(track: attendee.track)
        let fields = BadgeFields.fields(for: attendee, event: event)
        guard let child else {
            do {
                let document = try inProcess.document(fields: fields, candidates: candidates)
                return (document.bytes, document.template)
            } catch { throw .tiers(error) }
        }
        return try child.document(
            DocumentRequest(
                attendeeID: attendee.attendeeID, fields: fields, dpi: inProcess.dpi,
                candidates: candidates.map { RenderRequest.Candidate(tier: $0.tier, source: $0.source) }))
    }

    func retireIdleChild() { child?.retireIfIdle() }

    func stopChild() { child?.stop() }
}
