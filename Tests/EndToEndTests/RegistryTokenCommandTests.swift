import Foundation
import Testing

/// `lanyard registry token` as an administrator runs it on the registry's database: a token made
/// once into a file only its owner reads, rotated, revoked, listed without secrets, and every
/// change in the audit log with who and why.
@Suite struct RegistryTokenCommandTests {
    @Test func anAdministratorMakesRotatesAndRevokesTokensAndTheAuditLogSaysWhoAndWhy() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let state = ["--state", work.appending(path: "state").path]
        let tokenFile = work.appending(path: "desk.token").path

        let created = try runLanyard(
            [
                "registry", "token", "create", "--holder", "Ada Lovelace", "--role", "operator", "--role", "viewer", "--output", tokenFile,
                "--actor", "Grace", "--reason", "operations lead for the spring event",
            ] + state)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.isEmpty, "the token goes to the file only")
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("lyt_") && token.count == 64)
        #expect(try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int == 0o600)
        let id = String(token.dropFirst(4).prefix(16))
        #expect(created.stderr.contains(id) && created.stderr.contains("operator,viewer"), "\(created.stderr)")

        let again = try runLanyard(
            ["registry", "token", "create", "--holder", "x", "--role", "viewer", "--output", tokenFile, "--reason", "r"] + state)
        #expect(again.status == 74 && again.stderr.contains("token_file.unwritable"), "a token file is never replaced: \(again.stderr)")
        let badRole = try runLanyard(["registry", "token", "create", "--holder", "x", "--role", "admin", "--reason", "r"] + state)
        #expect(badRole.status == 64, "\(badRole.stderr)")
        let noReason = try runLanyard(["registry", "token", "create", "--holder", "x", "--role", "viewer", "--reason", " "] + state)
        #expect(noReason.status == 64 && noReason.stderr.contains("registry.request_invalid"), "\(noReason.stderr)")

        let rotated = try runLanyard(
            ["registry", "token", "rotate", "--id", id, "--overlap-hours", "2", "--actor", "Grace", "--reason", "yearly rotation"] + state)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let replacement = rotated.stdout.trimmingCharacters(in: .newlines)
        #expect(replacement.hasPrefix("lyt_") && replacement != token)
        let revoked = try runLanyard(["registry", "token", "revoke", "--id", id, "--reason", "laptop lost"] + state)
        #expect(revoked.status == 0, "\(revoked.stderr)")

        let listed = try runLanyard(["registry", "token", "list"] + state)
        #expect(listed.status == 0, "\(listed.stderr)")
        let records = try listed.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["holder"] as? String == "Ada Lovelace" })
        #expect(
            records.first?["revoked_at"] != nil && records.first?["replaced_by"] as? String == String(replacement.dropFirst(4).prefix(16)))
        #expect(!listed.stdout.contains(String(token.suffix(43))) && !listed.stdout.contains(String(replacement.suffix(43))), "no secret")

        let audit = try runLanyard(["registry", "audit"] + state)
        let entries = try audit.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(entries.map { $0["action"] as? String } == ["token.revoked", "token.rotated", "token.created"])
        #expect(entries.map { $0["reason"] as? String } == ["laptop lost", "yearly rotation", "operations lead for the spring event"])
        #expect(entries[1]["actor"] as? String == "Grace" && (entries[0]["actor"] as? String)?.contains("command line") == true)
    }
}
