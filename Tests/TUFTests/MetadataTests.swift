import Crypto
import LanyardSupport
import Testing

@testable import TUF

/// Metadata written and signed here, to reach the cases python-tuf will not write.
struct Fixture {
    static func string(_ text: String) -> TUFJSON { .string(text) }

    static func object(_ pairs: [(String, TUFJSON)]) -> TUFJSON { .object(try! JSONObject(pairs.map { (key: $0.0, value: $0.1) })) }

    static func ed25519Key(_ key: Curve25519.Signing.PrivateKey, extra: [(String, TUFJSON)] = []) -> TUFJSON {
        object(
            [
                ("keytype", string("ed25519")), ("scheme", string("ed25519")),
                ("keyval", object([("public", string(hexString(key.publicKey.rawRepresentation)))])),
            ] + extra)
    }

    static func common(
        _ type: String, version: TUFJSON = .integer(1), spec: String = "1.0.31", expires: String = "2031-02-03T04:05:06Z"
    )
        -> [(String, TUFJSON)]
    {
        [("_type", string(type)), ("spec_version", string(spec)), ("version", version), ("expires", string(expires))]
    }

    static func role(_ keyids: [String], threshold: Int64) -> TUFJSON {
        object([("keyids", .array(keyids.map { string($0) })), ("threshold", .integer(threshold))])
    }

    /// An envelope of `signed` with a signature by each key under the id given.
    static func envelope(_ signed: TUFJSON, signers: [(String, Curve25519.Signing.PrivateKey)]) throws -> SignedEnvelope {
        let bytes = signed.canonicalBytes
        let signatures = try signers.map { keyid, key in
            object([("keyid", string(keyid)), ("sig", string(hexString(try key.signature(for: bytes))))])
        }
        return try SignedEnvelope(object([("signatures", .array(signatures)), ("signed", signed)]))
    }
}

@Suite struct MetadataTests {
    let first = Curve25519.Signing.PrivateKey()
    let second = Curve25519.Signing.PrivateKey()

    func root(keys: [(String, TUFJSON)], rootRole: TUFJSON, extra: [(String, TUFJSON)] = []) -> TUFJSON {
        let other = Fixture.role(["a"], threshold: 1)
        return Fixture.object(
            Fixture.common("root") + [
                ("keys", Fixture.object(keys)),
                ("roles", Fixture.object([("root", rootRole), ("timestamp", other), ("snapshot", other), ("targets", other)])),
            ] + extra)
    }

    @Test func aThresholdCountsDistinctKeysNotIdsOrSignatures() throws {
        let firstID = sha256Hex(Fixture.ed25519Key(first).canonicalBytes)
        // The same public key again under another id (an unknown field changes the id).
        let aliasKey = Fixture.ed25519Key(first, extra: [("x-alias", .bool(true))])
        let aliasID = sha256Hex(aliasKey.canonicalBytes)
        let secondID = sha256Hex(Fixture.ed25519Key(second).canonicalBytes)
        let unknown = Fixture.object([
            ("keytype", .string("sphincs")), ("scheme", .string("sphincs-shake")), ("keyval", Fixture.object([])),
        ])
        let signed = root(
            keys: [(firstID, Fixture.ed25519Key(first)), (aliasID, aliasKey), (secondID, Fixture.ed25519Key(second)), ("u", unknown)],
            rootRole: Fixture.role([firstID, aliasID, secondID, "u", "missing"], threshold: 2))
        let parsed = try Root(try Fixture.envelope(signed, signers: []))
        #expect(parsed.keys[firstID]?.computedID == firstID)
        #expect(parsed.keys["u"]?.isUsable == false)
        let rootRole = try #require(parsed.role("root"))

        let aliased = try Fixture.envelope(signed, signers: [(firstID, first), (aliasID, first), (firstID, first), ("u", first)])
        #expect(aliased.validSigners(keys: parsed.keys, role: rootRole) == [firstID])
        #expect(throws: TUFError.self) { try aliased.verify(keys: parsed.keys, role: rootRole, roleName: "root") }
        // A signature by the wrong key under an id, then the right one: the id counts once.
        let mixed = try Fixture.envelope(signed, signers: [(secondID, first), (secondID, second), (firstID, first)])
        #expect(try mixed.verify(keys: parsed.keys, role: rootRole, roleName: "root").sorted() == [firstID, secondID].sorted())
    }

    @Test func signaturesCoverUnknownFields() throws {
        let keyID = sha256Hex(Fixture.ed25519Key(first).canonicalBytes)
        let signed = root(
            keys: [(keyID, Fixture.ed25519Key(first))], rootRole: Fixture.role([keyID], threshold: 1),
            extra: [("x-lanyard", Fixture.object([("pins", .array([.integer(1)]))]))])
        let envelope = try Fixture.envelope(signed, signers: [(keyID, first)])
        let parsed = try Root(envelope)
        #expect(parsed.unrecognized.keys == ["x-lanyard"])
        try envelope.verify(keys: parsed.keys, role: try #require(parsed.role("root")), roleName: "root")
        // Dropping the unknown field, as a decoder into a fixed struct would, breaks the signature.
        let stripped = try SignedEnvelope(
            Fixture.object([
                (
                    "signatures",
                    .array(envelope.signatures.map { Fixture.object([("keyid", .string($0.keyid)), ("sig", .string($0.sig))]) })
                ),
                ("signed", .object(envelope.signed.removing(["x-lanyard"]))),
            ]))
        #expect(stripped.validSigners(keys: parsed.keys, role: try #require(parsed.role("root"))).isEmpty)
    }

    @Test func commonFieldsAreChecked() throws {
        func parses(_ common: [(String, TUFJSON)]) -> Bool {
            (try? Targets(try Fixture.envelope(Fixture.object(common + [("targets", Fixture.object([]))]), signers: []))) != nil
        }
        #expect(parses(Fixture.common("targets")))
        #expect(parses(Fixture.common("targets", spec: "1.0")))
        #expect(parses(Fixture.common("targets", spec: "1.2.3")))
        for spec in ["2.0.0", "1", "1.0.0.0", "1.a.0", "1..0", "v1.0.0", " 1.0.0"] {
            #expect(!parses(Fixture.common("targets", spec: spec)), "\(spec)")
        }
        #expect(!parses(Fixture.common("root")))
        #expect(!parses(Fixture.common("targets", version: .integer(0))))
        #expect(!parses(Fixture.common("targets", version: .string("1"))))
        #expect(!parses(Fixture.common("targets", version: .bool(true))))
        for expires in [
            "2030-02-30T00:00:00Z", "2030-1-01T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:00:60Z", "2030-01-01 00:00:00Z",
            "2030-01-01T00:00:00", "2030-01-01T00:00:00+00:00", "2030-01-01T00:00:00.5Z", "0000-01-01T00:00:00Z", "2100-02-29T00:00:00Z",
        ] {
            #expect(!parses(Fixture.common("targets", expires: expires)), "\(expires)")
        }
        #expect(parseExpiry("1970-01-01T00:00:00Z") == 0)
        #expect(parseExpiry("1969-12-31T23:59:59Z") == -1)
        #expect(parseExpiry("2000-03-01T00:00:00Z") == 951_868_800)
        #expect(parseExpiry("2000-02-29T00:00:00Z") == 951_782_400)
        let common = try CommonFields(try #require(Fixture.object(Fixture.common("targets")).objectValue), type: "targets")
        #expect(common.expiresAt == 1_927_857_906)
        #expect(!common.isExpired(at: 1_927_857_905))
        #expect(common.isExpired(at: 1_927_857_906))
    }

    @Test func rootNeedsExactlyTheTopLevelRoles() throws {
        let other = Fixture.role(["a"], threshold: 1)
        func parses(_ roles: [(String, TUFJSON)]) -> Bool {
            let signed = Fixture.object(Fixture.common("root") + [("keys", Fixture.object([])), ("roles", Fixture.object(roles))])
            return (try? Root(try Fixture.envelope(signed, signers: []))) != nil
        }
        let all = ["root", "snapshot", "targets", "timestamp"].map { ($0, other) }
        #expect(parses(all))
        #expect(!parses(Array(all.dropLast())))
        #expect(!parses(all + [("mirrors", other)]))
        #expect(!parses(all.map { ($0.0, $0.0 == "root" ? Fixture.role(["a", "a"], threshold: 1) : $0.1) }))
        #expect(!parses(all.map { ($0.0, $0.0 == "root" ? Fixture.role(["a"], threshold: 0) : $0.1) }))
    }

    @Test func targetFilesCheckLengthAndEveryHash() throws {
        let data = Array("template: standard\n".utf8)
        let sha256 = sha256Hex(data)
        let sha512 = hexString(SHA512.hash(data: data))
        func target(_ hashes: [(String, TUFJSON)], length: Int64 = Int64(data.count)) throws -> TargetFile {
            try TargetFile(Fixture.object([("length", .integer(length)), ("hashes", Fixture.object(hashes))]), field: "t")
        }
        try target([("sha256", .string(sha256)), ("sha512", .string(sha512))]).verify(data, name: "t")
        func refusal(_ file: TargetFile, _ bytes: [UInt8]) -> TUFErrorCode? {
            do {
                try file.verify(bytes, name: "t")
                return nil
            } catch { return error.code }
        }
        #expect(refusal(try target([("sha256", .string(sha256))], length: Int64(data.count) + 1), data) == .lengthMismatch)
        #expect(refusal(try target([("sha256", .string(sha256)), ("sha512", .string(sha512))]), data.dropLast() + [0x3F]) == .hashMismatch)
        #expect(
            refusal(try target([("sha256", .string(sha256)), ("sha512", .string(String(sha512.dropLast()) + "0"))]), data) == .hashMismatch)
        #expect(refusal(try target([("sha256", .string(sha256.uppercased()))]), data) == .hashMismatch)
        #expect(refusal(try target([("sha256", .string(sha256)), ("md5", .string("00"))]), data) == .hashMismatch)
        #expect(throws: TUFError.self) { try target([]) }
        #expect(throws: TUFError.self) { try target([("sha256", .string(sha256))], length: -1) }
    }

    @Test func delegatedRolesNeedOneKindOfPaths() throws {
        func role(_ extra: [(String, TUFJSON)], name: String = "venue") throws -> DelegatedRole {
            try DelegatedRole(
                Fixture.object(
                    [("name", .string(name)), ("keyids", .array([])), ("threshold", .integer(1)), ("terminating", .bool(true))] + extra),
                field: "r")
        }
        _ = try role([("paths", .array([]))])
        #expect(try !role([("paths", .array([]))]).isDelegated(path: "a"))
        #expect(throws: TUFError.self) { try role([]) }
        #expect(throws: TUFError.self) { try role([("paths", .array([])), ("path_hash_prefixes", .array([]))]) }
        #expect(throws: TUFError.self) { try role([("paths", .array([.integer(1)]))]) }
        #expect(throws: TUFError.self) { try role([("paths", .array([]))], name: "targets") }
        #expect(throws: TUFError.self) { try role([("paths", .array([]))], name: "") }
    }
}
