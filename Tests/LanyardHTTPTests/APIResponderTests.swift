import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardHTTP
import LanyardSupport
import Testing

/// The agent and the registry answer through `APIResponder`: these are the rules both share.
@Suite struct APIResponderTests {
    struct Unexpected: Error {}
    struct Shape: Decodable { var name: String }

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/echo") { request, _ in
            await APIResponder.handle(request, realm: "test") { correlation in
                APIResponder.json(.ok, ["correlation": correlation])
            }
        }
        router.get("/unexpected") { request, _ in
            await APIResponder.handle(request, realm: "test") { _ in throw Unexpected() }
        }
        router.get("/undecodable") { request, _ in
            await APIResponder.handle(request, realm: "test") { _ in
                _ = try JSONDecoder().decode(Shape.self, from: Data("{}".utf8))
                return Response(status: .ok)
            }
        }
        router.get("/in-use") { request, _ in
            await APIResponder.handle(request, realm: "test") { _ in throw ListenError(.inUse, "taken", context: "127.0.0.1:80") }
        }
        return router
    }

    func problem(_ response: TestResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
    }

    @Test func aUsableCorrelationIdIsKeptAndAnEmptyOneReplaced() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            let kept = try await client.execute(uri: "/echo", method: .get, headers: [APIResponder.correlationHeader: "abc-1"])
            #expect(kept.headers[APIResponder.correlationHeader] == "abc-1")
            let empty = try await client.execute(uri: "/echo", method: .get, headers: [APIResponder.correlationHeader: ""])
            let given = try #require(empty.headers[APIResponder.correlationHeader])
            #expect(given.count == 36, "a new UUID, not the empty value: \(given)")
            let long = try await client.execute(
                uri: "/echo", method: .get,
                headers: [APIResponder.correlationHeader: String(repeating: "x", count: 101)])
            #expect(long.headers[APIResponder.correlationHeader]?.count == 36)
        }
    }

    @Test func anUnknownErrorIsTheServersFaultAndAnUndecodableBodyTheClients() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            let unexpected = try await client.execute(uri: "/unexpected", method: .get)
            #expect(unexpected.status == .internalServerError)
            #expect(try problem(unexpected).error.code == "internal")
            #expect(unexpected.headers[.cacheControl] == "no-store")
            let undecodable = try await client.execute(uri: "/undecodable", method: .get)
            #expect(undecodable.status == .badRequest)
            let inUse = try await client.execute(uri: "/in-use", method: .get, headers: [APIResponder.correlationHeader: "c-9"])
            #expect(inUse.status == .serviceUnavailable)
            let body = try problem(inUse).error
            #expect(body == Problem.Body(code: "listen.in_use", message: "taken", detail: "127.0.0.1:80", correlationID: "c-9"))
        }
    }
}
