import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardHTTP
import Logging
import Prometheus
import Store
import Testing

/// A page of another site open in any browser on the box must not make the agent print, check in
/// or change anything; an integrator calling without a browser must not notice.
@Suite struct BrowserBoundaryTests {
    static let registration =
        #"{"attendee": {"source":"crm","source_id":"B-1","event_slug":"devcon-2026","first_name":"Ada","last_name":"Lovelace","email":"ada@example.org","ticket_type":"VIP"}}"#

    func withAgent(_ body: @escaping @Sendable (AgentRuntime, any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-boundary-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = AgentConfiguration()
        configuration.dataDirectory = directory.path
        configuration.printer.address = "sim"
        let runtime = try await AgentRuntime.start(
            configuration: configuration, resources: AgentResources(home: AgentHarness.repositoryRoot, defaultDataDirectory: directory),
            logger: Logger(label: "lanyard.tests"))
        let app = Application(router: AgentAPI.router(core: runtime.core, metrics: PrometheusCollectorRegistry()))
        try await app.test(.router) { client in try await body(runtime, client) }
    }

    func badge(_ client: any TestClientProtocol, _ headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/v1/badges", method: .post, headers: headers, body: ByteBuffer(string: Self.registration))
    }

    func code(_ response: TestResponse) throws -> String {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView)).error.code
    }

    @Test func aCrossSiteRequestPrintsNothing() async throws {
        try await withAgent { runtime, client in
            // The measured hole: a page posts text/plain (no preflight) and a badge was accepted.
            let plain = try await badge(client, [.contentType: "text/plain"])
            #expect(plain.status == .unsupportedMediaType)
            #expect(try code(plain) == "http.content_type_required")
            let form = try await badge(client, [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
            let foreign = try await badge(client, [.contentType: "application/json", .origin: "https://attacker.example"])
            #expect(foreign.status == .forbidden)
            #expect(try code(foreign) == "http.cross_origin")
            let opaque = try await badge(client, [.contentType: "application/json", .origin: "null"])
            #expect(opaque.status == .forbidden)
            let site = try await badge(client, [.contentType: "application/json", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(site.status == .forbidden)
            #expect(try runtime.core.store.recentJobs(state: nil, limit: 10).isEmpty, "no refused request made a job")

            // The kiosk's own page (same origin) and an integrator (no Origin at all) print.
            let page = try await badge(
                client, [.contentType: "application/json", .origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(page.status == .accepted)
            let script = try await client.execute(
                uri: "/v1/badges", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: Self.registration.replacingOccurrences(of: "B-1", with: "B-2")))
            #expect(script.status == .accepted)
            #expect(try runtime.core.store.recentJobs(state: nil, limit: 10).count == 2)
        }
    }

    @Test func aForeignHostIsRefusedReadsIncluded() async throws {
        // The router test client always names "localhost"; an agent that knows only another name
        // sees what a DNS-rebinding page's requests look like.
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CorrelationMiddleware(realm: "test"))
        router.add(middleware: BrowserBoundaryMiddleware<APIRequestContext>(allowedHosts: ["kiosk.example", "192.0.2.7"]))
        router.get("/v1/attendees") { _, _ in Response(status: .ok) }
        try await Application(router: router).test(.router) { client in
            let read = try await client.execute(uri: "/v1/attendees", method: .get)
            #expect(read.status == .misdirectedRequest)
            #expect(try code(read) == "http.host_not_allowed")
        }
        #expect(BrowserBoundary.host(ofAuthority: "[::1]:8080") == "::1")
        #expect(BrowserBoundary.host(ofAuthority: "Kiosk.Example:80") == "kiosk.example")
        #expect(BrowserBoundary.authority(ofOrigin: "http://localhost:8080") == "localhost:8080")
        #expect(BrowserBoundary.authority(ofOrigin: "null") == nil)
    }

    /// A route named with another body type takes that type only; every other route still takes
    /// JSON only, and the Origin check holds for the named route as for any.
    @Test func aRouteNamedWithAnotherBodyTypeTakesThatTypeOnly() async throws {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CorrelationMiddleware(realm: "test"))
        router.add(
            middleware: BrowserBoundaryMiddleware<APIRequestContext>(
                allowedHosts: ["localhost"], bodyTypes: ["/frames": "Application/Octet-Stream"]))
        router.post("/frames") { _, _ in Response(status: .ok) }
        router.post("/changes") { _, _ in Response(status: .ok) }
        try await Application(router: router).test(.router) { client in
            func send(_ path: String, _ headers: HTTPFields) async throws -> TestResponse {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: [1, 2, 3]))
            }
            #expect(try await send("/frames?width=3&height=1", [.contentType: "application/octet-stream"]).status == .ok)
            for type in ["application/json", "text/plain"] {
                let refused = try await send("/frames", [.contentType: type])
                #expect(refused.status == .unsupportedMediaType)
                #expect(try code(refused) == "http.content_type_required")
            }
            #expect(try await send("/changes", [.contentType: "application/octet-stream"]).status == .unsupportedMediaType)
            #expect(try await send("/changes", [.contentType: "application/json"]).status == .ok)
            let foreign = try await send("/frames", [.contentType: "application/octet-stream", .origin: "https://attacker.example"])
            #expect(foreign.status == .forbidden)
        }
    }
}
