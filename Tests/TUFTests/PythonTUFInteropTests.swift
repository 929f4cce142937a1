import Foundation
import TestSupport
import Testing

@testable import TUF

enum PythonTUF {
    static let available = PythonTools.canImport("tuf.api.metadata, securesystemslib.signer, cryptography")
    static var enabled: Bool { available || PythonTools.required }
    static let skipReason: Comment = "needs Python with tuf and cryptography (run 'make tools')"
    static let script = "Tests/Tools/tuf_fixtures.py"
}

func hexOf(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// python-tuf and securesystemslib, an independent implementation, make the metadata and judge it;
/// the Swift module must compute the same key ids and signed bytes and reach the same verdicts.
@Suite(.enabled(if: PythonTUF.enabled, PythonTUF.skipReason))
struct PythonTUFInteropTests {
    @Test func metadataMadeByPythonTUFVerifiesAlike() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-tuf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let results = try PythonTools.runJobs(
            script: PythonTUF.script, [["id": "repository", "kind": "repository", "dir": directory.path]])
        let result = try #require(results["repository"])
        #expect(result["error"] == nil, "\(result["error"] ?? "")")
        func envelope(_ file: String) throws -> SignedEnvelope {
            try SignedEnvelope(parsing: Array(try Data(contentsOf: directory.appending(path: file))))
        }

        let root = try Root(try envelope("root.json"))
        let targets = try Targets(try envelope("targets.json"))
        let delegations = try #require(targets.delegations)

        // Key ids: python's listed ids are securesystemslib's default (keytype, scheme, keyval);
        // the id of the whole key object is the same except for the key with an extra field.
        let keys = try #require(result["keys"] as? [String: [String: Any]])
        #expect(keys.count == 5)
        for (name, key) in keys {
            let keyid = try #require(key["keyid"] as? String)
            let listed = try #require(root.keys[keyid] ?? delegations.keys[keyid], "\(name)")
            #expect(listed.computedID == key["object_sha256"] as? String, "\(name)")
            #expect(listed.keytype == key["keytype"] as? String)
            #expect(listed.isUsable, "\(name): \(listed.unusableReason ?? "")")
            #expect((listed.computedID == keyid) == (name != "extra"), "\(name)")
        }
        #expect(root.unrecognized["x-lanyard"]?.objectValue?["venue"] == .string("Zoë \"hall\" \\ 2/3"))
        #expect(root.consistentSnapshot)

        // Each file against the role that delegates to it: the same signed bytes, the same signers,
        // the same verdict.
        let files = try #require(result["files"] as? [[String: Any]])
        #expect(files.count == 13)
        var refused = 0
        for file in files {
            let name = try #require(file["file"] as? String)
            let roleName = try #require(file["role"] as? String)
            let metadata = try envelope(name)
            #expect(sha256Hex(metadata.signedBytes) == file["signed_sha256"] as? String, "\(name)")
            let (roleKeys, keyMap): (RoleKeys, NameMap<PublicKey>) =
                file["delegator"] as? String == "root"
                ? (try #require(root.role(roleName)), root.keys)
                : (try #require(delegations.role(named: roleName)?.keys), delegations.keys)
            let signers = metadata.validSigners(keys: keyMap, role: roleKeys).sorted()
            #expect(signers == file["signers"] as? [String], "\(name)")
            let verified = try #require(file["verified"] as? Bool)
            #expect(verified == ((try? metadata.verify(keys: keyMap, role: roleKeys, roleName: roleName)) != nil), "\(name)")
            if !verified { refused += 1 }
        }
        #expect(refused == 7, "every tampered copy is refused by python-tuf too")
        _ = try Timestamp(try envelope("timestamp.json"))
        _ = try Snapshot(try envelope("snapshot.json"))

        // One key's signature twice for a role that needs three keys: python-tuf will not parse the
        // file; here it parses, and the key counts once.
        #expect(result["double_signature_parsed_by_python"] as? Bool == false)
        let double = try envelope("double-signature-root.json")
        #expect(double.signatures.count == 2)
        let rootRole = try #require(root.role("root"))
        #expect(double.validSigners(keys: root.keys, role: rootRole).count == 1)
        #expect(throws: TUFError.self) { try double.verify(keys: root.keys, role: rootRole, roleName: "root") }

        // Target files: intact ones pass, a changed byte or an extra byte is refused.
        let targetResults = try #require(result["targets"] as? [[String: Any]])
        #expect(targetResults.count == 6)
        for entry in targetResults {
            let file = try #require(entry["file"] as? String)
            let targetName = try #require(entry["name"] as? String)
            let target = try #require(targets.targets[targetName])
            #expect(target.hashes.names == ["sha256", "sha512"])
            #expect(target.custom?.objectValue?["kind"] == .string("template"))
            let data = Array(try Data(contentsOf: directory.appending(path: file)))
            #expect((entry["valid"] as? Bool) == ((try? target.verify(data, name: file)) != nil), "\(file)")
        }

        // The delegations as python wrote them: order kept, paths and hash prefixes.
        #expect(delegations.roles.map(\.name) == ["venue-a", "bins"])
        let venue = try #require(delegations.role(named: "venue-a"))
        #expect(venue.terminating)
        #expect(venue.isDelegated(path: "venue-a/profile.yaml"))
        #expect(!venue.isDelegated(path: "venue-a/deeper/profile.yaml"))
        #expect(venue.isDelegated(path: "profiles/venue-a-zebra.yaml"))
        #expect(delegations.unrecognized["x-order"] == .string("venue-a first"))
    }

    @Test func canonicalJSONIsByteForByteSecuresystemslibs() throws {
        let documents = [
            #"{"b":1,"a":["\u00e9/\\\"\u0001\u001f\u007f"],"A":null}"#,
            "{\"\u{1F600}\":1,\"\u{FFFF}\":2,\"é\":3,\"e\u{301}\":4,\"\":[],\"ſ\":{},\"K\":true}",
            #"[9223372036854775807,-9223372036854775808,-0,0,false,{"z":{"y":{"x":[[]]}}}]"#,
            #"{"signed":{"_type":"targets","targets":{"a b/ü \"q\".txt":{"length":0,"hashes":{"sha256":"00"}}}}}"#,
            #""\ud83d\ude00\u2028\u2029\u0000""#,
        ]
        let results = try PythonTools.runJobs(script: PythonTUF.script, [["id": "canonical", "kind": "canonical", "documents": documents]])
        let outputs = try #require(results["canonical"]?["outputs"] as? [[String: Any]])
        #expect(outputs.count == documents.count)
        for (document, output) in zip(documents, outputs) {
            let expected = try #require(output["hex"] as? String, "\(document): \(output)")
            #expect(hexOf(try TUFJSON(parsing: Array(document.utf8)).canonicalBytes) == expected, "\(document)")
        }
    }

    @Test func pathPatternsMatchAsPythonTUFMatchesThem() throws {
        let cases: [(String, String)] = [
            ("*", "a"), ("*", "a/b"), ("*", ""), ("a/*", "a/b"), ("a/*", "a/b/c"), ("a/*", "a/"), ("*/*", "a/b"), ("a/*/c", "a/b/c"),
            ("a/*.yaml", "a/x.yaml"), ("a/*.yaml", "a/x.yml"), ("a/b", "a/b"), ("a/b", "a/B"), ("/a", "/a"), ("/a", "a"), ("a//b", "a//b"),
            ("a?c", "abc"), ("a?c", "ac"), ("a?c", "a/c"), ("?", "é"), ("?", "e\u{301}"), ("??", "e\u{301}"), ("é", "e\u{301}"),
            ("[abc]x", "bx"), ("[!abc]x", "bx"), ("[!abc]x", "dx"), ("[a-c]", "b"), ("[a-c]", "-"), ("[-a]", "-"), ("[a-]", "-"),
            ("[]]", "]"), ("[!]]", "a"), ("[!]", "!"), ("[", "["), ("[a", "[a"), ("a[", "a["), ("[b-a]", "b"), ("[b-a]x", "x"),
            ("[!b-a]", "q"), ("[a-c-e]", "d"), ("[a-c-e]", "-"), ("[a-c-e]", "e"), ("[z-a-c]", "b"), ("[z-a-c]", "-"), ("[xb-ay-z]", "z"),
            ("[xb-ay-z]", "a"), ("[\\]", "\\"), ("[a\\-z]", "b"), ("[&~|]", "~"), ("[^a]", "^"), ("[^a]", "b"), ("[[]", "["),
            ("*a*b*", "xaybz"), ("*a*b*", "xbya"), ("**", "abc"), ("a*", "a"), ("*.json", ".json"), ("*\n", "x\n"), ("a.b", "axb"),
            ("(a)|b+", "(a)|b+"), ("$", "$"), ("[!-]", "a"), ("[!-]", "-"), ("[--0]", "."), ("[a-a]", "a"), ("[é-ë]", "ê"),
        ]
        let prefixes: [([String], String)] = [
            (["0", "1", "2", "3", "4", "5", "6", "7"], "badge.yaml"), (["8", "9", "a", "b", "c", "d", "e", "f"], "badge.yaml"),
            ([""], "anything"), ([], "anything"), (["A", "B", "C", "D", "E", "F"], "x"), (["a", "b", "c", "d", "e", "f"], "x"),
            (["9f"], "venue-a/profile.yaml"), (["fe2c"], "é"), (["6e"], "e\u{301}"),
        ]
        let job: [String: any Sendable] = [
            "id": "paths", "kind": "paths", "cases": cases.map { [$0.0, $0.1] },
            "prefixes": prefixes.map { [$0.0, $0.1] as [any Sendable] },
        ]
        let result = try #require(try PythonTools.runJobs(script: PythonTUF.script, [job])["paths"])
        #expect(result["error"] == nil, "\(result["error"] ?? "")")
        let matched = try #require(result["matched"] as? [Any])
        #expect(matched.count == cases.count)
        var trueCount = 0
        for ((pattern, path), expected) in zip(cases, matched) {
            let role = try DelegatedRole(
                .object(
                    JSONObject([
                        ("name", .string("r")), ("keyids", .array([])), ("threshold", .integer(1)), ("terminating", .bool(false)),
                        ("paths", .array([.string(pattern)])),
                    ])), field: "role")
            // Where python-tuf raises (a pattern `re` cannot compile), nothing matches here.
            let pythonMatched = (expected as? Bool) ?? false
            if pythonMatched { trueCount += 1 }
            #expect(
                role.isDelegated(path: path) == pythonMatched, "\(pattern.debugDescription) ~ \(path.debugDescription): python \(expected)")
        }
        #expect(trueCount > 20 && trueCount < cases.count - 20, "the cases are not all one way")
        let prefixed = try #require(result["prefixed"] as? [Bool])
        for ((list, path), expected) in zip(prefixes, prefixed) {
            let role = try DelegatedRole(
                .object(
                    JSONObject([
                        ("name", .string("r")), ("keyids", .array([])), ("threshold", .integer(1)), ("terminating", .bool(false)),
                        ("path_hash_prefixes", .array(list.map { .string($0) })),
                    ])), field: "role")
            #expect(role.isDelegated(path: path) == expected, "\(list) ~ \(path)")
        }
        #expect(prefixed.contains(true) && prefixed.contains(false))
    }
}
