public import AsyncHTTPClient
public import NIOCore
import NIOPosix

/// The HTTP clients kiosks talk to the registry with. Unlike the library's default they do not
/// keep retrying a refused connection until the request's deadline: a registry that is down
/// should cost a kiosk one quick failure and a backoff, not a minute per request. They live as
/// long as the process (like `HTTPClient.shared`), so they are never shut down.
public enum RegistryHTTPClient {
    /// How long a request may receive nothing before it fails.
    public static let readTimeout: TimeAmount = .seconds(30)
    /// The same for the notify long-poll, which receives nothing until the server answers it: up
    /// to the server's longest wait (60 s) and the second its expiry may take. Below that, every
    /// quiet wait ended as a failure and the agent fell back to its poll interval, a minute
    /// during which it heard of no publication.
    public static let longPollReadTimeout: TimeAmount = .seconds(75)

    /// Everything but the long-poll.
    public static let shared = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration(readTimeout: readTimeout))

    /// The notify long-poll (`HTTPRegistryNotifier`).
    public static let longPoll = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration(readTimeout: longPollReadTimeout))

    /// The configuration of both clients, for a process that makes its own (a benchmark's
    /// simulated kiosks, one client each).
    public static func configuration(readTimeout: TimeAmount) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: readTimeout)
        configuration.decompression = .disabled
        return configuration
    }

    /// The same transport for a publication sent to the server (`RegistryPublicationClient`),
    /// which may wait for the publication ahead of it and then sign and write for a while: its
    /// answer is waited for longer than a kiosk waits for a download to move.
    public static let publishing = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration(readTimeout: .minutes(10)))
}
