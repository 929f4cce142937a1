import Foundation
import LanyardSupport
import NIOHTTP1
import TestSupport
import Testing

@testable import Sync

/// The repository served by a plain web server (Debian's nginx), read over HTTP: the TUF
/// workflow, bounded downloads, and a download cut by killing the server, resumed afterwards.
@Suite(.serialized) struct NginxRepositoryTests {
    let now = RepositoryFixture.epoch.addingTimeInterval(60)

    @Test func aKioskRefreshesAndFetchesFromNginx() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        let nginx = try NginxServer(serving: fixture.repository)
        let source = HTTPRepositorySource(baseURL: nginx.baseURL)
        var trusted = try fixture.trusted(source: source)
        let first = try await trusted.refresh(now: now)
        #expect(first.targetsChanged)

        try fixture.publishTemplate("standard", text: "second")
        let second = try await trusted.refresh(now: now)
        #expect(second.targetsChanged)
        #expect(trusted.targets?["templates/standard"]?.current.label == "second")
        let unchanged = try await trusted.refresh(now: now)
        #expect(!unchanged.targetsChanged)

        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let release = try #require(published.target).current
        for (path, file) in release.files {
            let name = TargetCatalog.targetName(unit: "templates/standard", release: release, path: path)
            try await cache.fetch(file, path: trusted.location(of: name, file: file), from: source)
            #expect(cache.contains(file))
        }
    }

    @Test func aDownloadCutByKillingTheServerResumesWithARangeRequest() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let bundle = fixture.base.appending(path: "big")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let payload = Data((0..<600_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try payload.write(to: bundle.appending(path: "font.ttf"))
        let published = try fixture.publisher.publishDirectory(
            bundle, as: "templates/big", kind: .template, scope: .global,
            label: "big", now: RepositoryFixture.epoch)
        let release = try #require(published.target?.current)
        let file = try #require(release.files["font.ttf"])
        let path = RepositoryLayout.target(
            TargetCatalog.targetName(unit: "templates/big", release: release, path: "font.ttf"), sha256: file.sha256)

        let slow = try NginxServer(serving: fixture.repository, rate: 100_000)
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let cutting = KillOnFirstChunk(inner: HTTPRepositorySource(baseURL: slow.baseURL), server: slow)
        let error = await #expect(throws: SyncError.self) { try await cache.fetch(file, path: path, from: cutting) }
        #expect(error?.code == .transport)
        #expect(!cache.contains(file), "nothing partial is ever taken for the file")
        let kept = cache.partialLength(of: file)
        #expect(kept > 0 && kept < file.length)

        let restarted = try NginxServer(serving: fixture.repository)
        let transferred = try await cache.fetch(file, path: path, from: HTTPRepositorySource(baseURL: restarted.baseURL))
        #expect(transferred == file.length - kept, "only the missing bytes travel again")
        #expect(try Data(contentsOf: cache.url(for: file)) == payload)
    }

    @Test func aServedFileLongerThanSignedIsRefused() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let published = try fixture.publishTemplate("standard", text: "first")
        let release = try #require(published.target?.current)
        let file = try #require(release.files["fonts/Face.ttf"])
        let path = RepositoryLayout.target(
            TargetCatalog.targetName(unit: "templates/standard", release: release, path: "fonts/Face.ttf"), sha256: file.sha256)
        try FileManager.default.removeItem(at: fixture.repository.appending(path: path))
        try fixture.replace(path, with: Data(repeating: 0xA5, count: 5_000_000))
        let nginx = try NginxServer(serving: fixture.repository)
        let cache = BlobCache(directory: fixture.base.appending(path: "cache"))
        let error = await #expect(throws: SyncError.self) {
            try await cache.fetch(file, path: path, from: HTTPRepositorySource(baseURL: nginx.baseURL))
        }
        #expect(error?.code == .lengthExceeded)
        #expect(cache.partialLength(of: file) <= file.length)
    }
}

/// Kills the server as soon as the first bytes of a blob arrive.
struct KillOnFirstChunk: RepositorySource {
    let inner: HTTPRepositorySource
    let server: NginxServer

    func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        var killed = false
        return try await inner.fetch(path, offset: offset, limit: limit, ifNoneMatch: ifNoneMatch) { (chunk: Data) throws(SyncError) in
            try onChunk(chunk)
            if !killed {
                killed = true
                server.kill()
            }
        }
    }
}

@Suite struct HTTPValidatorTests {
    @Test func httpDatesAreReadWithoutFormatters() {
        #expect(HTTPDate.secondsSince1970("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.secondsSince1970("Tue, 29 Feb 2028 00:00:00 GMT") == 1_835_395_200)
        #expect(HTTPDate.secondsSince1970("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.secondsSince1970("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
    }

    @Test func aTagFromAFileChangedWithinTheSecondIsNotKept() {
        var headers = HTTPHeaders([
            ("ETag", "\"6740a1b2-1f3\""), ("Date", "Sun, 22 Nov 2026 12:00:00 GMT"),
            ("Last-Modified", "Sun, 22 Nov 2026 12:00:00 GMT"),
        ])
        #expect(HTTPRepositorySource.usableETag(headers) == nil)
        headers.replaceOrAdd(name: "Last-Modified", value: "Sun, 22 Nov 2026 11:59:58 GMT")
        #expect(HTTPRepositorySource.usableETag(headers) == "\"6740a1b2-1f3\"")
        headers.replaceOrAdd(name: "ETag", value: "W/\"abc\"")
        #expect(HTTPRepositorySource.usableETag(headers) == nil)
        #expect(HTTPRepositorySource.usableETag(HTTPHeaders([("ETag", "\"sha\"")])) == "\"sha\"")
    }
}
