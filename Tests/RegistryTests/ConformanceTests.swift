import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Sync
import Testing

@testable import Registry

/// Answers docs/registry-openapi.yaml describes that the fuzz proof (Tests/Tools/registry_fuzz.py)
/// once found the server giving otherwise.
@Suite struct ConformanceTests {
    @Test func anEmptyCorrelationIDIsReplacedByANewOne() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { _, client in
            let health = try await client.execute(uri: "/v1/health", method: .get, headers: [RegistryAPI.correlationHeader: ""])
            let given = try #require(health.headers[RegistryAPI.correlationHeader])
            #expect(!given.isEmpty)

            let problem = try await client.execute(uri: "/v1/notify", method: .get, headers: [RegistryAPI.correlationHeader: ""])
            #expect(problem.status == .badRequest)
            let answered = try #require(problem.headers[RegistryAPI.correlationHeader])
            #expect(!answered.isEmpty)
            #expect((try object(problem)["error"] as? [String: Any])?["correlation_id"] as? String == answered)
        }
    }

    @Test func anUnsatisfiableRangeIsAProblemThatIsNeverStored() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        let size = try fixture.read(RepositoryLayout.root(version: 1)).count
        try await withRegistry(fixture) { _, client in
            for path in ["/repository/\(RepositoryLayout.root(version: 1))", "/repository/\(RepositoryLayout.timestamp)"] {
                for range in ["bytes=\(size)-", "bytes=-0"] {
                    for method in [HTTPRequest.Method.get, .head] {
                        let response = try await client.execute(uri: path, method: method, headers: [.range: range])
                        #expect(response.status == .rangeNotSatisfiable, "\(method) \(path) \(range)")
                        // One policy: the problem's, not the problem's beside the file's immutable one.
                        #expect(response.headers[values: .cacheControl] == ["no-store"], "\(method) \(path) \(range)")
                        #expect(response.headers[values: .eTag].count == 1)
                        #expect(response.headers[values: .acceptRanges] == ["bytes"])
                        #expect(response.headers[values: .contentRange].count == 1)
                        #expect(response.headers[.contentRange]?.hasPrefix("bytes */") == true)
                    }
                }
            }
        }
    }

    @Test func aRefusedReportSignatureNamesTheSchemeAsEvery401Does() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { _, client in
            let key = SigningKey()
            var forged = SignedEnvelope(
                payloadType: AgentReport.payloadType,
                payload: RegistryJSON.encode(AgentReportTests.report(key: SigningKey(), sentAt: Date())))
            try forged.sign(with: [key])
            let refused = try await AgentReportTests.send(client, forged)
            #expect(refused.status == .unauthorized)
            #expect(try errorCode(refused) == "registry.signature_invalid")
            #expect(refused.headers[.wwwAuthenticate] == "Bearer realm=\"lanyard-registry\"")
        }
    }

    @Test func aCorrelationIDOfOneToAHundredCharactersIsKept() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { _, client in
            for kept in ["x", String(repeating: "c", count: 100)] {
                let response = try await client.execute(uri: "/v1/health", method: .get, headers: [RegistryAPI.correlationHeader: kept])
                #expect(response.headers[RegistryAPI.correlationHeader] == kept)
            }
            let long = String(repeating: "c", count: 101)
            let replaced = try await client.execute(uri: "/v1/health", method: .get, headers: [RegistryAPI.correlationHeader: long])
            #expect(replaced.headers[RegistryAPI.correlationHeader].map { !$0.isEmpty && $0 != long } == true)
        }
    }
}
