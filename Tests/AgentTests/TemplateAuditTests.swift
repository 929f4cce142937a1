import Badges
import Foundation
import Logging
import Store
import Testing

@testable import Agent

/// Template changes reach the audit trail: a bundle seen for the first time, and a bundle whose
/// content changed, each leave one `template.activated` entry; an unchanged restart leaves none.
@Suite struct TemplateAuditTests {
    @Test func aChangedBundleIsAuditedOnceAndAnUnchangedOneNever() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-template-audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = directory.appending(path: "templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: AgentAPITests.repositoryRoot.appending(path: "Templates/vip"), to: templates.appending(path: "vip"))
        let store = try LanyardStore(path: directory.appending(path: "lanyard.sqlite").path)
        var tiers = AgentConfiguration.Templates()
        tiers.event = "vip"
        tiers.fallback = "missing-bundle"
        let logger = Logger(label: "lanyard.tests")

        TemplateAudit.recordActiveTemplates(directory: templates, tiers: tiers, store: store, logger: logger)
        TemplateAudit.recordActiveTemplates(directory: templates, tiers: tiers, store: store, logger: logger)
        var entries = try store.auditEntries(limit: 10).filter { $0.action == "template.activated" }
        #expect(entries.count == 1, "a restart with the same bundle records nothing new; a missing bundle nothing at all")
        let first = try #require(entries.first)
        #expect(first.subject == "template:vip")
        #expect(first.details["tier"] == "event")
        #expect(first.details["previous_digest"] == nil)

        // Publish a changed bundle: a new template.yaml and its manifest.
        let yaml = templates.appending(path: "vip/template.yaml")
        try (try String(contentsOf: yaml, encoding: .utf8) + "\n# reprinted stock\n").write(to: yaml, atomically: true, encoding: .utf8)
        let manifest = try BundleManifest.scan(directory: templates.appending(path: "vip"))
        try JSONEncoder().encode(manifest).write(to: templates.appending(path: "vip/manifest.json"))

        TemplateAudit.recordActiveTemplates(directory: templates, tiers: tiers, store: store, logger: logger)
        entries = try store.auditEntries(limit: 10).filter { $0.action == "template.activated" }
        #expect(entries.count == 2)
        #expect(entries.first?.details["digest"] == manifest.digest)
        #expect(entries.first?.details["previous_digest"] == first.details["digest"])
    }
}
