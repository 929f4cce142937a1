import Foundation
import Testing

@testable import TUF

struct MetadataBuildingTests {
    @Test func expiryIsWrittenAsTheSpecificationWritesIt() throws {
        #expect(CommonFields.expiryText(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(CommonFields.expiryText(Date(timeIntervalSince1970: 1_709_251_199.999)) == "2024-02-29T23:59:59Z")
        #expect(CommonFields.expiryText(Date(timeIntervalSince1970: 1_956_528_000)) == "2032-01-01T00:00:00Z")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let seconds = Int64.random(in: 0...253_402_300_799, using: &generator)
            #expect(parseExpiry(CommonFields.expiryText(Date(timeIntervalSince1970: Double(seconds)))) == seconds)
        }
    }

    @Test func fileTextEscapesControlCharactersAndReadsBackTheSame() throws {
        let value = TUFJSON.object(
            try JSONObject([
                ("text", .string("a\u{1}b\n\"q\" \\ é/\u{7F}\u{2028}")),
                ("list", .array([.integer(-1), .null, .bool(true), .array([]), .object(.empty)])),
                ("\u{1F}key", .string("")),
            ]))
        for indentation in [0, 1, 2] {
            let text = value.jsonText(indentation: indentation)
            #expect(try TUFJSON(parsing: text) == value)
            #expect(!text.contains { $0 < 0x20 && $0 != 0x0A }, "control characters are escaped")
        }
        #expect(value.jsonText() != value.canonicalBytes)
        #expect(TUFJSON.object(try JSONObject([("a", .integer(1))])).jsonText() == Array(#"{"a":1}"#.utf8))
    }

    /// A root, targets with delegations, snapshot and timestamp built here: each signs, writes,
    /// parses back as the client parses it and verifies.
    @Test func builtMetadataParsesAndVerifies() throws {
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        let (ed, ec, rsa) = (TestKeys.ed25519[0], TestKeys.ecdsa[0], TestKeys.rsa)
        let root = try Root(
            expires: expires,
            roles: [
                "root": RoleAssignment([ed.publicKey, ec.publicKey, rsa.publicKey], threshold: 2),
                "targets": RoleAssignment([ed.publicKey]),
                "snapshot": RoleAssignment([ec.publicKey]), "timestamp": RoleAssignment([rsa.publicKey]),
            ], unrecognized: try JSONObject([("x-event", .string("Lanyard Conf"))]))
        #expect(root.common.specVersion == "1.0.31" && root.common.expires == "2033-05-18T03:33:20Z")
        #expect(root.keys.count == 3 && root.consistentSnapshot)
        for indentation in [0, 2] {
            let envelope = try SignedEnvelope(signing: root.signedObject, with: [ed, rsa])
            let read = try SignedEnvelope(parsing: envelope.fileContents(indentation: indentation))
            let parsed = try Root(read)
            #expect(parsed.signedObject == root.signedObject)
            #expect(
                try read.verify(keys: parsed.keys, role: try #require(parsed.role("root")), roleName: "root").sorted()
                    == [ed.keyid, rsa.keyid].sorted())
        }
        let short = try SignedEnvelope(parsing: try SignedEnvelope(signing: root.signedObject, with: [ec]).fileContents())
        #expect(throws: TUFError.self) { try short.verify(keys: root.keys, role: try #require(root.role("root")), roleName: "root") }

        let venue = try DelegatedRole(name: "venue-a", keyids: [ec.keyid], terminating: true, paths: .patterns(["venue-a/*"]))
        let delegations = try Delegations(keys: [ec.publicKey], roles: [venue])
        let custom = TUFJSON.object(try JSONObject([("kind", .string("template")), ("pins", .array([.integer(1)]))]))
        let file = try TargetFile(describing: Array("printer: zebra\n".utf8), hashAlgorithms: ["sha256", "sha512"], custom: custom)
        let targets = try Targets(
            version: 3, expires: expires, targets: try NameMap([("badge.yaml", file)]), delegations: delegations)
        let targetsEnvelope = try SignedEnvelope(parsing: try SignedEnvelope(signing: targets.signedObject, with: [ed]).fileContents())
        let parsedTargets = try Targets(targetsEnvelope)
        try targetsEnvelope.verify(keys: root.keys, role: try #require(root.role("targets")), roleName: "targets")
        #expect(parsedTargets.common.version == 3)
        #expect(parsedTargets.targets["badge.yaml"]?.custom == custom)
        #expect(parsedTargets.targets["badge.yaml"]?.hashes.names == ["sha256", "sha512"])
        try parsedTargets.targets["badge.yaml"]?.verify(Array("printer: zebra\n".utf8), name: "badge.yaml")
        #expect(parsedTargets.delegations?.role(named: "venue-a")?.isDelegated(path: "venue-a/x.yaml") == true)

        let snapshot = try Snapshot(version: 2, expires: expires, meta: try NameMap([("targets.json", try MetaFile(version: 3))]))
        let snapshotBytes = try SignedEnvelope(signing: snapshot.signedObject, with: [ec]).fileContents()
        let timestamp = try Timestamp(version: 9, expires: expires, snapshot: try MetaFile(describing: snapshotBytes, version: 2))
        let timestampEnvelope = try SignedEnvelope(parsing: try SignedEnvelope(signing: timestamp.signedObject, with: [rsa]).fileContents())
        try timestampEnvelope.verify(keys: root.keys, role: try #require(root.role("timestamp")), roleName: "timestamp")
        try Timestamp(timestampEnvelope).snapshotMeta.verify(snapshotBytes, name: "2.snapshot.json")
        #expect(try Snapshot(try SignedEnvelope(parsing: snapshotBytes)).meta["targets.json"]?.version == 3)
    }

    @Test func invalidMetadataIsRefusedWhenBuilt() throws {
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        let key = TestKeys.ed25519[0].publicKey
        #expect(throws: TUFError.self) { try Root(expires: expires, roles: ["root": RoleAssignment([key])]) }
        #expect(throws: TUFError.self) { try Targets(version: 0, expires: expires) }
        #expect(throws: TUFError.self) { try RoleKeys(keyids: ["a", "a"], threshold: 1) }
        #expect(throws: TUFError.self) { try DelegatedRole(name: "snapshot", keyids: [], terminating: false, paths: .patterns([])) }
        #expect(throws: TUFError.self) {
            try Targets(version: 1, expires: expires, unrecognized: try JSONObject([("version", .integer(2))]))
        }
        #expect(throws: TUFError.self) { try TargetFile(describing: [], hashAlgorithms: ["md5"]) }
    }

    @Test func rootRotationHelpersKeepTheRestOfTheRoot() throws {
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        let keys = TestKeys.ed25519
        let root = try Root(
            expires: expires,
            roles: [
                "root": RoleAssignment([keys[0].publicKey]), "targets": RoleAssignment([keys[1].publicKey]),
                "snapshot": RoleAssignment([keys[1].publicKey]), "timestamp": RoleAssignment([keys[2].publicKey]),
            ], unrecognized: try JSONObject([("x-kept", .bool(true))]))
        let next = try root.replacing("timestamp", with: RoleAssignment([keys[3].publicKey, keys[1].publicKey], threshold: 2))
            .nextVersion(expires: expires.addingTimeInterval(86_400))
        #expect(next.common.version == 2 && next.common.expires == "2033-05-19T03:33:20Z")
        #expect(next.role("timestamp")?.keyids == [keys[3].keyid, keys[1].keyid] && next.role("timestamp")?.threshold == 2)
        #expect(next.keys.names.sorted() == [keys[0].keyid, keys[1].keyid, keys[3].keyid].sorted(), "the old timestamp key is dropped")
        #expect(next.unrecognized["x-kept"] == .bool(true))
        #expect(throws: TUFError.self) { try root.replacing("mirrors", with: RoleAssignment([keys[0].publicKey])) }
    }

    @Test(arguments: [2, 16, 32, 256, 4096])
    func hashBinsCoverEveryPrefixOnce(count: Int) throws {
        let bins = try HashBins(namePrefix: "bin", count: count)
        let all = (0..<count).flatMap { bins.prefixes(ofBin: $0) }
        #expect(all.count == 1 << (4 * bins.prefixLength))
        #expect(Set(all).count == all.count && all == all.sorted())
        #expect(all.allSatisfy { $0.count == bins.prefixLength })
        #expect(Set(bins.roleNames).count == count)
        let roles = try bins.delegatedRoles(keyids: [TestKeys.ed25519[0].keyid])
        for index in 0..<64 {
            let path = "attendees/\(index).json"
            let holders = roles.filter { $0.isDelegated(path: path) }
            #expect(holders.map(\.name) == [bins.roleName(of: path)], "\(path)")
        }
        #expect(throws: TUFError.self) { try HashBins(namePrefix: "bin", count: 24) }
        #expect(throws: TUFError.self) { try HashBins(namePrefix: "bin", count: 1) }
    }

    @Test func hashBinNamesSayTheirPrefixes() throws {
        #expect(try HashBins(namePrefix: "bins", count: 16).roleNames.prefix(2) == ["bins-0", "bins-1"])
        #expect(try HashBins(namePrefix: "bins", count: 4).roleNames == ["bins-0-3", "bins-4-7", "bins-8-b", "bins-c-f"])
        #expect(try HashBins(namePrefix: "b", count: 32).roleNames.last == "b-f8-ff")
        #expect(try HashBins(namePrefix: "b", count: 32).prefixes(ofBin: 1).first == "08")
    }
}
