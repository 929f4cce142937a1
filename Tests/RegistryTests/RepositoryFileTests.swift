import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Sync
import Testing

@testable import Registry

/// `/repository/<path>`: the directory as a caching web server would serve it.
@Suite struct RepositoryFileTests {
    @Test func filesCarryStrongTagsAndTheirCachingPolicy() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let publication = try fixture.publishTemplate("standard", text: "v1")
        let release = try #require(publication.target?.current)
        let font = try #require(release.files["fonts/Face.ttf"])
        let fontPath = RepositoryLayout.target(
            TargetCatalog.targetName(unit: "templates/standard", release: release, path: "fonts/Face.ttf"), sha256: font.sha256)
        try await withRegistry(fixture) { _, client in
            let timestamp = try await client.execute(uri: "/repository/\(RepositoryLayout.timestamp)", method: .get)
            #expect(timestamp.status == .ok)
            #expect(timestamp.headers[.eTag] == "\"\(SHA256Digest.hex(try fixture.read(RepositoryLayout.timestamp)))\"")
            #expect(timestamp.headers[.cacheControl] == "no-cache")
            #expect(timestamp.headers[.contentLength] == "\(try fixture.read(RepositoryLayout.timestamp).count)")
            #expect(Data(timestamp.body.readableBytesView) == (try fixture.read(RepositoryLayout.timestamp)))

            let metadata = [RepositoryLayout.root(version: 1), "metadata/2.snapshot.json", "metadata/2.targets.json"]
            // The first format's root chain stays served: upgraded kiosks follow it to the TUF root.
            try FileManager.default.createDirectory(at: fixture.repository.appending(path: "root"), withIntermediateDirectories: true)
            try Data("{\"legacy\":true}".utf8).write(to: fixture.repository.appending(path: "root/2.json"))
            for path in metadata + [fontPath, "root/2.json"] {
                let response = try await client.execute(uri: "/repository/\(path)", method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable", "\(path)")
                #expect(response.headers[.eTag] == "\"\(SHA256Digest.hex(try fixture.read(path)))\"", "\(path)")
                #expect(Data(response.body.readableBytesView) == (try fixture.read(path)), "\(path)")
            }
            let file = try await client.execute(uri: "/repository/\(fontPath)", method: .get)
            #expect(file.headers[.eTag] == "\"\(font.sha256)\"", "a target file's tag is the hash in its name")
            #expect(file.headers[.contentType] == "application/octet-stream")
            let root = try await client.execute(uri: "/repository/\(RepositoryLayout.root(version: 1))", method: .get)
            #expect(root.headers[.contentType] == "application/json")
        }
    }

    @Test func aMatchingTagIsAnsweredNotModified() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { _, client in
            let first = try await client.execute(uri: "/repository/\(RepositoryLayout.timestamp)", method: .get)
            let tag = try #require(first.headers[.eTag])
            for condition in [tag, "W/\(tag)", "\"other\", \(tag)", "*"] {
                let again = try await client.execute(
                    uri: "/repository/\(RepositoryLayout.timestamp)", method: .get, headers: [.ifNoneMatch: condition])
                #expect(again.status == .notModified, "\(condition)")
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == tag)
            }
            let other = try await client.execute(
                uri: "/repository/\(RepositoryLayout.timestamp)", method: .get, headers: [.ifNoneMatch: "\"0000\""])
            #expect(other.status == .ok)

            // A new timestamp (another process publishing) gets a new tag; the old one no longer matches.
            try fixture.publishTemplate("standard", text: "v2")
            let changed = try await client.execute(
                uri: "/repository/\(RepositoryLayout.timestamp)", method: .get, headers: [.ifNoneMatch: tag])
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != tag)
            #expect(changed.headers[.eTag] == "\"\(SHA256Digest.hex(try fixture.read(RepositoryLayout.timestamp)))\"")
        }
    }

    @Test func aCachedTagFollowsAFileChangedOnDisk() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { _, client in
            let rootPath = RepositoryLayout.root(version: 1)
            let before = try await client.execute(uri: "/repository/\(rootPath)", method: .get)
            // Immutable files never change in a healthy repository; if one is replaced anyway the
            // tag must describe what is served, not what was cached.
            let replacement = Data("{\"replaced\":true}\n".utf8)
            try replacement.write(to: fixture.repository.appending(path: rootPath), options: .atomic)
            let after = try await client.execute(uri: "/repository/\(rootPath)", method: .get)
            #expect(after.headers[.eTag] != before.headers[.eTag])
            #expect(after.headers[.eTag] == "\"\(SHA256Digest.hex(replacement))\"")
            #expect(Data(after.body.readableBytesView) == replacement)
        }
    }

    @Test func rangesResumeLargeFilesStreamedFromDisk() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        // Larger than the 128 KiB read chunk, so the body is streamed in several pieces.
        let publication = try fixture.publishTemplate("standard", text: "v1", extraBytes: 700_000)
        let release = try #require(publication.target?.current)
        let font = try #require(release.files["fonts/Face.ttf"])
        let path = RepositoryLayout.target(
            TargetCatalog.targetName(unit: "templates/standard", release: release, path: "fonts/Face.ttf"), sha256: font.sha256)
        let content = try fixture.read(path)
        let size = content.count
        try await withRegistry(fixture, live: true) { _, client in
            let whole = try await client.execute(uri: "/repository/\(path)", method: .get)
            #expect(whole.status == .ok)
            #expect(Data(whole.body.readableBytesView) == content)
            #expect(whole.headers[.acceptRanges] == "bytes")

            let tail = try await client.execute(uri: "/repository/\(path)", method: .get, headers: [.range: "bytes=300000-"])
            #expect(tail.status == .partialContent)
            #expect(tail.headers[.contentRange] == "bytes 300000-\(size - 1)/\(size)")
            #expect(tail.headers[.contentLength] == "\(size - 300_000)")
            #expect(Data(tail.body.readableBytesView) == content.subdata(in: 300_000..<size))

            let span = try await client.execute(uri: "/repository/\(path)", method: .get, headers: [.range: "bytes=10-19"])
            #expect(span.status == .partialContent)
            #expect(span.headers[.contentRange] == "bytes 10-19/\(size)")
            #expect(Data(span.body.readableBytesView) == content.subdata(in: 10..<20))

            let suffix = try await client.execute(uri: "/repository/\(path)", method: .get, headers: [.range: "bytes=-5"])
            #expect(Data(suffix.body.readableBytesView) == content.suffix(5))

            let past = try await client.execute(uri: "/repository/\(path)", method: .get, headers: [.range: "bytes=\(size)-"])
            #expect(past.status == .rangeNotSatisfiable)
            #expect(past.headers[.contentRange] == "bytes */\(size)")

            let backwards = try await client.execute(uri: "/repository/\(path)", method: .get, headers: [.range: "bytes=9-3"])
            #expect(backwards.status == .ok, "a range this server does not understand is answered with the whole file")
            #expect(backwards.body.readableBytes == size)

            let otherVersion = try await client.execute(
                uri: "/repository/\(path)", method: .get,
                headers: [.range: "bytes=10-", .ifRange: "\"another\""])
            #expect(otherVersion.status == .ok, "If-Range naming another version asks for the whole file")

            let head = try await client.execute(uri: "/repository/\(path)", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == "\(size)")
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test func pathsOutsideTheRepositoryLayoutAreNotFound() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        // Things an operator might leave in the directory, which must never be served.
        try Data("secret".utf8).write(to: fixture.repository.appending(path: "timestamp.key"))
        try Data("secret".utf8).write(to: fixture.repository.appending(path: "metadata/timestamp.key"))
        let hex = String(repeating: "a", count: 64)
        // A key that looks like a target file but hides, and a half-written temporary file.
        try Data("secret".utf8).write(to: fixture.repository.appending(path: "targets/.\(hex).key"))
        try Data("{}".utf8).write(to: fixture.repository.appending(path: "metadata/.3.targets.json.0a1b.tmp"))
        #expect(FileManager.default.fileExists(atPath: fixture.repository.appending(path: "metadata/.publish.lock").path))
        try await withRegistry(fixture) { _, client in
            for path in [
                "/repository/../Package.swift", "/repository/root/../../etc/passwd", "/repository/%2e%2e/etc/passwd",
                "/repository/root/%2e%2e/timestamp.key", "/repository//etc/passwd", "/repository/timestamp.key",
                "/repository/metadata/timestamp.key", "/repository/metadata/.publish.lock", "/repository/.publish.lock",
                "/repository/metadata/.3.targets.json.0a1b.tmp", "/repository/targets/.\(hex).key",
                "/repository/metadata/01.root.json", "/repository/metadata/1.root.json/", "/repository/metadata/root.json",
                "/repository/metadata/1..json", "/repository/metadata/x.root.json", "/repository/metadata/../metadata/1.root.json",
                "/repository/targets/../metadata/1.root.json", "/repository/targets/templates/\(hex)",
                "/repository/targets/templates/../../metadata/1.root.json", "/repository/metadata",
                "/repository/root/01.json", "/repository/root/1.json/",
                "/repository/blobs/sha256/../../root/1.json", "/repository/blobs/sha256/XYZ", "/repository/root",
                "/repository/targets/99.json", "/repository/metadata/99.snapshot.json", "/repository/",
            ] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
            }
        }
    }

    @Test func rangeHeadersAreParsedStrictly() {
        #expect(ByteRange(header: "bytes=5-") == .from(5))
        #expect(ByteRange(header: "bytes=5-9") == .span(5, 9))
        #expect(ByteRange(header: "bytes=-9") == .suffix(9))
        for ignored in ["bytes=1-2,4-5", "items=1-2", "bytes=a-", "bytes=", "bytes=-", "bytes=9-3", "bytes=+1-"] {
            #expect(ByteRange(header: ignored) == nil, "\(ignored)")
        }
        #expect(ByteRange.span(5, 100).resolve(size: 10) == 5...9)
        #expect(ByteRange.from(10).resolve(size: 10) == nil)
        #expect(ByteRange.suffix(50).resolve(size: 10) == 0...9)
        #expect(ByteRange.suffix(0).resolve(size: 10) == nil)
    }
}
