import Foundation
import LanyardSupport
import Synchronization
import Testing

@testable import Registry

/// Tokens and the audit log, the same on both stores (`RegistryStoreContractTests.withStore`).
extension RegistryStoreContractTests {
    /// A clock the test moves by hand, so an overlap's end is crossed without waiting.
    final class TestClock: Sendable {
        private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    @Test(arguments: Backend.allCases) func aTokenIsStoredAsItsHashAndRotatedWithAnOverlap(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let clock = TestClock()
            let admin = TokenAdministration(store: store, actor: "Ada (command line)") { clock.now }
            let (token, record) = try await admin.create(
                holder: "check-in desk 3", roles: [.kiosk], lifetime: nil, reason: "a new kiosk for hall B")
            let stored = try #require(try await store.token(id: token.id))
            #expect(stored.record == record)
            #expect(stored.secretHash == token.secretHash && stored.secretHash != token.secret, "only the hash is kept")
            #expect(try await store.tokenRolesInUse(at: clock.now) == [.kiosk])

            clock.advance(60)
            let (replacement, _, rotated) = try await admin.rotate(
                id: token.id, overlap: 3_600, lifetime: nil, reason: "quarterly rotation")
            #expect(rotated.replacedBy == replacement.id)
            #expect(rotated.expiresAt == clock.now.addingTimeInterval(3_600))
            let rotatedAgain = await #expect(throws: RegistryError.self) {
                try await admin.rotate(id: token.id, overlap: 0, lifetime: nil, reason: "again")
            }
            #expect(rotatedAgain?.code == .requestInvalid, "the replacement is the one to rotate")
            let old = try #require(try await store.token(id: token.id)).record
            #expect(old.isValid(at: clock.now.addingTimeInterval(3_599)) && !old.isValid(at: clock.now.addingTimeInterval(3_600)))

            clock.advance(10)
            let revoked = try await admin.revoke(id: replacement.id, reason: "desk 3 stolen")
            #expect(revoked.revokedAt == clock.now)
            #expect(try await store.tokenRolesInUse(at: clock.now.addingTimeInterval(3_600)).isEmpty)
            #expect(
                await #expect(throws: RegistryError.self) { try await admin.revoke(id: replacement.id, reason: "twice") }?.code
                    == .requestInvalid)
            #expect(
                await #expect(throws: RegistryError.self) { try await admin.revoke(id: "0123456789abcdef", reason: "unknown") }?.code
                    == .notFound)
            #expect(try await store.tokens().map(\.id) == [token.id, replacement.id])

            let log = try await store.auditLog(before: nil, limit: 10)
            #expect(log.map(\.action) == [.tokenRevoked, .tokenRotated, .tokenCreated], "newest first")
            #expect(log.map(\.subject) == [replacement.id, token.id, token.id])
            #expect(log.map(\.reason) == ["desk 3 stolen", "quarterly rotation", "a new kiosk for hall B"])
            #expect(log.allSatisfy { $0.actor == "Ada (command line)" })
            #expect(log[1].detail["replaced_by"] == replacement.id)
            #expect(log[2].detail["roles"] == "kiosk" && log[2].detail["holder"] == "check-in desk 3")
            #expect(try await store.auditLog(before: log[1].id, limit: 10).map(\.id) == [log[2].id], "paged by id")
        }
    }

    @Test(arguments: Backend.allCases) func aPushAndAForgottenAgentAreAuditedWithTheirChange(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store) async throws in
            let operations = Principal(name: "integration: ticket shop", tokenID: "00000000000000aa", roles: [.operator])
            let audit = operations.audit(.attendeesPushed, subject: Self.event, reason: "nightly sync", at: Self.epoch)
            let result = try await store.recordAttendeeChanges(
                [Self.registration("a1", "Ada"), Self.registration("a2", "Grace")], event: Self.event, at: Self.epoch, audit: audit)
            let forget = operations.audit(.agentForgotten, subject: "kiosk-9", reason: "re-imaged", at: Self.epoch)
            #expect(try await store.forgetAgent("kiosk-9", audit: forget) == false)

            let log = try await store.auditLog(before: nil, limit: 10)
            #expect(log.count == 1, "forgetting an agent never seen records nothing")
            let entry = try #require(log.first)
            #expect(entry.actor == "integration: ticket shop" && entry.tokenID == "00000000000000aa" && entry.reason == "nightly sync")
            #expect(entry.detail == ["cursor": "\(result.cursor)", "upserted": "2", "removed": "0", "unchanged": "0"])
            #expect(entry.at == Self.epoch)
        }
    }
}
