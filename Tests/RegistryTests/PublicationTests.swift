import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Sync
import TUF
import Testing

@testable import Registry

/// Publications through the registry server (`POST /v1/publications`): signed with the keys the
/// server holds, allowed to publisher tokens only, each with a reason, and each in the audit log
/// with who, why and the versions signed.
@Suite struct PublicationTests {
    static let reasonHeader = HTTPField.Name("Lanyard-Reason")!

    /// The server holds the targets key; the timestamp key signs the snapshot too, as in the fixture.
    static func publishing(_ fixture: RegistryFixture) -> (inout RegistryConfiguration) -> Void {
        { configuration in
            configuration.timestampKey = fixture.timestampKey
            configuration.publishKeys = [fixture.targetsKey]
        }
    }

    static func token(_ server: RegistryServer, holder: String, _ roles: [AccessRole]) async throws -> String {
        try await TokenAdministration(store: server.store, actor: "tests").create(
            holder: holder, roles: roles, lifetime: nil, reason: "a token for the tests"
        ).token.text
    }

    static func template(_ text: String) -> [String: Data] {
        ["template.yaml": Data("name: standard\ntext: \(text)\n".utf8), "fonts/Face.ttf": Data((0..<2_000).map { UInt8($0 % 251) })]
    }

    static func send(
        _ client: any TestClientProtocol, _ request: PublicationRequest, token: String?, reason: String? = "the keynote's new badge"
    ) async throws -> TestResponse {
        try await send(client, body: ByteBuffer(bytes: WireJSON.encode(request)), token: token, reason: reason)
    }

    static func send(
        _ client: any TestClientProtocol, body: ByteBuffer, token: String?, reason: String? = "the keynote's new badge"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let reason { headers[reasonHeader] = reason }
        return try await client.execute(uri: "/v1/publications", method: .post, headers: headers, body: body)
    }

    static func result(_ response: TestResponse) throws -> PublicationResult {
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try WireJSON.decoder.decode(PublicationResult.self, from: Data(response.body.readableBytesView))
    }

    static func publish(_ text: String, share: Double? = nil) -> PublicationRequest {
        PublicationRequest(
            action: .publish, target: "templates/standard", kind: .template, scope: .global, label: text, share: share,
            files: template(text))
    }

    @Test func aPublisherPublishesATemplateAndTheAuditLogSaysWhoWhyAndWhat() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, Self.publishing(fixture)) { server, client in
            let token = try await Self.token(server, holder: "Central Ops", [.publisher])
            let result = try Self.result(try await Self.send(client, Self.publish("1.0.0"), token: token))
            #expect(result.roleVersion == 2 && result.snapshotVersion == 2)
            #expect(result.current?.label == "1.0.0" && result.staged == nil)
            #expect(
                result.summary.hasPrefix("published templates/standard: targets version 2 (snapshot 2); current 1.0.0"), "\(result.summary)"
            )

            // The repository holds it, as a kiosk verifies it from the root it trusts.
            let target = try #require(try fixture.publisher.currentTargets()["templates/standard"])
            #expect(target.current.label == "1.0.0" && target.current.files.count == 2)
            #expect(target.current.digest == result.current?.digest)
            var kiosk = try TrustedRepository(
                directory: fixture.base.appending(path: "kiosk"), provisionedRoot: try fixture.read(RepositoryLayout.root(version: 1)),
                source: DirectoryRepositorySource(directory: fixture.repository))
            try await kiosk.refresh(now: Date())
            #expect(kiosk.timestampVersion == 2)
            #expect(kiosk.targets?["templates/standard"]?.current.digest == result.current?.digest)

            let entry = try #require(try await server.store.auditLog(before: nil, limit: 10).first)
            #expect(entry.action == .releasePublished && entry.subject == "templates/standard")
            #expect(entry.actor == "Central Ops" && entry.tokenID == AccessToken(parsing: token)?.id)
            #expect(entry.reason == "the keynote's new badge")
            #expect(entry.detail["role"] == "targets" && entry.detail["role_version"] == "2" && entry.detail["snapshot_version"] == "2")
            #expect(entry.detail["label"] == "1.0.0" && entry.detail["digest"] == target.current.digest)
            #expect(entry.correlationID != nil)

            // Kiosks waiting on this replica hear of it without waiting for the next look.
            for _ in 0..<500 where await server.hub.current.timestampVersion < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await server.hub.current.timestampVersion == 2)
        }
    }

    /// Publishing is the publisher's: an operator or a viewer is forbidden, no token is
    /// unauthorized, a publisher without a reason is refused, and none of them publishes anything.
    @Test func onlyAPublisherWithAReasonPublishes() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, Self.publishing(fixture)) { server, client in
            let viewer = try await Self.token(server, holder: "Wall screen", [.viewer])
            let operations = try await Self.token(server, holder: "Event ops", [.operator, .viewer])
            let publisher = try await Self.token(server, holder: "Central Ops", [.publisher])
            for token in [viewer, operations] {
                let response = try await Self.send(client, Self.publish("1.0.0"), token: token)
                #expect(response.status == .forbidden)
                #expect(try errorCode(response) == "registry.forbidden")
            }
            let anonymous = try await Self.send(client, Self.publish("1.0.0"), token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(try errorCode(anonymous) == "registry.unauthorized")
            let bootstrapAgent = try await Self.send(client, Self.publish("1.0.0"), token: "not-a-token-of-this-registry")
            #expect(bootstrapAgent.status == .unauthorized)

            let unexplained = try await Self.send(client, Self.publish("1.0.0"), token: publisher, reason: nil)
            #expect(unexplained.status == .badRequest)
            #expect(try errorCode(unexplained) == "registry.request_invalid")
            #expect((try object(unexplained)["error"] as? [String: Any])?["detail"] as? String == "Lanyard-Reason")

            #expect(try fixture.timestampVersion == 1)
            #expect(try fixture.publisher.currentTargets().isEmpty)
            #expect(try await server.store.auditLog(before: nil, limit: 10).allSatisfy { $0.action == .tokenCreated })
        }
    }

    /// A path that would climb out of its release, or that the catalog refuses, is a 400 naming
    /// the path, and nothing is signed or written.
    @Test func aPathOutsideTheReleaseIsRefusedAndNothingIsPublished() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, Self.publishing(fixture)) { server, client in
            let token = try await Self.token(server, holder: "Central Ops", [.publisher])
            for path in ["../../escape.txt", "/etc/lanyard.txt", "fonts//Face.ttf", "a/b/c/d/e.ttf", ".hidden"] {
                var request = Self.publish("1.0.0")
                request.files?[path] = Data("x".utf8)
                let response = try await Self.send(client, request, token: token)
                #expect(response.status == .badRequest, "\(path)")
                #expect(try errorCode(response) == "registry.request_invalid")
                #expect((try object(response)["error"] as? [String: Any])?["detail"] as? String == path)
            }
            // The bytes as a client could send them: base64 that is not, a field of another type.
            let garbled = try await Self.send(
                client, body: try jsonBody(["action": "publish", "target": "templates/standard", "files": ["a": "%%%"]]), token: token)
            #expect(garbled.status == .badRequest)
            #expect(try errorCode(garbled) == "registry.request_invalid")

            #expect(try fixture.timestampVersion == 1)
            #expect(try fixture.publisher.currentTargets().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: fixture.base.appending(path: "escape.txt").path))
            #expect(try await server.store.auditLog(before: nil, limit: 10).allSatisfy { $0.action == .tokenCreated })
        }
    }

    /// Staging, promotion, rollback and revocation through the server, each audited with its
    /// action and versions; what the repository as it stands refuses is a 409 with the
    /// publisher's words, and leaves no audit entry.
    @Test func promoteRollbackAndRevokeAreEachAudited() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, Self.publishing(fixture)) { server, client in
            let token = try await Self.token(server, holder: "Central Ops", [.publisher])

            let early = try await Self.send(client, Self.publish("0.9.0", share: 0.1), token: token)
            #expect(early.status == .conflict, "staging with nothing current would give it to everyone")
            #expect(try errorCode(early) == "registry.publication_refused")
            #expect(
                (try object(early)["error"] as? [String: Any])?["detail"] as? String == "sync.target_invalid: templates/standard")

            let first = try Self.result(try await Self.send(client, Self.publish("1.0.0"), token: token))
            let staged = try Self.result(try await Self.send(client, Self.publish("1.1.0", share: 0.25), token: token))
            #expect(staged.staged?.label == "1.1.0" && staged.staged?.share == 0.25 && staged.current?.label == "1.0.0")
            #expect(staged.summary.contains("staged 1.1.0") && staged.summary.hasPrefix("staged templates/standard"))

            let promote = PublicationRequest(action: .promote, target: "templates/standard")
            let promoted = try Self.result(try await Self.send(client, promote, token: token, reason: "the pilot went well"))
            #expect(promoted.current?.label == "1.1.0" && promoted.staged == nil)
            let again = try await Self.send(client, promote, token: token)
            #expect(again.status == .conflict)
            #expect(try errorCode(again) == "registry.publication_refused")
            #expect(
                (try object(again)["error"] as? [String: Any])?["message"] as? String
                    == "templates/standard has no staged release to promote")

            let rollback = PublicationRequest(action: .rollback, target: "templates/standard")
            let rolledBack = try Self.result(try await Self.send(client, rollback, token: token, reason: "QR codes misprint"))
            #expect(rolledBack.current?.digest == first.current?.digest)
            let revoke = PublicationRequest(action: .revoke, target: "templates/standard")
            let revoked = try Self.result(try await Self.send(client, revoke, token: token, reason: "event over"))
            #expect(revoked.current == nil && revoked.summary.hasPrefix("revoked templates/standard"))
            #expect(try fixture.publisher.currentTargets().isEmpty)

            let unknown = try await Self.send(client, PublicationRequest(action: .promote, target: "templates/nothing"), token: token)
            #expect(unknown.status == .conflict)

            let log = try await server.store.auditLog(before: nil, limit: 20).filter { $0.action != .tokenCreated }.reversed()
            #expect(log.map(\.action) == [.releasePublished, .releasePublished, .releasePromoted, .releaseRolledBack, .releaseRevoked])
            #expect(
                log.map(\.reason) == [
                    "the keynote's new badge", "the keynote's new badge", "the pilot went well", "QR codes misprint", "event over",
                ])
            #expect(log.map { $0.detail["role_version"] } == ["2", "3", "4", "5", "6"])
            #expect(Array(log)[1].detail["share"] == "25%" && Array(log)[1].detail["label"] == "1.1.0")
            #expect(Array(log)[3].detail["digest"] == first.current?.digest)
            #expect(Array(log)[4].detail["label"] == nil)
            #expect(log.allSatisfy { $0.actor == "Central Ops" })
        }
    }

    /// A venue's role: the server signs it when it holds the venue's key, and refuses a unit
    /// outside the venue's delegation in the publisher's words.
    @Test func aDelegatedRoleIsPublishedIntoWithinItsUnits() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let venue = try TUFSigningKey.generate(.ed25519)
        try fixture.writer.publish(signers: [fixture.targetsKey, fixture.timestampKey, venue], now: RegistryFixture.epoch) {
            (publication: inout TUFPublication) throws(TUFError) in
            let role = try DelegatedRole(
                name: "venue-berlin", keyids: [venue.keyid], threshold: 1, terminating: true,
                paths: .patterns(TargetCatalog.delegationPatterns(unitPattern: "templates/berlin-*")))
            publication.setDelegations(
                try Delegations(keys: NameMap<PublicKey>.empty.setting(venue.keyid, venue.publicKey), roles: [role]), role: "targets")
        }
        try await withRegistry(
            fixture,
            {
                $0.timestampKey = fixture.timestampKey
                $0.publishKeys = [venue]
            }
        ) { server, client in
            let token = try await Self.token(server, holder: "Berlin venue", [.publisher])
            var request = Self.publish("1.0.0")
            request.target = "templates/berlin-badge"
            request.role = "venue-berlin"
            let result = try Self.result(try await Self.send(client, request, token: token))
            #expect(result.role == "venue-berlin" && result.summary.contains("venue-berlin version"))

            request.target = "templates/standard"
            let outside = try await Self.send(client, request, token: token)
            #expect(outside.status == .conflict)
            #expect(try errorCode(outside) == "registry.publication_refused")

            request.role = "venue-nowhere"
            let undelegated = try await Self.send(client, request, token: token)
            #expect(undelegated.status == .conflict, "no role delegates to it: \(String(buffer: undelegated.body))")
            #expect(try errorCode(undelegated) == "registry.publication_refused")

            request.role = "targets"
            let unsigned = try await Self.send(client, request, token: token)
            #expect(unsigned.status == .serviceUnavailable, "the server holds no targets key")
            #expect(try errorCode(unsigned) == "registry.signing_unavailable")
        }
    }

    /// Publications sent together take turns: each is signed on top of the one before, none
    /// is lost and no version is written twice.
    @Test func publicationsSentTogetherTakeTurns() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, Self.publishing(fixture)) { server, client in
            let token = try await Self.token(server, holder: "Central Ops", [.publisher])
            let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        var request = Self.publish("1.0.\(index)")
                        request.target = "templates/look-\(index)"
                        return try Self.result(try await Self.send(client, request, token: token)).roleVersion
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(versions.sorted() == [2, 3, 4, 5])
            #expect(try fixture.publisher.currentTargets().count == 4)
            #expect(try await server.store.auditLog(before: nil, limit: 10).filter { $0.action == .releasePublished }.count == 4)
        }
    }

    @Test func aServerWithoutPublicationKeysSaysSo() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture, { $0.timestampKey = fixture.timestampKey }) { server, client in
            let token = try await Self.token(server, holder: "Central Ops", [.publisher])
            let response = try await Self.send(client, Self.publish("1.0.0"), token: token)
            #expect(response.status == .serviceUnavailable)
            #expect(try errorCode(response) == "registry.signing_unavailable")
            let message = (try object(response)["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("--publish-key"), "\(message)")
        }
    }

    /// A key that signs no targets role (the root key above all) never goes online, and a
    /// publication needs the timestamp key and the snapshot's threshold.
    @Test func theServerRefusesPublicationKeysThatCannotServe() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        func refusal(_ configure: (inout RegistryConfiguration) -> Void) async -> RegistryError? {
            do {
                let server = try await fixture.server(configure)
                await server.close()
                return nil
            } catch { return error as? RegistryError }
        }
        let root = await refusal {
            $0.timestampKey = fixture.timestampKey
            $0.publishKeys = [fixture.rootKey]
        }
        #expect(root?.code == .configurationInvalid && root?.message.contains("publish key") == true, "\(String(describing: root))")
        let noTimestamp = await refusal { $0.publishKeys = [fixture.targetsKey] }
        #expect(noTimestamp?.code == .configurationInvalid && noTimestamp?.detail == "timestamp-key")
        let wrongSnapshot = await refusal {
            $0.timestampKey = fixture.timestampKey
            $0.publishKeys = [fixture.targetsKey]
            $0.snapshotKeys = [fixture.targetsKey]
        }
        #expect(wrongSnapshot?.code == .configurationInvalid && wrongSnapshot?.detail?.hasPrefix("key ") == true)
    }

    /// The command line's client: the server's answer decoded, its refusal reported with the
    /// server's code and message and the exit status that code has.
    @Test func theClientSendsAPublicationAndReportsARefusalWithItsExitStatus() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let bundle = fixture.base.appending(path: "bundle")
        try FileManager.default.createDirectory(at: bundle.appending(path: "fonts"), withIntermediateDirectories: true)
        for (path, data) in Self.template("1.0.0") { try data.write(to: bundle.appending(path: path)) }
        try Data("left out".utf8).write(to: bundle.appending(path: ".DS_Store"))
        try await withRegistry(fixture, live: true, Self.publishing(fixture)) { server, client in
            let port = try #require(client.port)
            let publisher = try await Self.token(server, holder: "Central Ops", [.publisher])
            let viewer = try await Self.token(server, holder: "Wall screen", [.viewer])
            let codes: [any ErrorCode.Type] = [RegistryErrorCode.self, SyncErrorCode.self]
            let request = try PublicationRequest.publish(
                directory: bundle, target: "templates/standard", kind: .template, scope: .global, label: "1.0.0")
            #expect(Set(request.files?.keys.map { $0 } ?? []) == ["template.yaml", "fonts/Face.ttf"])

            let refused = RegistryPublicationClient(serverURL: "http://127.0.0.1:\(port)/", token: viewer, codes: codes)
            await #expect {
                try await refused.send(request, reason: "ünïcode, 100% on one line")
            } throws: { error in
                let problem = error as? RegistryProblem
                return problem?.errorCode == "registry.forbidden" && problem?.exitStatus == .noPermission && problem?.status == 403
            }

            let client = RegistryPublicationClient(serverURL: "http://127.0.0.1:\(port)", token: publisher, codes: codes)
            let result = try await client.send(request, reason: "ünïcode, 100% on one line")
            #expect(result.summary.hasPrefix("published templates/standard: targets version 2"))
            let entry = try #require(try await server.store.auditLog(before: nil, limit: 1).first)
            #expect(entry.reason == "ünïcode, 100% on one line")

            await #expect {
                try await client.send(PublicationRequest(action: .promote, target: "templates/standard"), reason: "again")
            } throws: { error in
                let problem = error as? RegistryProblem
                return problem?.errorCode == "registry.publication_refused" && problem?.exitStatus == .usage
                    && problem?.description.contains("no staged release to promote") == true
            }
        }
    }
}
