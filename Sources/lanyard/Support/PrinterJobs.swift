import Agent
import BadgePipeline
import Badges
import Foundation
import Printers
import Store

/// Darkness and speed for a printer (`TuningOverrides`): the technician's tuning stored for it, then
/// explicit command-line values on top. A tuning that cannot be read is said, not hidden.
func effectiveOverrides(for printer: ConnectedPrinter, darkness: Int?, speed: Int?) -> (JobOverrides, PrinterTuning?) {
    var store: LanyardStore?
    do { store = try StateDirectory.openStore() } catch {
        Terminal.warning("cannot read the stored tuning (\(error)); using the profile's defaults")
    }
    let settings = TuningOverrides(printerKey: printer.key, store: store, darkness: darkness, speed: speed)
    if let reason = settings.tuningUnreadable {
        Terminal.warning("cannot read the stored tuning (\(reason)); using the profile's defaults")
    }
    return (settings.overrides, settings.tuning)
}

/// Renders a badge for a printer and encodes it in the printer's language, saying what the
/// render and the encoder found.
func printerJob(
    template: TemplateBundle, fields: [String: String], printer: ConnectedPrinter,
    overrides: JobOverrides, options: RenderOptions = RenderOptions()
) throws -> (EncodedLabel, RenderedBadge) {
    let (label, badge) = try printer.label(template: template, fields: fields, overrides: overrides, options: options)
    for issue in badge.issues {
        Terminal.report(issue, isError: issue.severity == .error)
    }
    for warning in label.warnings { Terminal.warning(warning.description) }
    return (label, badge)
}

extension ConnectedPrinter {
    /// Fails with exit code 75 unless the printer can print; warns when its state cannot be read.
    func ensureReady() async throws {
        if let warning = try await requireReady() { Terminal.warning(warning) }
    }
}

/// Sends a job to a ready printer, then reports what the printer says (and, for the simulator,
/// where the printed label is).
func sendJob(_ label: EncodedLabel, to printer: ConnectedPrinter, what: String, timeout: Duration) async throws {
    try await printer.ensureReady()
    let start = ContinuousClock.now
    try await printer.client.send(job: label.bytes, timeout: timeout)
    let elapsed = ContinuousClock.now - start
    print(
        "\(what): \(label.bytes.count) bytes of \(label.language.rawValue.uppercased()) sent to \(printer.name) in "
            + String(format: "%.1f ms", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            + " (darkness \(label.settings.darkness), \(label.settings.speedIPS) ips)")
    if printer.simulator != nil, let printed = await printer.waitForSimulatedLabels(1).last {
        print("  simulator printed label \(printed.sequence)" + (printed.pngPath.map { ": \($0)" } ?? ""))
    }
    if printer.client.connection.canRead {
        let after = try await printer.client.status()
        print(
            "  printer: \(after.status.sortedConditions.map(\.rawValue).joined(separator: ", "))"
                + (after.status.formatsInBuffer.map { ", \($0) format(s) in its buffer" } ?? ""))
    }
}
