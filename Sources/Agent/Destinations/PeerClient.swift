import AsyncHTTPClient
import Foundation
import Glibc
import LanyardHTTP
import LanyardSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Sync

/// The handing agent's side of the peer protocol (docs/handover.md): offers, status reads and
/// withdrawals, each a JSON request with the peer's bearer token.
struct PeerClient: Sendable {
    let baseURL: URL
    let token: String
    let http: HTTPClient
    let timeout: Duration

    /// A plain-HTTP peer shares the process's client; an `https://` peer with its own trust roots
    /// or a client certificate gets a client of its own, made once and kept for the life of the
    /// process like the shared one (it is never shut down).
    init(destination: AgentConfiguration.Destination, url: URL, token: String, timeout: Duration = .seconds(5)) throws {
        baseURL = url
        self.token = token
        self.timeout = timeout
        guard url.scheme == "https", destination.ca != nil || destination.certificate != nil else {
            http = RegistryHTTPClient.shared
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = destination.ca { tls.trustRoots = .file(ca) }
        if let certificate = destination.certificate, let key = destination.key {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(10))
        http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    func offer(_ offer: PeerOffer) async -> Result<PeerHandoverStatus, DeliveryFailure> {
        await send(.POST, "v1/peer/handovers", body: offer)
    }

    func status(idempotencyKey: String) async -> Result<PeerHandoverStatus, DeliveryFailure> {
        await send(.GET, "v1/peer/handovers/\(Self.segment(idempotencyKey))", body: Optional<PeerWithdrawalRequest>.none)
    }

    func withdraw(idempotencyKey: String, from: String) async -> Result<PeerHandoverStatus, DeliveryFailure> {
        await send(.POST, "v1/peer/handovers/\(Self.segment(idempotencyKey))/withdraw", body: PeerWithdrawalRequest(from: from))
    }

    /// A key as one path segment: everything but unreserved characters percent-encoded.
    static func segment(_ key: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
    }

    private func send(_ method: HTTPMethod, _ path: String, body: (some Encodable)?) async -> Result<PeerHandoverStatus, DeliveryFailure> {
        var request = HTTPClientRequest(
            url: baseURL.absoluteString.hasSuffix("/") ? baseURL.absoluteString + path : baseURL.absoluteString + "/" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            guard let data = try? JSONEncoder().encode(body) else { return .failure(.notDelivered("the request does not encode")) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let outcome = await Result { () async throws -> (Int, ByteBuffer) in
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(RetryPolicy.nanoseconds(timeout))))
            return (Int(response.status.code), try await response.body.collect(upTo: 1 << 20))
        }
        switch outcome {
        case .failure(let error):
            return .failure(DeliveryFailure.classify(error))
        case .success(let (status, buffer)):
            let data = Data(buffer.readableBytesView)
            if (200..<300).contains(status) {
                guard let answer = try? JSONDecoder().decode(PeerHandoverStatus.self, from: data) else {
                    return .failure(.uncertain("the peer's answer (\(status)) is not a handover status"))
                }
                return .success(answer)
            }
            let problem = (try? JSONDecoder().decode(Problem.self, from: data))?.error
            let message = problem.map { "\($0.code): \($0.message)" } ?? "no problem document"
            // A 4xx is a refusal the peer made before acting; a 5xx may come after it acted.
            return .failure((400..<500).contains(status) ? .refused(status: status, message: message) : .uncertain("\(status): \(message)"))
        }
    }
}

extension Result where Failure == any Error {
    /// `Result(catching:)` for an async body.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
