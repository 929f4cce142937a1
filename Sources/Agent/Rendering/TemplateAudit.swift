import Badges
import Foundation
import Logging
import Store

/// Template changes on the kiosk, for the audit trail: at start the agent compares each
/// configured bundle's manifest digest with the one it last recorded, and records a
/// `template.activated` entry when a bundle is new or its content changed. The digest covers
/// every file of the bundle, so a swapped font counts as a change as much as a new version.
enum TemplateAudit {
    static func recordActiveTemplates(directory: URL, tiers: AgentConfiguration.Templates, store: LanyardStore,
                                      logger: Logger, now: Date = Date()) {
        var bundles: [(tier: TemplateTier, name: String)] = []
        if let event = tiers.event { bundles.append((.event, event)) }
        for name in Set(tiers.tracks.values).sorted() { bundles.append((.track, name)) }
        bundles.append((.fallback, tiers.fallback))
        var seen = Set<String>()
        for (tier, name) in bundles where seen.insert(name).inserted {
            let manifestURL = directory.appending(path: name).appending(path: BundleManifest.fileName)
            guard let data = try? Data(contentsOf: manifestURL),
                  let manifest = try? JSONDecoder().decode(BundleManifest.self, from: data) else {
                // The composer reports an unusable bundle when it first needs it; nothing to audit.
                continue
            }
            do {
                let subject = "template:\(name)"
                let previous = try store.latestAuditEntry(action: "template.activated", subject: subject)
                guard previous?.details["digest"] != manifest.digest else { continue }
                var details = ["tier": tier.rawValue, "digest": manifest.digest]
                details["previous_digest"] = previous?.details["digest"]
                try store.audit(action: "template.activated", actor: "system", subject: subject, details: details, now: now)
                logger.notice("template activated", metadata: ["template": "\(name)", "tier": "\(tier.rawValue)", "digest": "\(manifest.digest.prefix(12))"])
            } catch {
                logger.warning("template change not audited", metadata: ["template": "\(name)", "error": "\(error)"])
            }
        }
    }
}
