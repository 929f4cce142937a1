public import Foundation
public import Sync

/// Which registry release each template tier of this kiosk should run, decided from verified
/// targets: a template scoped `event:<this event>` takes the event tier, `track:<this event>/T`
/// the tier of track T, `global` the fallback. A tier the registry says nothing about keeps the
/// locally configured bundle. Among several candidates for one tier the one named like the
/// local bundle wins, then the first by name, so every kiosk decides the same way.
public struct TemplatePlan: Sendable, Equatable {
    public struct Choice: Sendable, Equatable {
        public var target: String
        public var release: TargetRelease
        /// True when the release is a staged one this agent is in the share of.
        public var staged: Bool
    }

    public var event: Choice?
    public var tracks: [String: Choice]
    public var fallback: Choice?

    public var choices: [Choice] { [event, fallback].compactMap { $0 } + tracks.keys.sorted().map { tracks[$0]! } }

    /// `pins` maps a target name to the label or digest an operator pinned it to for this event;
    /// a pin that names neither the current nor the staged release leaves that tier as it is.
    public static func make(
        targets: [String: Target], eventSlug: String, agentID: String, local: AgentConfiguration.Templates,
        pins: [String: String] = [:], excluded: Set<String> = []
    ) -> TemplatePlan {
        var plan = TemplatePlan(event: nil, tracks: [:], fallback: nil)
        let templates = targets.filter { $0.value.kind == .template }.sorted { $0.key < $1.key }
        func choice(_ name: String, _ target: Target) -> Choice? {
            if let pin = pins[name] {
                let releases = [target.current] + (target.staged.map { [$0.release] } ?? [])
                guard let pinned = releases.first(where: { $0.label == pin || $0.digest == pin }) else { return nil }
                return Choice(target: name, release: pinned, staged: pinned != target.current)
            }
            var release = target.release(for: agentID)
            // A release this kiosk rolled back from is not taken again; the current one is.
            if excluded.contains(release.digest) { release = target.current }
            guard !excluded.contains(release.digest) else { return nil }
            return Choice(target: name, release: release, staged: release != target.current)
        }
        func preferred(_ candidates: [(String, Target)], localName: String?) -> (String, Target)? {
            candidates.first { $0.0 == "templates/\(localName ?? "")" } ?? candidates.first
        }
        let eventScoped = templates.filter { $0.value.scope == .event(eventSlug) }
        if let (name, target) = preferred(eventScoped, localName: local.event) { plan.event = choice(name, target) }
        var trackScoped: [String: [(String, Target)]] = [:]
        for (name, target) in templates {
            if case .track(let event, let track) = target.scope, event == eventSlug {
                trackScoped[track, default: []].append((name, target))
            }
        }
        for (track, candidates) in trackScoped {
            if let (name, target) = preferred(candidates, localName: local.tracks[track]), let chosen = choice(name, target) {
                plan.tracks[track] = chosen
            }
        }
        let global = templates.filter { $0.value.scope == .global }
        if let (name, target) = preferred(global, localName: local.fallback) { plan.fallback = choice(name, target) }
        return plan
    }

    /// The set to run: the local set with each planned tier replaced by its materialised release.
    public func apply(to local: TemplateSet, directory: (TargetRelease) -> URL) -> TemplateSet {
        func source(_ choice: Choice) -> TemplateSource {
            TemplateSource(
                name: String(choice.target.dropFirst("templates/".count)), directory: directory(choice.release),
                label: choice.release.label, digest: choice.release.digest, origin: .registry)
        }
        var set = local
        if let event { set.event = source(event) }
        for (track, choice) in tracks { set.tracks[track] = source(choice) }
        if let fallback { set.fallback = source(fallback) }
        return set
    }
}
