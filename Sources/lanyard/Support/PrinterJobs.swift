import Badges
import Foundation
import Printers
import Store

/// Darkness and speed for a printer: the technician's tuning stored for it, then explicit
/// command-line values on top.
func effectiveOverrides(for printer: ConnectedPrinter, darkness: Int?, speed: Int?) -> (JobOverrides, PrinterTuning?) {
    var overrides = JobOverrides()
    var tuning: PrinterTuning?
    do {
        tuning = try StateDirectory.openStore().currentTuning(printerKey: printer.key)
    } catch {
        Terminal.warning("cannot read the stored tuning (\(error)); using the profile's defaults")
    }
    overrides.darkness = darkness ?? tuning?.darkness
    overrides.speedIPS = speed ?? tuning?.speedIPS
    return (overrides, tuning)
}

/// Renders a badge for a printer and encodes it in the printer's language.
func printerJob(template: TemplateBundle, fields: [String: String], printer: ConnectedPrinter,
                overrides: JobOverrides) throws -> (EncodedLabel, RenderedBadge) {
    let renderer = try BadgeRenderer(bundle: template, dpi: printer.profile.dpi, logger: Resources.logger)
    let badge = try renderer.render(fields: fields)
    for issue in badge.issues {
        Terminal.report(issue, isError: issue.severity == .error)
    }
    if RenderReportSummary(issues: badge.issues).blocksPrinting {
        throw CLIError(.contentErrors, "the badge cannot be printed: a symbol could not be made; nothing was sent")
    }
    let label = try LabelEncoder.encode(bitmap: badge.bitmap, profile: printer.profile, language: printer.client.language,
                                        overrides: overrides)
    for warning in label.warnings { Terminal.warning(warning.description) }
    return (label, badge)
}

/// Sends a job to a ready printer, then reports what the printer says (and, for the simulator,
/// where the printed label is).
func sendJob(_ label: EncodedLabel, to printer: ConnectedPrinter, what: String, timeout: Duration) async throws {
    try await printer.requireReady()
    let start = ContinuousClock.now
    try await printer.client.send(job: label.bytes, timeout: timeout)
    let elapsed = ContinuousClock.now - start
    print("\(what): \(label.bytes.count) bytes of \(label.language.rawValue.uppercased()) sent to \(printer.name) in "
        + String(format: "%.1f ms", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        + " (darkness \(label.settings.darkness), \(label.settings.speedIPS) ips)")
    if printer.simulator != nil, let printed = await printer.waitForSimulatedLabels(1).last {
        print("  simulator printed label \(printed.sequence)" + (printed.pngPath.map { ": \($0)" } ?? ""))
    }
    if printer.client.connection.canRead {
        let after = try await printer.client.status()
        print("  printer: \(after.status.sortedConditions.map(\.rawValue).joined(separator: ", "))"
            + (after.status.formatsInBuffer.map { ", \($0) format(s) in its buffer" } ?? ""))
    }
}
