public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// Where a kiosk reads its event's attendee change log: signed pages, verified by the caller
/// against its trusted root (`AttendeeChangePage.verified`).
public protocol AttendeeChangeSource: Sendable {
    /// The signed page of `event`'s changes after cursor `since`, as received.
    func page(event: String, since: Int64) async throws(AttendeeChangeFetchError) -> Data
}

/// Why a page could not be had: the registry refused the cursor (the kiosk's list needs a
/// snapshot first), or anything else went wrong on the way.
public enum AttendeeChangeFetchError: Error, Sendable {
    case cursorAhead(SyncError)
    case failed(SyncError)

    public var syncError: SyncError {
        switch self {
        case .cursorAhead(let error), .failed(let error): error
        }
    }
}

/// The registry server's `GET /v1/events/{event}/attendee-changes?since=N`, with the kiosk's
/// token when one is configured.
public struct HTTPAttendeeChangeSource: AttendeeChangeSource {
    public let serverURL: String
    public let credential: RegistryCredential
    public let client: HTTPClient
    /// A page holds at most 1,000 changes; a registration is bounded by intake's limit, so
    /// anything past this is not a page.
    static let maximumPageBytes = 64 << 20

    public init(serverURL: String, credential: RegistryCredential, client: HTTPClient = RegistryHTTPClient.shared) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.credential = credential
        self.client = client
    }

    public func page(event: String, since: Int64) async throws(AttendeeChangeFetchError) -> Data {
        let escaped = event.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? event
        let url = "\(serverURL)/v1/events/\(escaped)/attendee-changes?since=\(since)"
        var request = HTTPClientRequest(url: url)
        if let authorization = credential.authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: Self.maximumPageBytes)
        } catch {
            throw .failed(SyncError(.transport, "the registry's attendee changes cannot be fetched", subject: url, underlying: error))
        }
        let data = Data(body.readableBytesView)
        switch response.status.code {
        case 200:
            return data
        case 409:
            throw .cursorAhead(
                SyncError(
                    .transport, "the registry does not know the kiosk's attendee cursor", subject: url,
                    cause: String(decoding: data.prefix(512), as: UTF8.self)))
        default:
            throw .failed(
                SyncError(
                    .transport, "the registry's attendee changes answered HTTP \(response.status.code)", subject: url,
                    cause: String(decoding: data.prefix(512), as: UTF8.self)))
        }
    }
}
