import Foundation
public import LanyardSupport
public import TUF

/// Lanyard's releases as TUF targets, and back (docs/registry-protocol.md, "Targets").
///
/// Every file of a release is one TUF target named `UNIT/RELEASE/PATH`: the unit is the Lanyard
/// target (`templates/standard`, `profiles/zebra`, `attendees/devcon-2026`), RELEASE the first 16
/// hex digits of the release digest and PATH the file's place in the release. A release's name
/// therefore never changes: staging, promoting and rolling back only change which releases are
/// listed and what their `custom` says, and a file once published is never rewritten. Its
/// `custom` carries what TUF has no word for, identical on every file of the release:
///
/// ```json
/// {"lanyard": {"channel": "staged", "digest": "<64 hex>", "kind": "template", "label": "2026.11-b",
///              "scope": "event:devcon-2026", "share_basis_points": 1000}}
/// ```
///
/// `channel` is `current` or `staged`; a staged release has its share of the fleet in basis points
/// (canonical JSON has no fractions); an attendee snapshot has its `cursor`.
public enum TargetCatalog {
    /// Parts a path inside a release may have: delegation patterns match part by part, so a
    /// venue's delegation lists one pattern per depth up to this.
    public static let maximumPathDepth = 4
    /// Hex digits of the release digest that name its directory.
    public static let releaseDirectoryLength = 16
    /// The basis points of a whole share.
    public static let wholeShare: Int64 = 10_000

    /// One TUF target: its name, length and SHA-256, and its `custom` value.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var file: TargetFile
        public var custom: TUFJSON
    }

    /// The TUF targets that list `targets`, sorted by name.
    public static func entries(for targets: [String: Target]) throws(SyncError) -> [Entry] {
        var entries: [Entry] = []
        for (unit, target) in targets {
            try TargetName.validate(unit)
            var releases: [(TargetRelease, Channel)] = [(target.current, .current)]
            if let staged = target.staged { releases.append((staged.release, .staged(try basisPoints(staged.share, unit: unit)))) }
            for (release, channel) in releases {
                let custom = try self.custom(target: target, release: release, channel: channel)
                for (path, file) in release.files {
                    try validatePath(path, in: unit)
                    entries.append(Entry(name: targetName(unit: unit, release: release, path: path), file: file, custom: custom))
                }
            }
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The Lanyard targets among verified TUF targets. Names outside `templates/`, `profiles/`
    /// and `attendees/` are someone else's and left alone; a name inside them that breaks the
    /// layout, files of one release that disagree, or a unit without exactly one current release
    /// is a publisher's error and refuses the whole set, as a malformed targets file would.
    public static func targets(from files: [(name: String, file: TUF.TargetFile)]) throws(SyncError) -> [String: Target] {
        struct Group {
            var custom: TUFJSON
            var files: [String: TargetFile] = [:]
        }
        var groups: [String: [String: Group]] = [:]
        for (name, tufFile) in files where isLanyardName(name) {
            let parts = name.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else {
                throw SyncError(.targetInvalid, "a Lanyard target is named UNIT/RELEASE/PATH", subject: name)
            }
            let unit = "\(parts[0])/\(parts[1])"
            try TargetName.validate(unit)
            try validatePath(parts[3], in: unit)
            guard let sha256 = tufFile.hashes["sha256"], sha256.utf8.count == 64, Hex.decode(sha256) != nil,
                let length = Int(exactly: tufFile.length)
            else {
                throw SyncError(.metadataInvalid, "a Lanyard target lists its SHA-256", subject: name)
            }
            guard let custom = tufFile.custom else {
                throw SyncError(.metadataInvalid, "a Lanyard target has custom metadata", subject: name)
            }
            var group = groups[unit, default: [:]][parts[2]] ?? Group(custom: custom)
            guard group.custom == custom else {
                throw SyncError(.metadataInvalid, "the files of one release say different things of it", subject: name)
            }
            group.files[parts[3]] = TargetFile(sha256: sha256, length: length)
            groups[unit, default: [:]][parts[2]] = group
        }
        var targets: [String: Target] = [:]
        for (unit, releases) in groups {
            var current: (Description, TargetRelease)?
            var staged: (Description, TargetRelease)?
            for (directory, group) in releases {
                let description = try Description(group.custom, unit: unit)
                let release = TargetRelease(label: description.label, files: group.files)
                guard release.digest == description.digest, release.digest.hasPrefix(directory),
                    directory.utf8.count == releaseDirectoryLength
                else {
                    throw SyncError(.metadataInvalid, "release \(directory) does not hold the files its digest names", subject: unit)
                }
                switch description.channel {
                case .current:
                    guard current == nil else { throw SyncError(.metadataInvalid, "two current releases", subject: unit) }
                    current = (description, release)
                case .staged:
                    guard staged == nil else { throw SyncError(.metadataInvalid, "two staged releases", subject: unit) }
                    staged = (description, release)
                }
            }
            guard let (description, release) = current else {
                throw SyncError(.metadataInvalid, "a staged release without a current one", subject: unit)
            }
            if let (stagedDescription, _) = staged {
                guard stagedDescription.kind == description.kind, stagedDescription.scope == description.scope else {
                    throw SyncError(.metadataInvalid, "the staged release is of another kind or scope", subject: unit)
                }
            }
            targets[unit] = Target(
                kind: description.kind, scope: description.scope, cursor: description.cursor, current: release,
                staged: staged.map { description, release in
                    guard case .staged(let points) = description.channel else { preconditionFailure("grouped as staged") }
                    return StagedRelease(release: release, share: Double(points) / Double(wholeShare))
                })
        }
        return targets
    }

    /// The TUF target name of one file of a release of `unit`.
    public static func targetName(unit: String, release: TargetRelease, path: String) -> String {
        "\(unit)/\(release.digest.prefix(releaseDirectoryLength))/\(path)"
    }

    /// True for the names this catalog owns.
    public static func isLanyardName(_ name: String) -> Bool {
        ["templates/", "profiles/", "attendees/"].contains { name.hasPrefix($0) }
    }

    /// The delegation patterns that give a role every release of the units whose names start
    /// with `unitPrefix` (`templates/berlin-`, or `templates/berlin-*` style patterns of one
    /// part): one pattern per path depth, because a pattern matches part by part.
    public static func delegationPatterns(unitPattern: String) -> [String] {
        (1...maximumPathDepth).map { depth in ([unitPattern, "*"] + Array(repeating: "*", count: depth)).joined(separator: "/") }
    }

    /// The share in basis points; refuses shares finer than a hundredth of a percent.
    public static func basisPoints(_ share: Double, unit: String) throws(SyncError) -> Int64 {
        let points = (share * Double(wholeShare)).rounded()
        guard share > 0, share <= 1, abs(points - share * Double(wholeShare)) < 1e-6, points >= 1 else {
            throw SyncError(.targetInvalid, "a share is above 0, at most 1, in hundredths of a percent", subject: unit)
        }
        return Int64(points)
    }

    static func validatePath(_ path: String, in unit: String) throws(SyncError) {
        try TargetName.validatePath(path, in: unit)
        guard path.split(separator: "/").count <= maximumPathDepth else {
            throw SyncError(.targetInvalid, "file path '\(path)' is more than \(maximumPathDepth) parts deep", subject: unit)
        }
    }

    enum Channel: Equatable {
        case current
        case staged(Int64)
    }

    static func custom(target: Target, release: TargetRelease, channel: Channel) throws(SyncError) -> TUFJSON {
        var members: [(key: String, value: TUFJSON)] = [
            ("kind", .string(target.kind.rawValue)), ("label", .string(release.label)), ("digest", .string(release.digest)),
        ]
        switch channel {
        case .current: members.append(("channel", .string("current")))
        case .staged(let points): members += [("channel", .string("staged")), ("share_basis_points", .integer(points))]
        }
        if let scope = target.scope { members.append(("scope", .string(scope.description))) }
        if let cursor = target.cursor { members.append(("cursor", .integer(cursor))) }
        do {
            return .object(try JSONObject([("lanyard", .object(try JSONObject(members)))]))
        } catch {
            throw SyncError(.metadataInvalid, "cannot describe the release", subject: release.label, underlying: error)
        }
    }

    /// What a release's `custom.lanyard` says, checked against its unit.
    struct Description {
        var kind: TargetKind
        var scope: TemplateScope?
        var cursor: Int64?
        var label: String
        var digest: String
        var channel: Channel

        init(_ custom: TUFJSON, unit: String) throws(SyncError) {
            guard let object = custom.objectValue?["lanyard"]?.objectValue else {
                throw SyncError(.metadataInvalid, "custom metadata has no 'lanyard' object", subject: unit)
            }
            guard let kindText = object["kind"]?.stringValue, let kind = TargetKind(rawValue: kindText) else {
                throw SyncError(.metadataInvalid, "custom.lanyard.kind is not a kind Lanyard knows", subject: unit)
            }
            let expected: TargetKind =
                unit.hasPrefix("templates/") ? .template : unit.hasPrefix("profiles/") ? .profiles : .attendeeSnapshot
            guard kind == expected else {
                throw SyncError(.metadataInvalid, "a \(kind.rawValue) release under \(unit)", subject: unit)
            }
            guard let label = object["label"]?.stringValue, !label.isEmpty, let digest = object["digest"]?.stringValue else {
                throw SyncError(.metadataInvalid, "custom.lanyard has no label or digest", subject: unit)
            }
            switch (object["channel"]?.stringValue, object["share_basis_points"]?.integerValue) {
            case ("current", nil): channel = .current
            case ("staged", let points?) where points >= 1 && points <= TargetCatalog.wholeShare: channel = .staged(points)
            default: throw SyncError(.metadataInvalid, "custom.lanyard.channel is current, or staged with a share", subject: unit)
            }
            if kind == .template {
                guard let text = object["scope"]?.stringValue else {
                    throw SyncError(.metadataInvalid, "a template release has a scope", subject: unit)
                }
                scope = try TemplateScope(parsing: text)
            } else if object["scope"] != nil {
                throw SyncError(.metadataInvalid, "only templates have a scope", subject: unit)
            }
            if let value = object["cursor"] {
                guard kind == .attendeeSnapshot, let cursor = value.integerValue, cursor >= 0 else {
                    throw SyncError(.metadataInvalid, "only attendee snapshots have a cursor, a whole number", subject: unit)
                }
                self.cursor = cursor
            }
            self.kind = kind
            self.label = label
            self.digest = digest
        }
    }
}
