import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Registry
import Testing

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
