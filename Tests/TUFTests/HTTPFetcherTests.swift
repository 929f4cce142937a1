import Foundation
import LanyardSupport
import TestSupport
import Testing

@testable import TUF

/// The updater over HTTP against a repository served by a plain web server (Debian's nginx), as a
/// venue or a CDN could serve one: trust is in the signatures, not in the server.
@Suite(.serialized) struct HTTPFetcherTests {
    /// The repository's files under the names a web server maps their URLs to.
    static func write(_ repository: TestRepository, to directory: URL) throws {
        for (url, data) in repository.files {
            let path = try #require(String(url.dropFirst("https://repo.test/".count)).removingPercentEncoding)
            let file = directory.appending(path: path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
    }

    @Test func aRepositoryServedByNginxIsFollowedAndItsLimitsAndAbsencesAreRefusals() async throws {
        var repository = TestRepository()
        repository.delegate(from: "targets", .init(name: "venue hall", paths: ["venue/*"]))
        repository.addTarget("venue/profile.yaml", Data("printer: zebra\n".utf8), role: "venue hall")
        repository.publish(["venue hall", "targets", "snapshot", "timestamp"])
        let client = try TestClient(repository)
        let served = client.directory.appending(path: "served")
        try Self.write(repository, to: served)
        let nginx = try NginxServer(serving: served)
        func updater() -> Updater {
            Updater(
                directory: client.directory, metadataURL: nginx.baseURL + "metadata/", fetcher: HTTPFetcher(), clock: { TestClient.now })
        }

        var first = updater()
        let target = try #require(try await first.targetInfo(for: "venue/profile.yaml"))
        let file = client.directory.appending(path: "downloads").appending(path: Updater.localFileName(for: target))
        try await first.downloadTarget(target, baseURL: nginx.baseURL + "targets/", to: file)
        #expect(try Data(contentsOf: file) == Data("printer: zebra\n".utf8))
        #expect(try await HTTPFetcher().fetch(nginx.baseURL + "metadata/2.root.json", maximumLength: 100) == nil)
        let tooSmall = await #expect(throws: TUFError.self) {
            try await HTTPFetcher().fetch(nginx.baseURL + "metadata/1.root.json", maximumLength: 10)
        }
        #expect(tooSmall?.code == .lengthExceeded)

        // Endless data: refused from the length the server announces.
        let timestamp = served.appending(path: "metadata/timestamp.json")
        try Data(repeating: 0x20, count: 20_000).write(to: timestamp)
        var endless = updater()
        let tooLong = await #expect(throws: TUFError.self) { try await endless.refresh() }
        #expect(tooLong?.code == .lengthExceeded)

        try FileManager.default.removeItem(at: timestamp)
        var missing = updater()
        let notFound = await #expect(throws: TUFError.self) { try await missing.refresh() }
        #expect(notFound?.code == .fetchFailed)

        nginx.kill()
        var unreachable = updater()
        let down = await #expect(throws: TUFError.self) { try await unreachable.refresh() }
        #expect(down?.code == .fetchFailed && down?.message == "the repository cannot be reached")
    }
}
