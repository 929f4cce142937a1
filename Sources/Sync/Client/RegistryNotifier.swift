public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Waits for the registry server to announce a timestamp newer than the one a kiosk has: a long
/// poll that the server answers as soon as something is published, so kiosks learn of a new
/// version within a second instead of at their next poll.
public protocol RegistryNotifier: Sendable {
    /// Returns when the server announces a timestamp version above `after` or, when
    /// `attendees` names an event and its cursor, a change to that event's attendees past it;
    /// or when it gives up waiting (the caller then refreshes anyway, cheaply, by entity tag).
    func waitForChange(after timestampVersion: Int, attendees: (event: String, cursor: Int64)?, timeout: Duration) async throws(SyncError)
}

/// The registry server's `GET /v1/notify?after=N&timeout=S`, on a client whose read timeout
/// outlasts the wait (`RegistryHTTPClient.longPoll`).
public struct HTTPRegistryNotifier: RegistryNotifier {
    public let serverURL: String
    public let client: HTTPClient

    public init(serverURL: String, client: HTTPClient = RegistryHTTPClient.longPoll) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.client = client
    }

    public func waitForChange(
        after timestampVersion: Int, attendees: (event: String, cursor: Int64)?,
        timeout: Duration
    ) async throws(SyncError) {
        let seconds = max(1, Int(timeout.components.seconds))
        var url = "\(serverURL)/v1/notify?after=\(timestampVersion)&timeout=\(seconds)"
        if let attendees {
            let event = attendees.event.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? attendees.event
            url += "&event=\(event)&attendee_cursor=\(attendees.cursor)"
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(Int64(seconds) + 10))
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw SyncError(.transport, "the registry's notification endpoint cannot be reached", subject: url, underlying: error)
        }
        guard [200, 204].contains(response.status.code) else {
            throw SyncError(.transport, "the registry's notification endpoint answered HTTP \(response.status.code)", subject: url)
        }
    }
}
