import LanyardSupport
public import AsyncHTTPClient
public import Foundation
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
    public let token: String?
    public let key: SigningKey
    let client: HTTPClient

    public init(serverURL: String, agentID: String, token: String?, keyFile: URL, client: HTTPClient = RegistryHTTPClient.shared) throws(SyncError) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.agentID = agentID
        self.token = token
        self.client = client
        if FileManager.default.fileExists(atPath: keyFile.path) {
            key = try SigningKey.read(from: keyFile)
        } else {
            let fresh = SigningKey()
            do { try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
                throw SyncError(.io, "cannot create the directory of the report key", subject: keyFile.path, cause: "\(error)")
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
            let items = checkIns.compactMap { try? JSONSerialization.jsonObject(with: $0.payload) }
            let answer = try await post("check-ins", ["items": items])
            try markDelivered(checkIns, store: store, now: now)
            delivered += checkIns.count
            try recordResolutions(answer, store: store, now: now)
        }
        let outcomes = pending.filter { $0.kind == JobOutcome.outboxKind }
        if !outcomes.isEmpty {
            let items: [[String: Any]] = outcomes.compactMap { item in
                guard let outcome = try? JobOutcome.decode(item.payload) else { return nil }
                return Self.printResult(outcome, nonce: item.nonce)
            }
            _ = try await post("print-results", ["items": items])
            try markDelivered(outcomes, store: store, now: now)
            delivered += outcomes.count
        }
        return delivered
    }

    /// A finished job as the server's print-result item.
    static func printResult(_ outcome: JobOutcome, nonce: String) -> [String: Any] {
        let state = switch outcome.state {
        case .printed: "printed"
        case .manualReview: "manual_review"
        case .cancelled: "cancelled"
        default: "dead_letter"
        }
        var item: [String: Any] = ["nonce": nonce, "job_id": outcome.jobID, "state": state,
                                   "finished_at": Timestamps.iso8601(outcome.finishedAt)]
        if let attendee = outcome.attendeeID { item["attendee_id"] = attendee }
        if let tier = outcome.templateTier { item["tier"] = tier }
        if let version = outcome.templateVersion {
            item["template_version"] = version
            item["template"] = String(version.split(separator: "@").first ?? "")
        }
        return item
    }

    /// The check-ins the server decided for the attendees of the batch: stored, so the kiosk
    /// knows at once whether another kiosk scanned one of them first.
    func recordResolutions(_ answer: [String: Any], store: LanyardStore, now: Date) throws(SyncError) {
        let resolved = answer["resolutions"] as? [[String: Any]] ?? []
        var byEvent: [String: [CheckInResolution]] = [:]
        for object in resolved {
            guard let event = object["event"] as? String, let data = try? JSONSerialization.data(withJSONObject: object),
                  let resolution = try? JSONDecoder().decode(CheckInResolution.self, from: data) else { continue }
            byEvent[event, default: []].append(resolution)
        }
        for (event, resolutions) in byEvent {
            do { try store.recordCheckInResolutions(resolutions, event: event, now: now) } catch {
                throw SyncError(.io, "cannot record the registry's check-in resolutions", cause: "\(error)")
            }
        }
    }

    /// Signs and sends the report.
    public func sendReport(_ report: AgentReportPayload) async throws(SyncError) {
        var envelope = SignedEnvelope(payloadType: AgentReportPayload.payloadType, payload: try report.encoded())
        try envelope.sign(with: [key])
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

    private func post(_ endpoint: String, _ object: [String: Any]) async throws(SyncError) -> [String: Any] {
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: object) } catch {
            throw SyncError(.metadataInvalid, "cannot encode the \(endpoint) batch", cause: "\(error)")
        }
        let answer = try await send(endpoint, body: body)
        return (try? JSONSerialization.jsonObject(with: answer) as? [String: Any]) ?? [:]
    }

    private func send(_ endpoint: String, body: Data) async throws(SyncError) -> Data {
        let url = "\(serverURL)/v1/agents/\(agentID)/\(endpoint)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let data: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            data = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw SyncError(.transport, "the registry server cannot be reached", subject: url, cause: "\(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            throw SyncError(.transport, "the registry server answered HTTP \(response.status.code)", subject: url,
                            cause: String(buffer: data).prefix(300).description)
        }
        return Data(data.readableBytesView)
    }
}

/// The signed report of what a kiosk runs, as the registry server reads it.
public struct AgentReportPayload: Sendable, Encodable {
    public static let payloadType = "application/vnd.lanyard.agent-report+json"

    public struct Template: Sendable, Encodable {
        public var name: String
        public var label: String
        public var digest: String
        public var state: String
    }

    public struct Printer: Sendable, Encodable {
        public var id: String
        public var activity: String
        public var ready: Bool
        public var conditions: [String]
    }

    public struct Rollback: Sendable, Encodable {
        public var name: String
        public var from: String
        public var to: String
        public var reason: String
        public var at: String
    }

    public var agentID: String
    public var sentAt: String
    public var publicKey: String
    public var targetsVersion: Int?
    public var freshness: String
    public var templates: [Template]
    public var printers: [Printer]
    public var queueDepth: Int
    public var rollbacks: [Rollback]

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", sentAt = "sent_at", publicKey = "public_key", targetsVersion = "targets_version", freshness
        case templates, printers, queueDepth = "queue_depth", rollbacks
    }

    func encoded() throws(SyncError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(self) } catch {
            throw SyncError(.metadataInvalid, "cannot encode the report", cause: "\(error)")
        }
    }
}
