import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP

/// `GET /repository/<path>`: the repository directory as a plain, cache-friendly web server
/// would serve it, with strong tags, conditional requests and byte ranges (resumed blob
/// downloads), the body streamed from disk.
extension RegistryAPI {
    static let prefix = "/repository/"
    static let fileIO = FileIO()

    static func addRepositoryRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.get("/repository/**") { request, context in
            try await serveFile(request, context: context, files: server.files, includeBody: true, correlation: context.correlationID)
        }
        router.head("/repository/**") { request, context in
            try await serveFile(request, context: context, files: server.files, includeBody: false, correlation: context.correlationID)
        }
    }

    static func serveFile(
        _ request: Request, context: APIRequestContext, files: RepositoryFiles, includeBody: Bool,
        correlation: String
    ) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(prefix), let relative = RepositoryPath.validate(String(path.dropFirst(prefix.count))),
            let file = try files.open(relative)
        else {
            throw RegistryError(.notFound, "no such file in the repository", detail: path)
        }
        var headers: HTTPFields = [
            .eTag: file.etag,
            .cacheControl: RepositoryPath.isMutable(relative) ? "no-cache" : "public, max-age=31536000, immutable",
            .acceptRanges: "bytes",
            .contentType: relative.hasSuffix(".json") ? "application/json" : "application/octet-stream",
        ]
        if let condition = request.headers[.ifNoneMatch], RepositoryFiles.matches(ifNoneMatch: condition, etag: file.etag) {
            return Response(status: .notModified, headers: headers)
        }
        var range: ClosedRange<Int>?
        // A Range under an If-Range naming another version is ignored: the whole new file is sent.
        if let header = request.headers[.range], let requested = ByteRange(header: header),
            request.headers[.ifRange].map({ $0 == file.etag }) ?? true
        {
            guard let resolved = requested.resolve(size: file.size) else {
                var response = problem(
                    .rangeNotSatisfiable, code: RegistryErrorCode.requestInvalid.rawValue,
                    message: "the range selects no byte of the \(file.size)-byte file", detail: header, correlation: correlation)
                // The problem keeps its own `no-store`: the file's caching policy is not this answer's.
                response.headers[.eTag] = file.etag
                response.headers[.acceptRanges] = "bytes"
                response.headers[.contentRange] = "bytes */\(file.size)"
                return response
            }
            range = resolved
            headers[.contentRange] = "bytes \(resolved.lowerBound)-\(resolved.upperBound)/\(file.size)"
        }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        let length = range?.count ?? file.size
        headers[.contentLength] = "\(length)"
        guard includeBody, length > 0 else { return Response(status: status, headers: headers) }
        let bytes = range ?? 0...(file.size - 1)
        if let contents = file.contents {
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: contents[bytes])))
        }
        let body = try await fileIO.loadFile(path: file.path, range: bytes, context: context)
        return Response(status: status, headers: headers, body: body)
    }
}
