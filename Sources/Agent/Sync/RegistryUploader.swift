public import AsyncHTTPClient
public import Foundation
public import LanyardSupport
import NIOCore
import NIOHTTP1
public import Store
public import Sync

/// What a kiosk tells the registry server (docs/registry-server.md): its outbox (check-ins and
/// print results, in batches the server takes idempotently by nonce) and a signed report of what
/// it runs. The kiosk's report key is made on first use and kept in its data directory; the
/// server trusts the first key it sees for a kiosk and refuses reports signed by another.
public struct RegistryUploader: Sendable {
    public let serverURL: String
    public let agentID: String
    public let credential: RegistryCredential
    public let key: SigningKey
    let client: HTTPClient

    public init(
        serverURL: String, agentID: String, credential: RegistryCredential, keyFile: URL,
        client: HTTPClient = RegistryHTTPClient.shared
    ) throws(SyncError) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.agentID = agentID
        self.credential = credential
        self.client = client
        if FileManager.default.fileExists(atPath: keyFile.path) {
            key = try SigningKey.read(from: keyFile)
        } else {
            let fresh = SigningKey()
            do { try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true) } catch
            {
                throw SyncError(.io, "cannot create the directory of the report key", subject: keyFile.path, underlying: error)
            }
            try fresh.write(to: keyFile)
            key = fresh
        }
    }

    /// Sends what the outbox holds, oldest first, in batches; marks what the server took.
    /// Returns how many items were delivered. Items of kinds the server does not take stay.
    @discardableResult
    public func uploadOutbox(store: LanyardStore, batchSize: Int = 200, now: Date = Date()) async throws(SyncError) -> Int {
        let pending: [OutboxItem]
        do { pending = try store.pendingOutbox(limit: batchSize) } catch {
            throw SyncError(.io, "cannot read the outbox", cause: "\(error)")
        }
        var delivered = 0
        let checkIns = pending.filter { $0.kind == LanyardStore.checkInOutboxKind }
        if !checkIns.isEmpty {
            let items = checkIns.compactMap { try? WireJSON.decoder.decode(CheckInUpload.self, from: $0.payload) }
            let answer = try await post("check-ins", UploadBatch(items: items), answer: CheckInBatchResult.self)
            try markDelivered(checkIns, store: store, now: now)
            delivered += checkIns.count
            try recordResolutions(answer, store: store, now: now)
        }
        let outcomes = pending.filter { $0.kind == JobOutcome.outboxKind }
        if !outcomes.isEmpty {
            let items = outcomes.compactMap { item in (try? JobOutcome.decode(item.payload)).map { Self.printResult($0, nonce: item.nonce) }
            }
            _ = try await post("print-results", UploadBatch(items: items), answer: UploadBatchResult.self)
            try markDelivered(outcomes, store: store, now: now)
            delivered += outcomes.count
        }
        return delivered
    }

    /// A finished job as the server's print-result item.
    static func printResult(_ outcome: JobOutcome, nonce: String) -> PrintResultUpload {
        let state: PrintResultUpload.State =
            switch outcome.state {
            case .printed: .printed
            case .manualReview: .manualReview
            case .cancelled: .cancelled
            default: .deadLetter
            }
        return PrintResultUpload(
            nonce: nonce, jobID: String(outcome.jobID), attendeeID: outcome.attendeeID, state: state,
            template: outcome.templateVersion.map { String($0.split(separator: "@").first ?? "") },
            templateVersion: outcome.templateVersion, tier: outcome.templateTier, finishedAt: outcome.finishedAt)
    }

    /// The check-ins the server decided for the attendees of the batch: stored, so the kiosk
    /// knows at once whether another kiosk scanned one of them first.
    func recordResolutions(_ answer: CheckInBatchResult, store: LanyardStore, now: Date) throws(SyncError) {
        let byEvent = Dictionary(grouping: answer.resolutions, by: \.event)
        for (event, resolved) in byEvent {
            do { try store.recordCheckInResolutions(resolved.map(\.resolution), event: event, now: now) } catch {
                throw SyncError(.io, "cannot record the registry's check-in resolutions", cause: "\(error)")
            }
        }
    }

    /// Signs and sends the report.
    public func sendReport(_ report: AgentReport) async throws(SyncError) {
        let envelope = try report.signed(with: key)
        let body: Data
        do { body = try JSONEncoder().encode(envelope) } catch {
            throw SyncError(.metadataInvalid, "cannot encode the report", cause: "\(error)")
        }
        _ = try await send("report", body: body)
    }

    private func markDelivered(_ items: [OutboxItem], store: LanyardStore, now: Date) throws(SyncError) {
        do { try store.markOutboxDelivered(ids: items.map(\.id), now: now) } catch {
            throw SyncError(.io, "cannot mark the outbox delivered", cause: "\(error)")
        }
    }

    private func post<Answer: Decodable>(_ endpoint: String, _ batch: some Encodable, answer: Answer.Type) async throws(SyncError) -> Answer
    {
        let data = try await send(endpoint, body: WireJSON.encode(batch))
        do { return try WireJSON.decoder.decode(Answer.self, from: data) } catch {
            throw SyncError(.transport, "the registry server's answer to \(endpoint) does not decode", subject: endpoint, underlying: error)
        }
    }

    private func send(_ endpoint: String, body: Data) async throws(SyncError) -> Data {
        let url = "\(serverURL)/v1/agents/\(agentID)/\(endpoint)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization = credential.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let data: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            data = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw SyncError(.transport, "the registry server cannot be reached", subject: url, underlying: error)
        }
        guard (200..<300).contains(response.status.code) else {
            throw SyncError(
                .transport, "the registry server answered HTTP \(response.status.code)", subject: url,
                cause: String(buffer: data).prefix(300).description)
        }
        return Data(data.readableBytesView)
    }
}
