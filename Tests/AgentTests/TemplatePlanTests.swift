import Foundation
import Store
import Sync
import Testing

@testable import Agent

/// How registry targets map onto the three template tiers of one kiosk.
@Suite struct TemplatePlanTests {
    static func release(_ label: String) -> TargetRelease {
        TargetRelease(
            label: label,
            files: [
                "template.yaml": TargetFile(
                    sha256: String(repeating: label.first == "a" ? "a" : "b", count: 64),
                    length: label.count)
            ])
    }

    static func target(_ label: String, _ scope: TemplateScope) -> Target {
        Target(kind: .template, scope: scope, current: release(label))
    }

    @Test func eachScopeTakesItsTierAndOtherEventsAreIgnored() {
        let targets: [String: Target] = [
            "templates/standard": Self.target("global-1", .global),
            "templates/devcon": Self.target("event-1", .event("devcon-2026")),
            "templates/other": Self.target("other-event", .event("other-2026")),
            "templates/speakers": Self.target("track-1", .track(event: "devcon-2026", track: "speakers")),
            "templates/elsewhere": Self.target("other-track", .track(event: "other-2026", track: "speakers")),
            "attendees/devcon-2026": Target(
                kind: .attendeeSnapshot, scope: .event("devcon-2026"), cursor: 4, current: Self.release("a")),
        ]
        let plan = TemplatePlan.make(targets: targets, eventSlug: "devcon-2026", agentID: "kiosk-1", local: AgentConfiguration.Templates())
        #expect(plan.event?.release.label == "event-1")
        #expect(plan.tracks.mapValues(\.release.label) == ["speakers": "track-1"])
        #expect(plan.fallback?.release.label == "global-1")

        var local = AgentConfiguration.Templates()
        local.event = "vip"
        let localSet = TemplateSet.local(directory: URL(filePath: "/templates"), tiers: local)
        let applied = plan.apply(to: localSet) { URL(filePath: "/releases/\($0.digest)") }
        #expect(applied.event?.origin == .registry)
        #expect(applied.tracks["speakers"]?.label == "track-1")
        #expect(applied.fallback.name == "standard")
    }

    @Test func aRevokedOrExcludedTargetLeavesTheLocalBundle() {
        let targets = ["templates/standard": Self.target("global-2", .global)]
        let excluded = Set([Self.release("global-2").digest])
        let plan = TemplatePlan.make(
            targets: targets, eventSlug: "devcon-2026", agentID: "kiosk-1", local: AgentConfiguration.Templates(),
            excluded: excluded)
        #expect(plan.fallback == nil)
        let localSet = TemplateSet.local(directory: URL(filePath: "/templates"), tiers: AgentConfiguration.Templates())
        #expect(plan.apply(to: localSet) { _ in URL(filePath: "/unused") } == localSet)
    }

    @Test func printResultsNameTheTemplateAndTheServersStates() throws {
        let outcome = JobOutcomeFixture.make(state: .deadLettered)
        let item = RegistryUploader.printResult(outcome, nonce: "n-1")
        #expect(item.state == .deadLetter)
        #expect(item.template == "standard")
        #expect(item.templateVersion == "standard@2.0.0")
        #expect(item.nonce == "n-1")
        // On the wire, as the registry reads it: the one date encoding, milliseconds in UTC.
        let wire = try #require(try JSONSerialization.jsonObject(with: WireJSON.encode(item)) as? [String: Any])
        #expect(wire["state"] as? String == "dead_letter")
        #expect(wire["finished_at"] as? String == "2026-11-22T12:00:00.250Z")
        #expect(RegistryUploader.printResult(JobOutcomeFixture.make(state: .printed), nonce: "n-2").state == .printed)
        #expect(RegistryUploader.printResult(JobOutcomeFixture.make(state: .manualReview), nonce: "n-3").state == .manualReview)
    }
}

enum JobOutcomeFixture {
    static func make(state: JobState) -> JobOutcome {
        JobOutcome(
            jobID: 7, idempotencyKey: "k", correlationID: "c", attendeeID: "a-1", printerID: "sim", state: state, attempts: 1,
            templateTier: "fallback", templateVersion: "standard@2.0.0", reprintOf: nil,
            finishedAt: Date(timeIntervalSince1970: 1_795_348_800.25))
    }
}
