import Foundation
import LanyardSupport
import TUF
import Testing

@testable import Sync

/// Lanyard's releases written as TUF targets and read back from parsed TUF metadata: the same
/// releases, shares, scopes and cursors, and a publisher's inconsistencies refused.
struct TargetCatalogTests {
    static func file(_ text: String) -> Sync.TargetFile {
        let data = Data(text.utf8)
        return Sync.TargetFile(sha256: SHA256Digest.hex(data), length: data.count)
    }

    static let standard = TargetRelease(
        label: "2026.11-a", files: ["template.yaml": file("name: standard"), "fonts/NotoSans-Bold.ttf": file("font")])
    static let standardNext = TargetRelease(label: "2026.11-b", files: ["template.yaml": file("name: standard b")])

    static let targets: [String: Target] = [
        "templates/standard": Target(
            kind: .template, scope: .event("devcon-2026"), current: standard, staged: StagedRelease(release: standardNext, share: 0.125)),
        "profiles/zebra": Target(kind: .profiles, current: TargetRelease(label: "p1", files: ["zd421.yaml": file("model: zd421")])),
        "attendees/devcon-2026": Target(
            kind: .attendeeSnapshot, cursor: 41, current: TargetRelease(label: "c41", files: ["attendees.jsonl": file("{}\n")])),
    ]

    /// The entries as a TUF targets role would list them, parsed by the TUF module.
    static func parsed(_ entries: [TargetCatalog.Entry], extra: [(String, TUFJSON)] = []) throws -> [(name: String, file: TUF.TargetFile)] {
        var members: [(key: String, value: TUFJSON)] = entries.map { entry in
            let object = try! JSONObject([
                ("length", .integer(Int64(entry.file.length))),
                ("hashes", .object(try! JSONObject([("sha256", .string(entry.file.sha256))]))), ("custom", entry.custom),
            ])
            return (entry.name, .object(object))
        }
        members += extra.map { (key: $0.0, value: $0.1) }
        let signed = try JSONObject([
            ("_type", .string("targets")), ("spec_version", .string("1.0.31")), ("version", .integer(1)),
            ("expires", .string("2030-01-01T00:00:00Z")), ("targets", .object(try JSONObject(members))),
        ])
        let envelope = TUFJSON.object(try JSONObject([("signatures", .array([])), ("signed", .object(signed))]))
        let targets = try Targets(try SignedEnvelope(parsing: envelope.canonicalBytes))
        return targets.targets.entries.map { ($0.name, $0.value) }
    }

    @Test func releasesRoundTripThroughTUFTargets() throws {
        let entries = try TargetCatalog.entries(for: Self.targets)
        #expect(entries.count == 5)
        let directory = String(Self.standard.digest.prefix(16))
        #expect(entries.contains { $0.name == "templates/standard/\(directory)/fonts/NotoSans-Bold.ttf" })
        let read = try TargetCatalog.targets(from: try Self.parsed(entries))
        #expect(read == Self.targets)
        #expect(read["templates/standard"]?.staged?.share == 0.125)
    }

    @Test func namesOutsideLanyardAreLeftAlone() throws {
        let entries = try TargetCatalog.entries(for: Self.targets)
        let other = TUFJSON.object(
            try JSONObject([
                ("length", .integer(1)), ("hashes", .object(try JSONObject([("sha256", .string(String(repeating: "a", count: 64)))]))),
            ]))
        let read = try TargetCatalog.targets(from: try Self.parsed(entries, extra: [("firmware/kiosk.bin", other)]))
        #expect(read == Self.targets)
    }

    @Test func inconsistentReleasesAreRefused() throws {
        var entries = try TargetCatalog.entries(for: Self.targets)
        // One file of a release claims another label than its siblings.
        let index = try #require(
            entries.firstIndex { $0.name.hasSuffix("/template.yaml") && $0.name.contains(Self.standard.digest.prefix(16)) })
        var custom = try #require(entries[index].custom.objectValue?["lanyard"]?.objectValue)
        custom = try JSONObject(custom.members.map { ($0.key, $0.key == "label" ? TUFJSON.string("forged") : $0.value) })
        entries[index].custom = .object(try JSONObject([("lanyard", .object(custom))]))
        #expect(throws: SyncError.self) { try TargetCatalog.targets(from: try Self.parsed(entries)) }

        // A file added to a release changes its digest: the directory no longer names it.
        var added = try TargetCatalog.entries(for: Self.targets)
        let sibling = try #require(added.first { $0.name.contains(Self.standard.digest.prefix(16)) })
        added.append(
            .init(
                name: sibling.name.replacingOccurrences(of: "template.yaml", with: "extra.yaml")
                    .replacingOccurrences(of: "fonts/NotoSans-Bold.ttf", with: "extra.yaml"), file: Self.file("x"), custom: sibling.custom))
        #expect(throws: SyncError.self) { try TargetCatalog.targets(from: try Self.parsed(added)) }

        // A staged release alone, with no current one.
        let stagedOnly = try TargetCatalog.entries(for: Self.targets).filter {
            !$0.name.hasPrefix("templates/standard/\(Self.standard.digest.prefix(16))")
        }
        #expect(throws: SyncError.self) { try TargetCatalog.targets(from: try Self.parsed(stagedOnly)) }
    }

    @Test func sharesAreWholeBasisPoints() throws {
        #expect(try TargetCatalog.basisPoints(0.1, unit: "templates/x") == 1_000)
        #expect(try TargetCatalog.basisPoints(1, unit: "templates/x") == 10_000)
        #expect(throws: SyncError.self) { try TargetCatalog.basisPoints(0.00001, unit: "templates/x") }
        #expect(throws: SyncError.self) { try TargetCatalog.basisPoints(0, unit: "templates/x") }
    }

    @Test func delegationPatternsCoverEveryDepth() {
        let patterns = TargetCatalog.delegationPatterns(unitPattern: "templates/berlin-*")
        #expect(patterns.first == "templates/berlin-*/*/*")
        #expect(patterns.count == TargetCatalog.maximumPathDepth)
    }
}
