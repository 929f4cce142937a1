public import AsyncHTTPClient
public import Foundation
public import LanyardSupport
public import NIOCore
import NIOHTTP1

/// Where an updater gets repository files from: a web server, or whatever a test or the agent
/// puts in its place.
public protocol TUFFetcher: Sendable {
    /// The file at `url`, or nil when the repository says it has none (HTTP 404 or 403: the end
    /// of the root chain, or a missing file the workflow then refuses). A file longer than
    /// `maximumLength` is refused with `tuf.length_exceeded` as soon as the excess arrives, so
    /// endless data cannot fill memory; any other failure is `tuf.fetch_failed`.
    func fetch(_ url: String, maximumLength: Int) async throws(TUFError) -> Data?
}

/// Files over HTTP(S) with AsyncHTTPClient.
public struct HTTPFetcher: TUFFetcher {
    /// The process's client, never shut down. Unlike AsyncHTTPClient's shared one it does not
    /// retry a refused connection until the request's deadline: a repository that is down costs
    /// one quick failure, and the caller decides when to try again.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(configuration: configuration)
    }()

    public let client: HTTPClient
    /// How long one request may take, body included.
    public let timeout: TimeAmount

    public init(client: HTTPClient = HTTPFetcher.client, timeout: TimeAmount = .seconds(60)) {
        self.client = client
        self.timeout = timeout
    }

    public func fetch(_ url: String, maximumLength: Int) async throws(TUFError) -> Data? {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: url), timeout: timeout)
        } catch {
            throw TUFError(.fetchFailed, "the repository cannot be reached", context: url, underlying: error)
        }
        switch response.status.code {
        case 200: break
        case 403, 404: return nil
        default: throw TUFError(.fetchFailed, "the repository answered HTTP \(response.status.code)", context: url)
        }
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > maximumLength {
            throw TUFError(.lengthExceeded, "\(declared) bytes announced, at most \(maximumLength) allowed", context: url)
        }
        var body = Data()
        do {
            for try await buffer in response.body {
                guard body.count + buffer.readableBytes <= maximumLength else {
                    throw TUFError(.lengthExceeded, "more than the \(maximumLength) bytes allowed", context: url)
                }
                body.append(contentsOf: buffer.readableBytesView)
            }
        } catch let error as TUFError {
            throw error
        } catch {
            throw TUFError(.fetchFailed, "the transfer was cut after \(body.count) bytes", context: url, underlying: error)
        }
        return body
    }
}
