import Crypto
import Foundation
import LanyardSupport
import Testing

@testable import TUF

/// The trusted state on its own: the workflow's order, what an offered file leaves behind when it
/// is refused, and what the last-verified policy relaxes.
@Suite struct TrustedStateTests {
    static let current = TrustPolicy.current(referenceTime: TestClient.now)

    static func latest(_ repository: TestRepository, _ role: String) -> Data { repository.published[role]!.last! }

    @Test func metadataIsTakenOnlyInTheWorkflowsOrder() throws {
        var repository = TestRepository()
        repository.delegate(from: "targets", .init(name: "venue"))
        repository.publish(["venue", "targets", "snapshot", "timestamp", "root"])
        var state = try TrustedState(root: repository.rootBytes, policy: Self.current)
        #expect(throws: TUFError.self) { try state.updateSnapshot(Self.latest(repository, "snapshot")) }
        try state.updateTimestamp(Self.latest(repository, "timestamp"))
        #expect(throws: TUFError.self) { try state.updateRoot(Self.latest(repository, "root")) }
        #expect(throws: TUFError.self) { try state.updateTargets(Self.latest(repository, "targets"), role: "targets", delegator: "root") }
        try state.updateSnapshot(Self.latest(repository, "snapshot"))
        let outOfOrder = #expect(throws: TUFError.self) {
            try state.updateTargets(Self.latest(repository, "venue"), role: "venue", delegator: "targets")
        }
        #expect(outOfOrder?.code == .outOfOrder)
        try state.updateTargets(Self.latest(repository, "targets"), role: "targets", delegator: "root")
        #expect(throws: TUFError.self) { try state.updateSnapshot(Self.latest(repository, "snapshot")) }
        try state.updateTargets(Self.latest(repository, "venue"), role: "venue", delegator: "targets")
        #expect(state.targets(role: "venue") != nil)
        // The top-level role is the root's to delegate, a delegated one its parent's.
        let wrongParent = #expect(throws: TUFError.self) {
            try state.updateTargets(Self.latest(repository, "venue"), role: "venue", delegator: "root")
        }
        #expect(wrongParent?.code == .delegationNotFound)
    }

    @Test func anExpiredTimestampOrAMismatchedSnapshotStaysAsIntermediateStateOnly() throws {
        var repository = TestRepository()
        repository.expires["timestamp"] = "2029-01-01T00:00:00Z"
        repository.publish(["timestamp"])
        var state = try TrustedState(root: repository.rootBytes, policy: Self.current)
        let expired = #expect(throws: TUFError.self) { try state.updateTimestamp(Self.latest(repository, "timestamp")) }
        #expect(expired?.code == .expired)
        #expect(state.timestamp?.common.version == 2)
        // Kept for the rollback check, never to load a snapshot from.
        #expect(throws: TUFError.self) { try state.updateSnapshot(Self.latest(repository, "snapshot")) }
        #expect(state.snapshot == nil)

        var mismatched = TestRepository()
        mismatched.publish(["snapshot", "timestamp"])
        var next = try TrustedState(root: mismatched.rootBytes, policy: Self.current)
        try next.updateTimestamp(Self.latest(mismatched, "timestamp"))
        let older = mismatched.published["snapshot"]![0]
        let mismatch = #expect(throws: TUFError.self) { try next.updateSnapshot(older, verifiedBefore: true) }
        #expect(mismatch?.code == .versionMismatch)
        #expect(next.snapshot?.common.version == 1)
        #expect(throws: TUFError.self) { try next.updateTargets(Self.latest(mismatched, "targets"), role: "targets", delegator: "root") }
        try next.updateSnapshot(Self.latest(mismatched, "snapshot"))
        try next.updateTargets(Self.latest(mismatched, "targets"), role: "targets", delegator: "root")
    }

    @Test func onlyARootDroppingATimestampOrSnapshotKeyCountsAsARotation() throws {
        var repository = TestRepository()
        repository.keys["timestamp"]!.append(Curve25519.Signing.PrivateKey())
        repository.publish(["root"])
        var state = try TrustedState(root: repository.rootBytes, policy: Self.current)
        try state.updateRoot(Self.latest(repository, "root"))
        #expect(!state.keysRotated)
        repository.keys["snapshot"] = [Curve25519.Signing.PrivateKey()]
        repository.signers["snapshot"] = repository.keys["snapshot"]
        repository.publish(["root"])
        try state.updateRoot(Self.latest(repository, "root"))
        #expect(state.keysRotated)
    }

    @Test func theLastVerifiedPolicyIgnoresExpiryAndParentsVersionsButNotSignatures() throws {
        var repository = TestRepository()
        for role in TestRepository.topLevel { repository.expires[role] = "2020-01-01T00:00:00Z" }
        repository.publish(["targets", "snapshot", "timestamp", "root"])
        // A refresh that stored the next timestamp and stopped: it names a snapshot not stored.
        var ahead = repository
        ahead.publish(["targets", "snapshot", "timestamp"])
        var state = try TrustedState(root: repository.rootBytes, policy: .lastVerified)
        try state.updateRoot(Self.latest(repository, "root"))
        try state.updateTimestamp(Self.latest(ahead, "timestamp"))
        try state.updateSnapshot(Self.latest(repository, "snapshot"))
        try state.updateTargets(repository.published["targets"]![0], role: "targets", delegator: "root")
        #expect(state.targets?.common.version == 1)

        var unsigned = repository
        unsigned.signers["targets"] = [Curve25519.Signing.PrivateKey()]
        unsigned.publish(["targets"])
        var strict = try TrustedState(root: repository.rootBytes, policy: .lastVerified)
        try strict.updateSnapshot(Self.latest(repository, "snapshot"))
        #expect(throws: TUFError.self) { try strict.updateTargets(Self.latest(unsigned, "targets"), role: "targets", delegator: "root") }
    }
}
