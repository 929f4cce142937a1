public import Foundation
import Synchronization

/// One template bundle on disk, as a tier uses it.
public struct TemplateSource: Sendable, Equatable, Codable {
    public enum Origin: String, Sendable, Codable {
        /// A bundle from the configured templates directory (or the ones that ship with Lanyard).
        case local
        /// A verified release from the registry, materialised from the blob cache.
        case registry
    }

    /// The bundle's name (its directory name locally, the target name without `templates/`).
    public var name: String
    public var directory: URL
    /// What people call this version: the template's version locally, the release label.
    public var label: String
    /// The release digest for registry releases (what reports and pins name).
    public var digest: String?
    public var origin: Origin

    public init(name: String, directory: URL, label: String, digest: String? = nil, origin: Origin) {
        self.name = name
        self.directory = directory
        self.label = label
        self.digest = digest
        self.origin = origin
    }
}

/// The bundles of the three tiers: the event's own, one per track, and the global fallback.
public struct TemplateSet: Sendable, Equatable {
    public var event: TemplateSource?
    public var tracks: [String: TemplateSource]
    public var fallback: TemplateSource

    public init(event: TemplateSource?, tracks: [String: TemplateSource], fallback: TemplateSource) {
        self.event = event
        self.tracks = tracks
        self.fallback = fallback
    }

    /// The set a configuration names, from a local templates directory.
    public static func local(directory: URL, tiers: AgentConfiguration.Templates) -> TemplateSet {
        func source(_ name: String) -> TemplateSource {
            TemplateSource(
                name: name, directory: directory.appending(path: name, directoryHint: .isDirectory), label: "local",
                origin: .local)
        }
        return TemplateSet(event: tiers.event.map(source), tracks: tiers.tracks.mapValues(source), fallback: source(tiers.fallback))
    }

    /// The bundles to try for an attendee, in order, without repeating a bundle.
    public func candidates(track: String?) -> [(tier: TemplateTier, source: TemplateSource)] {
        var list: [(TemplateTier, TemplateSource)] = []
        if let event { list.append((.event, event)) }
        if let track, let source = tracks[track] ?? tracks[track.lowercased()] { list.append((.track, source)) }
        list.append((.fallback, fallback))
        var seen = Set<String>()
        return list.filter { seen.insert($0.1.directory.standardizedFileURL.path).inserted }
    }

    /// Every distinct bundle of the set with the tier it first appears in.
    public var all: [(tier: TemplateTier, source: TemplateSource)] {
        var list: [(TemplateTier, TemplateSource)] = []
        if let event { list.append((.event, event)) }
        for key in tracks.keys.sorted() { list.append((.track, tracks[key]!)) }
        list.append((.fallback, fallback))
        var seen = Set<String>()
        return list.filter { seen.insert($0.1.directory.standardizedFileURL.path).inserted }
    }
}

/// The template set badges are rendered with now, and the last stable one to go back to.
/// Shared by the printer workers (which read it once per badge, so a badge already rendering
/// finishes on the set it started with) and the sync service (which swaps it whole).
public final class ActiveTemplates: Sendable {
    private struct State {
        var current: TemplateSet
        var lastStable: TemplateSet?
        var activatedAt: Date
    }

    private let state: Mutex<State>

    public init(_ initial: TemplateSet, now: Date = Date()) {
        state = Mutex(State(current: initial, lastStable: nil, activatedAt: now))
    }

    public var current: TemplateSet { state.withLock { $0.current } }
    public var lastStable: TemplateSet? { state.withLock { $0.lastStable } }
    public var activatedAt: Date { state.withLock { $0.activatedAt } }

    /// Makes `next` current; the set it replaces becomes the last stable one.
    public func activate(_ next: TemplateSet, now: Date = Date()) {
        state.withLock {
            guard $0.current != next else { return }
            $0.lastStable = $0.current
            $0.current = next
            $0.activatedAt = now
        }
    }

    /// Goes back to the last stable set; false when there is none.
    @discardableResult
    public func rollBack(now: Date = Date()) -> TemplateSet? {
        state.withLock {
            guard let stable = $0.lastStable else { return nil }
            let failed = $0.current
            $0.current = stable
            $0.lastStable = nil
            $0.activatedAt = now
            return failed
        }
    }
}
