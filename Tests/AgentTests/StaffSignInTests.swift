import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardHTTP
import Logging
import Prometheus
import Testing

/// Staff sign in on the kiosk with a name and a PIN: the PIN is kept only as a slow salted hash,
/// a wrong PIN past the lockout is refused even when the right one follows, the session cookie
/// is one no other site's page gets, and a role allows what it names.
@Suite(.serialized) struct StaffSignInTests {
    static let operatorPIN = "482916"
    static let technicianPIN = "735104"

    func withAgent(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-staff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = AgentConfiguration()
        configuration.dataDirectory = directory.path
        configuration.printer.address = "sim"
        configuration.staff = [
            StaffMember(name: "Ana", role: .operator, pinHash: try PinHash.make(pin: Self.operatorPIN)),
            StaffMember(name: "Tom", role: .technician, pinHash: try PinHash.make(pin: Self.technicianPIN)),
        ]
        try configuration.validate()
        let runtime = try await AgentRuntime.start(
            configuration: configuration, resources: AgentResources(home: AgentHarness.repositoryRoot, defaultDataDirectory: directory),
            logger: Logger(label: "lanyard.tests"))
        let app = Application(router: AgentAPI.router(core: runtime.core, metrics: PrometheusCollectorRegistry()))
        try await app.test(.router) { client in try await body(client) }
    }

    func signIn(_ client: any TestClientProtocol, _ name: String, _ pin: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/session", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"name": "\#(name)", "pin": "\#(pin)"}"#))
    }

    func cookie(_ response: TestResponse) throws -> String {
        let header = try #require(response.headers[.setCookie])
        return String(try #require(header.split(separator: ";").first))
    }

    @Test func aPINIsKeptAsASaltedHashOnly() throws {
        let first = try PinHash.make(pin: "1234")
        let second = try PinHash.make(pin: "1234")
        #expect(first != second, "salted: the same PIN never hashes the same")
        #expect(!first.contains("1234"))
        #expect(PinHash.verify(pin: "1234", hash: first) && PinHash.verify(pin: "1234", hash: second))
        #expect(!PinHash.verify(pin: "1235", hash: first))
        #expect(!PinHash.verify(pin: "1234", hash: "scrypt$16384$8$1$bm90$bm90"))
        #expect(!PinHash.verify(pin: "1234", hash: "1234"))
        var configuration = AgentConfiguration()
        configuration.staff = [StaffMember(name: "Ana", role: .operator, pinHash: "1234")]
        #expect(throws: AgentError.self) { try configuration.validate() }
    }

    @Test func aSessionAllowsWhatItsRoleNamesAndEndsOnSignOut() async throws {
        try await withAgent { client in
            let anonymous = try await client.execute(uri: "/v1/dead-letters", method: .get)
            #expect(anonymous.status == .unauthorized)

            let ana = try await signIn(client, "ana", Self.operatorPIN)
            #expect(ana.status == .ok)
            let setCookie = try #require(ana.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
            let operatorCookie = try cookie(ana)
            #expect(json(ana)["role"] as? String == "operator")
            let letters = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: [.cookie: operatorCookie])
            #expect(letters.status == .ok)

            let tom = try await signIn(client, "Tom", Self.technicianPIN)
            let technician = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: [.cookie: try cookie(tom)])
            #expect(technician.status == .forbidden, "a technician does not handle dead letters")

            let out = try await client.execute(uri: "/v1/session", method: .delete, headers: [.cookie: operatorCookie])
            #expect(out.status == .noContent)
            let after = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: [.cookie: operatorCookie])
            #expect(after.status == .unauthorized, "a signed-out cookie opens nothing")
        }
    }

    @Test func wrongPINsLockTheNameEvenForTheRightOne() async throws {
        try await withAgent { client in
            for attempt in 1...5 {
                let wrong = try await signIn(client, "Ana", "000000")
                #expect(wrong.status == .unauthorized, "attempt \(attempt)")
            }
            let right = try await signIn(client, "Ana", Self.operatorPIN)
            #expect(right.status == .tooManyRequests, "locked: the right PIN is refused too")
            #expect(right.headers[.retryAfter].flatMap(Int.init).map { $0 > 60 } == true)
            #expect(right.headers[.setCookie] == nil)
            let other = try await signIn(client, "Tom", Self.technicianPIN)
            #expect(other.status == .ok, "another name is not locked by Ana's failures")
            let unknown = try await signIn(client, "nobody", "123456")
            #expect(unknown.status == .unauthorized, "an unknown name is refused as a wrong PIN is")
        }
    }
}
