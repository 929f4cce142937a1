public import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOHTTP1

/// A repository over HTTP: the registry server's `/repository/` or any web server holding a copy
/// of the directory. Conditional requests (`If-None-Match`) keep polling cheap; range requests
/// resume a cut download. A server that ignores the range and sends the whole file is handled
/// by skipping the bytes already held.
public struct HTTPRepositorySource: RepositorySource {
    public let baseURL: String
    public let client: HTTPClient
    /// How long one request may take before it counts as a cut transfer.
    public let timeout: TimeAmount

    /// `baseURL` is the URL of the repository directory, e.g. `http://registry:8090/repository/`.
    public init(baseURL: String, client: HTTPClient = RegistryHTTPClient.shared, timeout: TimeAmount = .seconds(60)) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.client = client
        self.timeout = timeout
    }

    public func fetch(
        _ path: String, offset: Int, limit: Int, ifNoneMatch: String?,
        onChunk: (Data) throws(SyncError) -> Void
    ) async throws(SyncError) -> FetchOutcome {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .GET
        if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: timeout) } catch {
            throw SyncError(.transport, "the registry cannot be reached", subject: baseURL + path, underlying: error)
        }
        var skip = 0
        switch response.status.code {
        case 200: skip = offset
        case 206:
            let range = response.headers.first(name: "Content-Range") ?? ""
            guard range.hasPrefix("bytes \(offset)-") else {
                throw SyncError(.transport, "the server answered a different range than asked (\(range))", subject: path)
            }
        case 304: return .notModified
        case 404, 410: return .notFound
        default:
            throw SyncError(.transport, "the registry answered HTTP \(response.status.code)", subject: baseURL + path)
        }
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared - skip > limit {
            throw SyncError(.lengthExceeded, "the server announces \(declared - skip) bytes, more than the \(limit) allowed", subject: path)
        }
        var received = 0
        do {
            for try await buffer in response.body {
                var bytes = buffer
                if skip > 0 {
                    let dropped = min(skip, bytes.readableBytes)
                    bytes.moveReaderIndex(forwardBy: dropped)
                    skip -= dropped
                    if bytes.readableBytes == 0 { continue }
                }
                received += bytes.readableBytes
                guard received <= limit else {
                    throw SyncError(.lengthExceeded, "more than the \(limit) bytes allowed", subject: path)
                }
                try onChunk(Data(bytes.readableBytesView))
            }
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError(.transport, "the transfer was cut after \(received) bytes", subject: path, underlying: error)
        }
        return .complete(etag: Self.usableETag(response.headers))
    }

    /// The entity tag, unless it may be too weak to tell two versions apart. Web servers such as
    /// nginx derive it from the modification time in whole seconds and the size, so a timestamp
    /// replaced twice within a second (same size) keeps its tag. Following RFC 9110 8.8.2.2, a
    /// response whose `Last-Modified` is less than a second before its `Date` gets no tag kept:
    /// the next poll is unconditional and sees the change.
    static func usableETag(_ headers: HTTPHeaders) -> String? {
        guard let etag = headers.first(name: "ETag"), !etag.hasPrefix("W/") else { return nil }
        guard let modified = headers.first(name: "Last-Modified") else { return etag }
        guard let modifiedAt = HTTPDate.secondsSince1970(modified), let date = headers.first(name: "Date"),
            let answeredAt = HTTPDate.secondsSince1970(date), answeredAt - modifiedAt >= 1
        else { return nil }
        return etag
    }
}
