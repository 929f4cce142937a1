import ArgumentParser
import Badges
import Foundation
import Printers
import Raster

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case zpl, epl, png, pdf, pbm

    var fileExtension: String { rawValue }
}

/// Renders badges of one template for one printer profile and writes them in the chosen formats.
/// The raster comes from `BadgeRenderer`; `LabelEncoder` turns it into printer-language bytes with
/// the profile's settings.
final class BadgeOutput {
    let renderer: BadgeRenderer
    let profile: PrinterProfile
    let overrides: JobOverrides

    init(bundle: TemplateBundle, profile: PrinterProfile, overrides: JobOverrides = JobOverrides()) throws {
        self.renderer = try BadgeRenderer(bundle: bundle, dpi: profile.dpi, logger: Resources.logger)
        self.profile = profile
        self.overrides = overrides
    }

    struct Written {
        var bytes: Int
        var notes: [String]
    }

    /// Encodes a rendered badge in a printer language or a preview format.
    func encode(_ badge: RenderedBadge, as format: OutputFormat) throws -> (bytes: [UInt8], notes: [String]) {
        switch format {
        case .png: return (try badge.bitmap.png(), [])
        case .pbm: return (badge.bitmap.pbm(), [])
        case .zpl, .epl:
            let label = try LabelEncoder.encode(
                bitmap: badge.bitmap, profile: profile, language: format == .zpl ? .zpl : .epl, overrides: overrides)
            return (label.bytes, label.warnings.map(\.description))
        case .pdf:
            throw CLIError(.internal, "PDF is written by writePDF")
        }
    }

    /// Renders and writes one badge; PDF goes through cairo's PDF surface, the rest through the raster.
    func write(fields: [String: String], format: OutputFormat, to url: URL) throws -> (RenderReportSummary, Written) {
        if format == .pdf {
            let reports = try renderer.renderPDF(fields: fields, to: url)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return (RenderReportSummary(issues: renderer.fontWarnings + reports.flatMap(\.issues)), Written(bytes: size, notes: []))
        }
        let badge = try renderer.render(fields: fields)
        let summary = RenderReportSummary(issues: badge.issues)
        if summary.blocksPrinting { return (summary, Written(bytes: 0, notes: [])) }
        let (bytes, notes) = try encode(badge, as: format)
        try writeFile(bytes, to: url)
        return (summary, Written(bytes: bytes.count, notes: notes))
    }
}

/// The issues of one render, and whether they make the badge unfit to print.
struct RenderReportSummary {
    var issues: [RenderIssue]

    /// A badge whose QR code or barcode could not be made must not print: the attendee would
    /// carry a badge that cannot be scanned at the door. Text that overflowed still prints.
    var blocksPrinting: Bool {
        issues.contains { $0.severity == .error && [.symbolEncodingFailed, .symbolDoesNotFit].contains($0.code) }
    }
}

func writeFile(_ bytes: [UInt8], to url: URL) throws {
    do {
        try Data(bytes).write(to: url, options: .atomic)
    } catch {
        throw CLIError(.io, "cannot write \(url.path): \(error.localizedDescription)")
    }
}

func makeDirectory(_ url: URL) throws {
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw CLIError(.io, "cannot create \(url.path): \(error.localizedDescription)")
    }
}
