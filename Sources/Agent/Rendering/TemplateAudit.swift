import Badges
import Foundation
import Logging
import Store

/// Template changes on the kiosk, for the audit trail: at start, and whenever the sync service
/// activates or rolls back a set, each bundle's digest is compared with the one last recorded
/// for it, and a `template.activated` entry is written when a bundle is new or its content
/// changed. A local bundle's digest is its manifest digest (every file, so a swapped font counts
/// as a change as much as a new version); a registry release's is its release digest.
enum TemplateAudit {
    static func recordActiveTemplates(
        directory: URL, tiers: AgentConfiguration.Templates, store: LanyardStore,
        logger: Logger, now: Date = Date()
    ) {
        record(TemplateSet.local(directory: directory, tiers: tiers), store: store, actor: "system", logger: logger, now: now)
    }

    static func record(_ set: TemplateSet, store: LanyardStore, actor: String, reason: String? = nil, logger: Logger, now: Date = Date()) {
        for (tier, source) in set.all {
            guard let digest = source.digest ?? manifestDigest(of: source) else {
                // The composer reports an unusable bundle when it first needs it; nothing to audit.
                continue
            }
            do {
                let subject = "template:\(source.name)"
                let previous = try store.latestAuditEntry(action: "template.activated", subject: subject)
                guard previous?.details["digest"] != digest else { continue }
                var details = ["tier": tier.rawValue, "digest": digest, "origin": source.origin.rawValue, "label": source.label]
                details["previous_digest"] = previous?.details["digest"]
                details["reason"] = reason
                try store.audit(action: "template.activated", actor: actor, subject: subject, details: details, now: now)
                logger.notice(
                    "template activated",
                    metadata: [
                        "template": "\(source.name)", "tier": "\(tier.rawValue)", "digest": "\(digest.prefix(12))",
                        "origin": "\(source.origin.rawValue)",
                    ])
            } catch {
                logger.warning("template change not audited", metadata: ["template": "\(source.name)", "error": "\(error)"])
            }
        }
    }

    static func manifestDigest(of source: TemplateSource) -> String? {
        guard let data = try? Data(contentsOf: source.directory.appending(path: BundleManifest.fileName)),
            let manifest = try? JSONDecoder().decode(BundleManifest.self, from: data)
        else { return nil }
        return manifest.digest
    }
}
