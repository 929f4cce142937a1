import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardHTTP
import LanyardSupport
import Testing

/// The agent and the registry answer through `CorrelationMiddleware` and `APIResponder`: these
/// are the rules both share.
@Suite struct APIResponderTests {
    struct Unexpected: Error {}
    struct Shape: Decodable { var name: String }

    static func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CorrelationMiddleware(realm: "test"))
        router.get("/echo") { _, context in
            APIResponder.json(.ok, ["correlation": context.correlationID])
        }
        router.get("/unexpected") { _, _ -> Response in throw Unexpected() }
        router.get("/undecodable") { _, _ in
            _ = try JSONDecoder().decode(Shape.self, from: Data("{}".utf8))
            return Response(status: .ok)
        }
        router.get("/in-use") { _, _ -> Response in throw ListenError(.inUse, "taken", context: "127.0.0.1:80") }
        router.get("/locked") { _, _ -> Response in throw HTTPError(.unauthorized) }
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

    @Test func everyFailureIsAProblemWithTheCorrelationIdAnUnknownPathIncluded() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            let missing = try await client.execute(uri: "/nowhere", method: .get, headers: [APIResponder.correlationHeader: "c-1"])
            #expect(missing.status == .notFound)
            #expect(missing.headers[APIResponder.correlationHeader] == "c-1")
            #expect(try problem(missing).error.correlationID == "c-1")
            let locked = try await client.execute(uri: "/locked", method: .get)
            #expect(locked.status == .unauthorized)
            #expect(locked.headers[.wwwAuthenticate] == "Bearer realm=\"test\"")
            #expect(try problem(locked).error.correlationID == locked.headers[APIResponder.correlationHeader])
        }
    }
}
