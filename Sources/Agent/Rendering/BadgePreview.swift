public import Attendees
import Foundation
import LanyardSupport
public import Logging
public import Printers
import Raster
import Synchronization

/// The badge an attendee would get, as the PNG of the very raster the printer is sent: the
/// same template tiers, profile and renderer as the printer's worker, so the kiosk's preview is
/// the printed badge, not a picture of it. A composer of its own (renderers are not thread-safe,
/// and a preview is not a print: it does not count toward a release's automatic rollback).
public final class BadgePreview: Sendable {
    private let composer: Mutex<BadgeComposer>
    private let event: EventConfiguration

    public init(templates: ActiveTemplates, profile: PrinterProfile, language: PrinterLanguage, event: EventConfiguration, logger: Logger) {
        composer = Mutex(BadgeComposer(templates: templates, profile: profile, language: language, logger: logger))
        self.event = event
    }

    /// A 1-bit PNG at the printer's resolution; blocking work (render and encode), for `Blocking.run`.
    public func png(of attendee: Attendee) throws -> [UInt8] {
        let badge = try composer.withLock { composer in try composer.compose(attendee, event: event, overrides: JobOverrides()) }
        return try badge.bitmap.png()
    }
}
