public import Attendees
public import Badges
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

    /// The badge itself, rendered here with the printer's render options: what the scan-quality
    /// loop's dry render reads (the QR code's module and level). Blocking work, for `Blocking.run`.
    public func badge(of attendee: Attendee, options: RenderOptions) throws(ComposeFailure) -> ComposedBadge {
        try composer.withLock { (composer: inout BadgeComposer) throws(ComposeFailure) -> ComposedBadge in
            try composer.compose(attendee, event: event, overrides: JobOverrides(), options: options)
        }
    }

    /// A 1-bit PNG at the printer's resolution, with that printer's render options (its stored
    /// QR module floor); blocking work (render and encode), for `Blocking.run`.
    public func png(of attendee: Attendee, options: RenderOptions = RenderOptions()) throws -> [UInt8] {
        let badge = try composer.withLock { composer in
            try composer.compose(attendee, event: event, overrides: JobOverrides(), options: options)
        }
        return try badge.bitmap.png()
    }
}
