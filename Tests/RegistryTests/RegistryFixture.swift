import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Sync
import TUF
import Testing

@testable import Registry

/// A TUF repository (one key per role; the timestamp key signs the snapshot too, as
/// `lanyard registry init` does without `--snapshot-key`), a state directory and the server
/// over them. Metadata is signed at fixed dates so expiry is tested without a clock; the
/// server itself reads the real clock only for uploads.
struct RegistryFixture: Sendable {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
    static let rootLifetime: TimeInterval = 365 * 86_400
    static let agentToken = "agent-token-0123456789"
    static let adminToken = "admin-token-0123456789"

    let base: URL
    let repository: URL
    let state: URL
    let rootKey: TUFSigningKey
    let targetsKey: TUFSigningKey
    let timestampKey: TUFSigningKey
    let expiry: TUFExpiryPolicy

    init(expiry: TUFExpiryPolicy = .init()) throws {
        base = FileManager.default.temporaryDirectory.appending(path: "lanyard-registry-\(UUID().uuidString)")
        repository = base.appending(path: "repository")
        state = base.appending(path: "state")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        rootKey = try TUFSigningKey.generate(.ed25519)
        targetsKey = try TUFSigningKey.generate(.ed25519)
        timestampKey = try TUFSigningKey.generate(.ed25519)
        self.expiry = expiry
        let root = try Root(
            version: 1, expires: Self.epoch.addingTimeInterval(Self.rootLifetime),
            roles: [
                "root": RoleAssignment([rootKey.publicKey]), "targets": RoleAssignment([targetsKey.publicKey]),
                "snapshot": RoleAssignment([timestampKey.publicKey]), "timestamp": RoleAssignment([timestampKey.publicKey]),
            ])
        try RegistryPublisher.writer(repository).initialize(
            root: root, signers: [rootKey, targetsKey, timestampKey], expiry: expiry, now: Self.epoch)
    }

    var writer: TUFRepositoryWriter { RegistryPublisher.writer(repository) }

    /// The root the repository stands on now.
    var root: Root { get throws { try writer.state().root } }

    /// The version of the timestamp the repository serves.
    var timestampVersion: Int64? { get throws { try writer.state().timestamp?.common.version } }

    /// What `lanyard registry publish` does from its own process.
    var publisher: RegistryPublisher {
        RegistryPublisher(repository: repository, signers: [targetsKey, timestampKey], expiry: expiry)
    }

    @discardableResult
    func publishTemplate(
        _ name: String, text: String, extraBytes: Int = 3_000, at now: Date = Self.epoch
    ) throws -> RegistryPublisher.Publication {
        let directory = base.appending(path: "bundles/\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appending(path: "fonts"), withIntermediateDirectories: true)
        try Data("name: \(name)\ntext: \(text)\n".utf8).write(to: directory.appending(path: "template.yaml"))
        try Data((0..<extraBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: directory.appending(path: "fonts/Face.ttf"))
        return try publisher.publishDirectory(directory, as: "templates/\(name)", kind: .template, scope: .global, label: text, now: now)
    }

    func read(_ relative: String) throws -> Data { try Data(contentsOf: repository.appending(path: relative)) }

    func configuration(_ configure: (inout RegistryConfiguration) -> Void = { _ in }) -> RegistryConfiguration {
        var configuration = RegistryConfiguration(repository: repository, stateDirectory: state)
        configuration.watchInterval = .milliseconds(20)
        configure(&configuration)
        return configuration
    }

    func server(_ configure: (inout RegistryConfiguration) -> Void = { _ in }) async throws -> RegistryServer {
        try await RegistryServer(configuration: configuration(configure), logger: Self.quietLogger)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "registry-tests")
        logger.logLevel = .critical
        return logger
    }

    func remove() { try? FileManager.default.removeItem(at: base) }
}

/// Runs `body` against a server on the fixture's repository with its watcher and refresher
/// running, as `lanyard registry serve` runs them.
func withRegistry(
    _ fixture: RegistryFixture, live: Bool = false, _ configure: (inout RegistryConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (RegistryServer, any TestClientProtocol) async throws -> Void
) async throws {
    let server = try await fixture.server(configure)
    var app = Application(
        router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        logger: RegistryFixture.quietLogger)
    app.addServices(server.services)
    let outcome: Result<Void, any Error>
    do { outcome = .success(try await app.test(live ? .live : .router) { client in try await body(server, client) }) } catch {
        outcome = .failure(error)
    }
    await server.close()
    try outcome.get()
}

/// Waits (without asserting anything about time) until `count` long-polls are parked in the hub;
/// gives up after a minute so a server that never parks them fails the test instead of hanging it.
func waitForWaiters(_ hub: NotifyHub, count: Int) async throws {
    for _ in 0..<12_000 {
        if await hub.waitingCount >= count { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("\(await hub.waitingCount) of \(count) requests ever waited")
}

func object(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(response.body.readableBytesView)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
}

func errorCode(_ response: TestResponse) throws -> String? {
    (try object(response)["error"] as? [String: Any])?["code"] as? String
}

func jsonBody(_ value: Any) throws -> ByteBuffer {
    ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value))
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}

/// `body` with a PostgreSQL store at `location` (as a replica opens it), closed after it
/// whatever happens.
func withPostgresStore(
    _ location: PostgresLocation, lastSeenInterval: TimeInterval = 30, _ body: (PostgresRegistryStore) async throws -> Void
) async throws {
    let store = try await PostgresRegistryStore.connect(location, lastSeenInterval: lastSeenInterval, logger: RegistryFixture.quietLogger)
    let outcome: Result<Void, any Error>
    do { outcome = .success(try await body(store)) } catch { outcome = .failure(error) }
    await store.close()
    try outcome.get()
}
