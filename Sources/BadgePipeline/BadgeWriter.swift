public import Badges
public import Foundation
public import LanyardSupport
public import Printers
import Raster

/// What a badge is written as: a printer language, or a preview.
public enum BadgeFormat: String, CaseIterable, Sendable, Codable {
    case zpl, epl, png, pdf, pbm

    public var fileExtension: String { rawValue }
}

/// Renders badges of one template for one printer profile and writes them in the chosen formats.
/// The raster comes from `BadgeRenderer`; `LabelEncoder` turns it into printer-language bytes with
/// the profile's settings. What stops a badge is `BadgePolicy` (RenderIssue.blocksPrinting).
public final class BadgeWriter {
    public let renderer: BadgeRenderer
    public let profile: PrinterProfile
    public let overrides: JobOverrides

    public init(bundle: TemplateBundle, profile: PrinterProfile, overrides: JobOverrides = JobOverrides()) throws {
        self.renderer = try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: Installation.quietLogger)
        self.profile = profile
        self.overrides = overrides
    }

    /// What writing one badge did.
    public struct Outcome: Sendable {
        /// Every issue of the render, the template's own (fonts) included.
        public var issues: [RenderIssue]
        /// Bytes written; 0 when the policy kept the badge from being written.
        public var bytes: Int
        /// The encoder's notes (a setting clamped to the printer's range, say).
        public var notes: [String]

        /// The issue that kept the badge from being written, if one did.
        public var blockingIssue: RenderIssue? { issues.blockingIssue }
        public var hasErrors: Bool { issues.hasErrors }
    }

    /// Encodes a rendered badge in a printer language or a raster preview format.
    public func encode(_ badge: RenderedBadge, as format: BadgeFormat) throws -> (bytes: [UInt8], notes: [String]) {
        switch format {
        case .png: return (try badge.bitmap.png(), [])
        case .pbm: return (badge.bitmap.pbm(), [])
        case .zpl, .epl:
            let label = try LabelEncoder.encode(
                bitmap: badge.bitmap, profile: profile, language: format == .zpl ? .zpl : .epl, overrides: overrides)
            return (label.bytes, label.warnings.map(\.description))
        case .pdf:
            throw PipelineError(.formatUnsupported, "PDF is drawn from the template, not encoded from a raster")
        }
    }

    /// Renders one badge and writes it, unless the policy keeps it from printing; PDF goes
    /// through cairo's PDF surface, the rest through the raster.
    public func write(fields: [String: String], format: BadgeFormat, to url: URL) throws -> Outcome {
        if format == .pdf {
            if let blocking = renderer.blockingIssue { return Outcome(issues: renderer.fontWarnings, bytes: 0, notes: [blocking.message]) }
            let reports = try renderer.renderPDF(fields: fields, to: url)
            let issues = renderer.fontWarnings + reports.flatMap(\.issues)
            if issues.contains(where: \.blocksPrinting) {
                try? FileManager.default.removeItem(at: url)
                return Outcome(issues: issues, bytes: 0, notes: [])
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return Outcome(issues: issues, bytes: size, notes: [])
        }
        let badge = try renderer.render(fields: fields)
        if badge.blockingIssue != nil { return Outcome(issues: badge.issues, bytes: 0, notes: []) }
        let (bytes, notes) = try encode(badge, as: format)
        try Files.write(bytes, to: url)
        return Outcome(issues: badge.issues, bytes: bytes.count, notes: notes)
    }
}

/// Writing what the pipeline makes, with failures named by path.
public enum Files {
    public static func write(_ bytes: [UInt8], to url: URL) throws(PipelineError) {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw PipelineError(.outputFailed, "cannot write \(url.path): \(error.localizedDescription)", context: url.path)
        }
    }

    public static func makeDirectory(_ url: URL) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.outputFailed, "cannot create \(url.path): \(error.localizedDescription)", context: url.path)
        }
    }
}
