import Crypto
import Foundation
import LanyardSupport
import Testing

@testable import TUF

/// Target search through delegations, downloads and the view of the last verified metadata.
@Suite struct DelegationSearchTests {
    /// A repository whose delegations are `(delegator, delegation)` pairs, every role published.
    static func repository(_ delegations: [(String, TestRepository.Delegation)]) -> TestRepository {
        var repository = TestRepository()
        for (delegator, delegation) in delegations { repository.delegate(from: delegator, delegation) }
        var roles: [String] = []
        for (delegator, delegation) in delegations.reversed() {
            for role in [delegation.name, delegator] where !roles.contains(role) { roles.append(role) }
        }
        repository.publish(roles + ["snapshot", "timestamp"])
        return repository
    }

    /// The delegated roles a search for `path` fetches, in order, and what it finds.
    static func search(_ repository: TestRepository, for path: String) async throws -> (roles: [String], found: TargetInfo?) {
        let client = try TestClient(repository)
        var updater = client.updater()
        try await updater.refresh()
        _ = client.fetcher.takeRequests()
        let found = try await updater.targetInfo(for: path)
        let roles = client.fetcher.takeRequests().map { String($0.dropFirst("metadata/1.".count).dropLast(".json".count)) }
        return (roles, found)
    }

    static func delegation(_ name: String, paths: [String] = ["*"], terminating: Bool = false) -> TestRepository.Delegation {
        TestRepository.Delegation(name: name, paths: paths, terminating: terminating)
    }

    @Test(arguments: [
        ([("targets", "A"), ("targets", "B"), ("A", "C"), ("A", "D")], ["A", "C", "D", "B"]),
        ([("targets", "A"), ("targets", "B"), ("A", "C"), ("C", "D")], ["A", "C", "D", "B"]),
        ([("targets", "A"), ("targets", "B"), ("B", "C"), ("C", "D"), ("D", "B")], ["A", "B", "C", "D"]),
        ([("targets", "A"), ("targets", "B"), ("B", "C"), ("A", "C")], ["A", "C", "B"]),
    ])
    func rolesAreSearchedDepthFirstInPreOrderAndOnceEach(graph: [(String, String)], order: [String]) async throws {
        let repository = Self.repository(graph.map { ($0.0, Self.delegation($0.1)) })
        let result = try await Self.search(repository, for: "missing")
        #expect(result.roles == order)
        #expect(result.found == nil)
    }

    @Test func aTerminatingDelegationEndsTheSearchWhereverItMatches() async throws {
        let repository = Self.repository([
            ("targets", Self.delegation("A")), ("targets", Self.delegation("B")), ("A", Self.delegation("C", terminating: true)),
            ("A", Self.delegation("D")), ("C", Self.delegation("E")),
        ])
        #expect(try await Self.search(repository, for: "missing").roles == ["A", "C", "E"])
    }

    @Test func pathsAndHashPrefixesDecideWhichRolesAreAsked() async throws {
        var repository = TestRepository()
        let content = Data("x release\n".utf8)
        let digest = sha256Hex(Array("releases/x/x_v1".utf8))
        repository.delegate(from: "targets", Self.delegation("A", paths: ["*.md"]))
        repository.delegate(from: "targets", Self.delegation("B", paths: ["releases/*/*"]))
        repository.delegate(from: "B", .init(name: "bin", paths: nil, hashPrefixes: [String(digest.prefix(2))]))
        repository.delegate(from: "B", .init(name: "other-bin", paths: nil, hashPrefixes: ["x"]))
        repository.addTarget("releases/x/x_v1", content, role: "bin")
        repository.addTarget("releases/README.md", content, role: "A")
        repository.publish(["bin", "other-bin", "A", "B", "targets", "snapshot", "timestamp"])

        let found = try await Self.search(repository, for: "releases/x/x_v1")
        #expect(found.roles == ["B", "bin"])
        #expect(found.found?.role == "bin" && found.found?.file.length == Int64(content.count))
        // `*` does not cross a `/`, and the part counts must agree: no role is asked.
        let notDelegated = try await Self.search(repository, for: "releases/README.md")
        #expect(notDelegated.roles.isEmpty && notDelegated.found == nil)
    }

    @Test func aRoleListingATargetOutsideItsPathsIsNotTrustedForIt() async throws {
        var repository = TestRepository()
        repository.delegate(from: "targets", Self.delegation("venue", paths: ["venue/*"]))
        repository.addTarget("venue/badge.yaml", Data("a".utf8), role: "venue")
        repository.addTarget("global.yaml", Data("b".utf8), role: "venue")
        repository.publish(["venue", "targets", "snapshot", "timestamp"])
        #expect(try await Self.search(repository, for: "venue/badge.yaml").found?.role == "venue")
        let outside = try await Self.search(repository, for: "global.yaml")
        #expect(outside.found == nil && outside.roles.isEmpty)
    }

    @Test func theSearchVisitsAtMostTheConfiguredNumberOfRoles() async throws {
        let chain = (0..<40).map { index in (index == 0 ? "targets" : "r\(index - 1)", Self.delegation("r\(index)")) }
        let repository = Self.repository(chain)
        let result = try await Self.search(repository, for: "missing")
        #expect(result.roles == (0..<32).map { "r\($0)" })
    }

    @Test func aRoleTheSnapshotDoesNotListIsNeitherFetchedNorTrusted() async throws {
        var repository = Self.repository([("targets", Self.delegation("venue"))])
        repository.snapshotMeta["venue.json"] = nil
        repository.publish(["snapshot", "timestamp"])
        let client = try TestClient(repository)
        var updater = client.updater()
        try await updater.refresh()
        _ = client.fetcher.takeRequests()
        await #expect(throws: TUFError(.delegationNotFound, "the snapshot does not list venue.json", context: "venue")) {
            try await updater.targetInfo(for: "anything")
        }
        #expect(client.fetcher.takeRequests().isEmpty)
    }

    @Test func aRoleReachedThroughASecondDelegatorMustMeetThatDelegatorsKeys() async throws {
        var repository = TestRepository()
        let releaseA = Curve25519.Signing.PrivateKey()
        repository.delegate(from: "targets", Self.delegation("parent-a", paths: ["team-a/*"]))
        repository.delegate(from: "targets", Self.delegation("parent-b", paths: ["team-b/*"]))
        repository.delegate(from: "parent-a", .init(name: "release", paths: ["team-a/*"], keys: [releaseA]))
        repository.delegate(from: "parent-b", .init(name: "release", paths: ["team-b/*"], keys: [Curve25519.Signing.PrivateKey()]))
        repository.addTarget("team-a/root.json", Data("trusted A".utf8), role: "release")
        repository.addTarget("team-b/root.json", Data("malicious B".utf8), role: "release")
        repository.publish(["release", "parent-a", "parent-b", "targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        var updater = client.updater()
        #expect(try await updater.targetInfo(for: "team-a/root.json")?.role == "release")
        await #expect(throws: TUFError.self) { try await updater.targetInfo(for: "team-b/root.json") }
        // A new process finds the stored role, and checks it against parent-b's keys all the same.
        var later = client.updater()
        await #expect(throws: TUFError.self) { try await later.targetInfo(for: "team-b/root.json") }
    }

    @Test func roleNamesArePercentEncodedInURLsAndFileNames() async throws {
        let names = ["?", "#", "/delegatedrole", "../delegatedrole", "é x"]
        let repository = Self.repository(names.map { ("targets", Self.delegation($0)) })
        let client = try TestClient(repository)
        var updater = client.updater()
        #expect(try await updater.targetInfo(for: "missing") == nil)
        let requested = client.fetcher.takeRequests().filter { !$0.hasSuffix("root.json") && !$0.contains("timestamp") }
        #expect(
            requested == [
                "metadata/2.snapshot.json", "metadata/2.targets.json", "metadata/1.%3F.json", "metadata/1.%23.json",
                "metadata/1.%2Fdelegatedrole.json", "metadata/1...%2Fdelegatedrole.json", "metadata/1.%C3%A9%20x.json",
            ])
        let stored = try FileManager.default.contentsOfDirectory(atPath: client.directory.path).sorted()
        #expect(
            stored == [
                "%23.json", "%2Fdelegatedrole.json", "%3F.json", "%C3%A9%20x.json", "..%2Fdelegatedrole.json", "root.json", "snapshot.json",
                "targets.json", "timestamp.json",
            ])
    }

    @Test func targetsDownloadFromTheirHashedNameAndAreVerifiedCachedAndNeverWrittenWhenWrong() async throws {
        var repository = TestRepository()
        let content = Data("template: standard\n".utf8)
        repository.addTarget("templates/badge.yaml", content)
        repository.addTarget("other.yaml", Data("other".utf8))
        repository.publish(["targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        let downloads = client.directory.appending(path: "downloads")
        var updater = client.updater()
        let target = try #require(try await updater.targetInfo(for: "templates/badge.yaml"))
        let file = downloads.appending(path: Updater.localFileName(for: target))
        #expect(file.lastPathComponent == "templates%2Fbadge.yaml")
        #expect(!Updater.isCached(target, at: file))
        _ = client.fetcher.takeRequests()
        try await updater.downloadTarget(target, baseURL: TestRepository.targetsURL, to: file)
        #expect(client.fetcher.takeRequests() == ["targets/templates/\(sha256Hex(Array(content))).badge.yaml"])
        #expect(try Data(contentsOf: file) == content)
        #expect(Updater.isCached(target, at: file))

        // Substituted content, a longer file: refused, and nothing written.
        var tampered = repository
        let other = try #require(try await updater.targetInfo(for: "other.yaml"))
        let otherFile = downloads.appending(path: Updater.localFileName(for: other))
        for substitute in [Data("OTHER".utf8), Data("other, and then some".utf8)] {
            tampered.files[TestRepository.targetsURL + TestRepository.targetURLPath("other.yaml", content: Data("other".utf8))] = substitute
            client.fetcher.serve(tampered)
            await #expect(throws: TUFError.self) {
                try await updater.downloadTarget(other, baseURL: TestRepository.targetsURL, to: otherFile)
            }
            #expect(!FileManager.default.fileExists(atPath: otherFile.path))
        }
    }

    @Test func theLastVerifiedMetadataAnswersWithoutARepositoryAfterExpiryAndAfterAHalfFinishedRefresh() async throws {
        var repository = TestRepository()
        repository.delegate(from: "targets", Self.delegation("venue", paths: ["venue/*"]))
        repository.addTarget("venue/badge.yaml", Data("venue".utf8), role: "venue")
        repository.addTarget("global.yaml", Data("global".utf8))
        repository.publish(["venue", "targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        var online = client.updater()
        #expect(try await online.targetInfo(for: "venue/badge.yaml") != nil)

        // A newer timestamp is stored, then the refresh fails on a missing snapshot.
        repository.timestampMeta = Fixture.object([("version", .integer(9))])
        repository.publish(["timestamp"])
        #expect(await client.refresh(repository)?.code == .fetchFailed)

        // Long after every expiry, with a repository that answers nothing.
        client.referenceTime += 5 * 365 * 86_400
        #expect(await client.refresh(TestRepository.emptied(repository))?.code == .fetchFailed)
        var offline = client.updater()
        try offline.loadLastVerified()
        _ = client.fetcher.takeRequests()
        #expect(try await offline.targetInfo(for: "venue/badge.yaml")?.role == "venue")
        #expect(try await offline.targetInfo(for: "global.yaml")?.role == "targets")
        #expect(try await offline.allTargets().map(\.path) == ["global.yaml", "venue/badge.yaml"])
        #expect(client.fetcher.takeRequests().isEmpty)

        // A role never stored cannot be looked up offline; a tampered stored role is refused.
        let venue = client.directory.appending(path: "venue.json")
        var bytes = try Data(contentsOf: venue)
        bytes[bytes.count - 3] ^= 1
        try bytes.write(to: venue)
        var tampered = client.updater()
        try tampered.loadLastVerified()
        await #expect(throws: TUFError.self) { try await tampered.targetInfo(for: "venue/badge.yaml") }
        #expect(client.fetcher.takeRequests().isEmpty)
    }
}

extension TestRepository {
    /// The same repository with nothing served.
    static func emptied(_ repository: TestRepository) -> TestRepository {
        var empty = repository
        empty.files = [:]
        return empty
    }
}
