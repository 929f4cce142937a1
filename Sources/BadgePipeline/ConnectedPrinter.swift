public import Badges
public import Foundation
import LanyardSupport
public import Printers

/// An open printer, ready for the commands a technician runs: its client, the key its stored
/// tuning is under, and the simulator behind `sim`.
public struct ConnectedPrinter: Sendable {
    public let client: PrinterClient
    /// What per-printer state (tuning) is stored under: the USB serial number, or the address.
    public let key: String
    /// For messages: model and address.
    public let name: String
    /// Things the user should know (fell back to the simulator, language mismatch).
    public let notes: [String]
    /// The in-process simulator behind `sim`, to wait for its labels before the command ends.
    public let simulator: PrinterSimulator?

    public var profile: PrinterProfile { client.profile }

    /// Opens the printer at `address` (nil: the one USB printer attached, else the simulator) and
    /// settles its profile and language (`PrinterResolver`).
    public static func open(
        address: String?, profile: String?, profilesDirectory: String?, simulatorOutput: URL,
        timeout: Duration
    ) async throws -> ConnectedPrinter {
        var resolver = PrinterResolver(
            address: try address.map(PrinterAddress.init(parsing:)), profile: profile,
            library: try ProfileLibrary.load(directory: profilesDirectory ?? Installation.profiles.path),
            simulatorOutput: simulatorOutput)
        resolver.timeout = timeout
        let (resolved, client) = try await resolver.connect()
        return ConnectedPrinter(
            client: client, key: resolved.key, name: resolved.name, notes: resolved.notes, simulator: resolved.simulator)
    }

    /// Fails with `pipeline.printer_not_ready` (exit 75) unless the printer reports that it can
    /// print. A printer whose state cannot be read (a device file) is trusted: the returned
    /// warning says so.
    public func requireReady() async throws -> String? {
        let reading = try await client.status()
        if reading.status.isReady { return nil }
        if reading.status.conditions == [.unknown], !client.connection.canRead {
            return "\(name): cannot read the printer's state; sending anyway"
        }
        let what = reading.status.sortedConditions.map(\.rawValue).joined(separator: ", ")
        let details = (reading.status.errors + reading.status.warnings).joined(separator: "; ")
        throw PipelineError(.printerNotReady, "\(name) is not ready: \(what)\(details.isEmpty ? "" : " (\(details))")", context: name)
    }

    /// Renders a badge for this printer and encodes it in its language, under `BadgePolicy`: a
    /// badge that must not print throws `pipeline.badge_blocked` and nothing is made.
    public func label(
        template: TemplateBundle, fields: [String: String], overrides: JobOverrides, options: RenderOptions = RenderOptions()
    ) throws -> (EncodedLabel, RenderedBadge) {
        let renderer = try BadgeRenderer(bundle: template, dpi: profile.dpi, logger: Installation.quietLogger)
        let badge = try renderer.render(fields: fields, options: options)
        if let blocking = badge.blockingIssue {
            throw PipelineError(
                .badgeBlocked, "the badge cannot be printed: \(blocking.message); nothing was sent", context: blocking.code.rawValue)
        }
        let label = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: client.language, overrides: overrides)
        return (label, badge)
    }

    /// For the simulator: waits until it has printed `count` labels (they are decoded on arrival).
    public func waitForSimulatedLabels(_ count: Int) async -> [SimulatedLabel] {
        guard let simulator else { return [] }
        return await simulator.waitForLabels(count: count, timeout: .seconds(30))
    }

    public func close() async { await client.close() }
}
