public import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The HTTP client kiosks talk to the registry with. Unlike the library's default it does not
/// keep retrying a refused connection until the request's deadline: a registry that is down
/// should cost a kiosk one quick failure and a backoff, not a minute per request. It lives as
/// long as the process (like `HTTPClient.shared`), so it is never shut down.
public enum RegistryHTTPClient {
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// The same transport for a publication sent to the server (`RegistryPublicationClient`),
    /// which may wait for the publication ahead of it and then sign and write for a while: its
    /// answer is waited for longer than a kiosk waits for a download to move.
    public static let publishing: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .minutes(10))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
