import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Sync
import Testing

@testable import Registry

/// `/v1/notify`: kiosks learn of a new version as soon as another process publishes it.
@Suite struct NotifyTests {
    @Test func aClientBehindIsAnsweredAtOnce() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try fixture.publishTemplate("badge", text: "v1")
        // `registry init` signed timestamp and snapshot 1; each publication signs the next.
        try await withRegistry(fixture) { server, client in
            let response = try await client.execute(uri: "/v1/notify?after=1", method: .get)
            #expect(response.status == .ok)
            let body = try object(response)
            #expect(body["timestamp_version"] as? Int == 3)
            #expect(body["targets_version"] as? Int == 3, "the snapshot version: what a kiosk compares")
            #expect(await server.hub.waitingCount == 0)
        }
    }

    @Test func aWaitingClientIsWokenWhenAnotherProcessPublishes() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { server, client in
            async let answer = client.execute(uri: "/v1/notify?after=2&timeout=60", method: .get)
            try await waitForWaiters(server.hub, count: 1)
            // The publisher writes the directory, as `lanyard registry publish` would from its own process.
            try fixture.publishTemplate("standard", text: "v2")
            let body = try object(try await answer)
            #expect(body["timestamp_version"] as? Int == 3)
            #expect(body["targets_version"] as? Int == 3)
            #expect(await server.hub.waitingCount == 0)
        }
    }

    @Test func aWaitEndsAtItsTimeoutWithTheUnchangedVersion() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { server, client in
            let response = try await client.execute(uri: "/v1/notify?after=2&timeout=0.2", method: .get)
            #expect(response.status == .ok)
            let body = try object(response)
            #expect(body["timestamp_version"] as? Int == 2, "unchanged: the client compares and polls again")
            #expect(await server.hub.waitingCount == 0, "the timed-out wait left nothing behind")

            for query in ["", "?after=x", "?after=-1", "?after=1&timeout=soon", "?after=1&timeout=-3"] {
                let refused = try await client.execute(uri: "/v1/notify\(query)", method: .get)
                #expect(refused.status == .badRequest, "\(query)")
                #expect(try errorCode(refused) == "registry.request_invalid")
            }
        }
    }

    @Test func twoHundredWaitingKiosksAreAllWokenByOnePublication() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { server, client in
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let response = try await client.execute(uri: "/v1/notify?after=2&timeout=60", method: .get)
                        return try object(response)["timestamp_version"] as? Int
                    }
                }
                try await waitForWaiters(server.hub, count: 200)
                try fixture.publishTemplate("standard", text: "v2")
                var versions: [Int?] = []
                for try await version in group { versions.append(version) }
                #expect(versions.count == 200)
                #expect(versions.allSatisfy { $0 == 3 })
            }
            #expect(await server.hub.waitingCount == 0)
        }
    }

    @Test func closingTheHubAnswersEveryWaiterAndLaterOnesAtOnce() async throws {
        let hub = NotifyHub(current: RepositoryVersions(timestampVersion: 3, targetsVersion: 2, timestampExpires: nil))
        async let first = hub.next(after: 3, timeout: .seconds(600))
        async let second = hub.next(after: 5, timeout: .seconds(600))
        try await waitForWaiters(hub, count: 2)
        await hub.update(RepositoryVersions(timestampVersion: 4, targetsVersion: 2, timestampExpires: nil))
        #expect(await first.timestampVersion == 4)
        #expect(await hub.waitingCount == 1, "a client already past version 4 keeps waiting")
        await hub.close()
        #expect(await second.timestampVersion == 4)
        #expect(await hub.next(after: 10, timeout: .seconds(600)).timestampVersion == 4, "after shutdown nobody waits")
    }

    @Test func beyondTheLimitAWaitIsAnsweredAtOnce() async throws {
        let hub = NotifyHub(current: RepositoryVersions(timestampVersion: 1, targetsVersion: 1, timestampExpires: nil), maximumWaiters: 1)
        async let parked = hub.next(after: 1, timeout: .seconds(600))
        try await waitForWaiters(hub, count: 1)
        #expect(await hub.next(after: 1, timeout: .seconds(600)).timestampVersion == 1)
        await hub.expire(now: .now.advanced(by: .seconds(601)))
        #expect(await parked.timestampVersion == 1)
        #expect(await hub.waitingCount == 0)
    }

    @Test func aCancelledWaitIsReleased() async throws {
        let hub = NotifyHub(current: RepositoryVersions(timestampVersion: 1, targetsVersion: 1, timestampExpires: nil))
        let task = Task { await hub.next(after: 1, timeout: .seconds(600)) }
        try await waitForWaiters(hub, count: 1)
        task.cancel()
        #expect(await task.value.timestampVersion == 1)
        #expect(await hub.waitingCount == 0)
    }
}
