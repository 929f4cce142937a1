import Foundation
public import LanyardSupport

/// One file of a target: the blob stored under `blobs/sha256/<sha256>`.
public struct TargetFile: Sendable, Equatable, Hashable, Codable {
    public var sha256: String
    public var length: Int

    public init(sha256: String, length: Int) {
        self.sha256 = sha256
        self.length = length
    }
}

/// What a target is, which decides who uses it and how.
public enum TargetKind: String, Sendable, Codable, CaseIterable {
    /// A badge template bundle (template.yaml, fonts, assets).
    case template
    /// Printer profiles (firmware-profiles YAML files).
    case profiles
    /// An event's attendee list as of a cursor (one JSONL file).
    case attendeeSnapshot = "attendee_snapshot"
}

/// Where a template applies: the same three tiers the agent falls through when rendering.
public enum TemplateScope: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case global
    case event(String)
    case track(event: String, track: String)

    public var description: String {
        switch self {
        case .global: "global"
        case .event(let slug): "event:\(slug)"
        case .track(let event, let track): "track:\(event)/\(track)"
        }
    }

    /// Parses `global`, `event:SLUG` or `track:SLUG/TRACK`.
    public init(parsing text: String) throws(SyncError) {
        if text == "global" {
            self = .global
            return
        }
        if text.hasPrefix("event:"), case let slug = String(text.dropFirst(6)), Self.isName(slug) {
            self = .event(slug)
            return
        }
        if text.hasPrefix("track:") {
            let parts = text.dropFirst(6).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, Self.isName(parts[0]), Self.isName(parts[1]) {
                self = .track(event: parts[0], track: parts[1])
                return
            }
        }
        throw SyncError(.targetInvalid, "a scope is 'global', 'event:SLUG' or 'track:SLUG/TRACK'", subject: text)
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || ($0 >= 0x41 && $0 <= 0x5A)
            }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try TemplateScope(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One version of a target's content: its files and a label for people (`2026.11-b`).
public struct TargetRelease: Sendable, Equatable, Codable {
    public var label: String
    /// Relative path inside the target (with `/`) -> blob.
    public var files: [String: TargetFile]

    public init(label: String, files: [String: TargetFile]) {
        self.label = label
        self.files = files
    }

    /// One digest over the release's paths and hashes: what "the version a kiosk runs" means in
    /// reports and pins, independent of the label.
    public var digest: String {
        let lines = files.keys.sorted().map { "\(files[$0]!.sha256) \(files[$0]!.length) \($0)\n" }.joined()
        return Hex.encode(SHA256Digest.of(Data(lines.utf8)))
    }

    public var totalLength: Int { files.values.reduce(0) { $0 + $1.length } }
}

/// A target in the manifest: the release the fleet runs, and optionally a candidate release
/// staged to a share of the fleet. An agent is in the share when a hash of its id and the
/// candidate's digest falls below it, so the same agents stay in as the share grows.
public struct Target: Sendable, Equatable, Codable {
    public var kind: TargetKind
    public var scope: TemplateScope?
    /// For attendee snapshots: the cursor the snapshot is at; deltas continue from it.
    public var cursor: Int64?
    public var current: TargetRelease
    public var staged: StagedRelease?

    public init(kind: TargetKind, scope: TemplateScope? = nil, cursor: Int64? = nil, current: TargetRelease, staged: StagedRelease? = nil) {
        self.kind = kind
        self.scope = scope
        self.cursor = cursor
        self.current = current
        self.staged = staged
    }
}

/// A release offered to a share (0 < share <= 1) of the fleet before everyone gets it.
public struct StagedRelease: Sendable, Equatable, Codable {
    public var release: TargetRelease
    public var share: Double

    public init(release: TargetRelease, share: Double) {
        self.release = release
        self.share = share
    }
}

/// Names of targets and of the files inside them: relative, no `..`, nothing a cache could be
/// tricked into writing outside itself with.
public enum TargetName {
    public static func validate(_ name: String) throws(SyncError) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, ["templates", "profiles", "attendees"].contains(parts[0]), TemplateScope.isName(String(parts[1])) else {
            throw SyncError(.targetInvalid, "a target is named templates/NAME, profiles/NAME or attendees/EVENT", subject: name)
        }
    }

    public static func validatePath(_ path: String, in target: String) throws(SyncError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let valid =
            !path.isEmpty && path.utf8.count <= 255 && !path.hasPrefix("/")
            && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.hasPrefix(".") }
            && !path.utf8.contains(0) && !path.contains("\\")
        guard valid else { throw SyncError(.targetInvalid, "file path '\(path)' is not a plain relative path", subject: target) }
    }
}

extension StagedRelease {
    /// Whether `agentID` is in the share: the first 8 bytes of SHA-256("<agent id>:<digest>"),
    /// as a fraction of 2^64, fall below it. Stable for an agent and a release, so raising the
    /// share keeps the agents already in, and independent between releases.
    public func includes(agentID: String) -> Bool {
        let hash = SHA256Digest.of(Data("\(agentID):\(release.digest)".utf8))
        let value = hash.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value) / 18_446_744_073_709_551_616.0 < share
    }
}

extension Target {
    /// The release this agent should run: the staged one when it is in the share.
    public func release(for agentID: String) -> TargetRelease {
        if let staged, staged.includes(agentID: agentID) { return staged.release }
        return current
    }
}
