import Crypto
import Foundation
import LanyardSupport
import Sync
import Testing

@testable import TUF

/// Keys made once for every publishing test: RSA key generation takes a while in a debug build.
enum TestKeys {
    static let ed25519 = (0..<8).map { _ in try! TUFSigningKey.generate(.ed25519) }
    static let ecdsa = (0..<2).map { _ in try! TUFSigningKey.generate(.ecdsaP256) }
    static let rsa = try! TUFSigningKey.generate(.rsaPSSSHA256, rsaBits: 2048)

    static func one(_ scheme: TUFSigningKey.Scheme) -> TUFSigningKey {
        switch scheme {
        case .ed25519: ed25519[0]
        case .ecdsaP256: ecdsa[0]
        case .rsaPSSSHA256: rsa
        }
    }
}

/// A fresh directory under the temporary one, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-tuf-publish-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

struct SigningKeyTests {
    @Test(arguments: TUFSigningKey.Scheme.allCases)
    func aKeySignsWhatItsListedPublicKeyVerifies(scheme: TUFSigningKey.Scheme) throws {
        let key = TestKeys.one(scheme)
        let message = Array("{\"_type\":\"root\"}".utf8)
        let signature = try key.sign(message)
        #expect(signature.keyid == key.keyid)
        // The key as a root lists it: parsed from its own object, it verifies the signature.
        let listed = try PublicKey(.object(key.publicKey.object), field: "key")
        #expect(listed.isUsable)
        #expect(listed.isValidSignature(try #require(hexBytes(signature.sig)), for: message))
        #expect(!listed.isValidSignature(try #require(hexBytes(signature.sig)), for: message + [0x20]))
        #expect(key.publicKey.object.keys == ["keytype", "keyval", "scheme"])
        #expect(key.keyid == sha256Hex(TUFJSON.object(key.publicKey.object).canonicalBytes))
        #expect(key.publicKey.keytype == scheme.keytype && key.publicKey.scheme == scheme.rawValue)
    }

    @Test func keyFilesAreOwnerOnlyReadBackAndNeverReplaced() throws {
        try withTemporaryDirectory { directory in
            for scheme in TUFSigningKey.Scheme.allCases {
                let key = TestKeys.one(scheme)
                let url = directory.appending(path: "keys/\(scheme.rawValue).json")
                try key.write(to: url)
                let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                let read = try TUFSigningKey.read(from: url)
                #expect(read.keyid == key.keyid && read.scheme == scheme)
                let message = Array("signed".utf8)
                #expect(key.publicKey.isValidSignature(try #require(hexBytes(try read.sign(message).sig)), for: message))
                #expect(throws: TUFError(.fileExists, "a file is already there; it is never replaced", context: url.path)) {
                    try TestKeys.ed25519[1].write(to: url)
                }
                #expect(try TUFSigningKey.read(from: url).keyid == key.keyid)
            }
        }
    }

    @Test func aKeyFileListingAnotherPublicKeyOrIDIsRefused() throws {
        let key = TestKeys.ecdsa[0]
        let other = TestKeys.ecdsa[1]
        var object = try #require(try TUFJSON(parsing: key.fileContents).objectValue)
        object = try JSONObject(
            object.removing(["keyval"]).members.map { ($0.key, $0.value) } + [("keyval", other.publicKey.object["keyval"]!)])
        #expect(throws: TUFError.self) { try TUFSigningKey(fileContents: TUFJSON.object(object).jsonText()) }
        let text = String(decoding: key.fileContents, as: UTF8.self).replacingOccurrences(of: key.keyid, with: other.keyid)
        #expect(throws: TUFError.self) { try TUFSigningKey(fileContents: Array(text.utf8)) }
        #expect(throws: TUFError.self) { try TUFSigningKey(fileContents: Array(#"{"keytype":"rsa","scheme":"rsa-pkcs1v15-sha256"}"#.utf8)) }
    }

    /// The Ed25519 key file of Lanyard's own signed repository, written by that code, signs TUF
    /// metadata as the same key.
    @Test func theOldLanyardKeyFileCarriesOver() throws {
        try withTemporaryDirectory { directory in
            let old = Sync.SigningKey()
            let url = directory.appending(path: "root.key")
            try old.write(to: url)
            let key = try TUFSigningKey.read(from: url)
            #expect(key.scheme == .ed25519)
            #expect(key.publicKey.object["keyval"]?.objectValue?["public"] == .string(old.publicEntry.publicKey))
            let message = Array("carried over".utf8)
            #expect(old.privateKey.publicKey.isValidSignature(try #require(hexBytes(try key.sign(message).sig)), for: message))
            // Written again, it is in the new format, and the same key.
            let copy = directory.appending(path: "root.tuf-key")
            try key.write(to: copy)
            #expect(try TUFSigningKey.read(from: copy).keyid == key.keyid)

            let text = String(decoding: old.fileContents(), as: UTF8.self)
            let wrongID = text.replacingOccurrences(of: old.keyID, with: String(repeating: "0", count: 64))
            #expect(throws: TUFError.self) { try TUFSigningKey(fileContents: Array(wrongID.utf8)) }
        }
    }
}
