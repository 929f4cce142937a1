public import Foundation
import LanyardSupport
public import Sync
import TUF

/// Publications the server signs itself (`POST /v1/publications`), with the publication keys it
/// was given: the same `RegistryPublisher` the command line runs, off the cooperative pool
/// (`Blocking.run`), one at a time in this process. The repository writer's `flock` makes
/// replicas on one machine take turns too; queueing here keeps a second publication of this
/// replica from holding a second thread of the small blocking pool while it waits for the lock.
public struct RegistryPublications: Sendable {
    public let repository: URL
    let signers: [TUFSigningKey]
    let expiry: TUFExpiryPolicy
    private let line = Line()

    init(configuration: RegistryConfiguration) {
        repository = configuration.repository
        signers = configuration.publicationSigners
        expiry = configuration.publicationExpiry
    }

    /// Checks what the server was given against the repository as it stands: every publication
    /// key is a key of `targets` or of a role `targets` delegates, every snapshot key a snapshot
    /// key of root, and the key ring holds the snapshot's threshold. A key of another role (a
    /// root key above all) has no business online, and a ring that cannot sign the snapshot
    /// would refuse every publication.
    static func check(_ configuration: RegistryConfiguration, root: Root) throws(RegistryError) {
        guard configuration.publishes else { return }
        var targetsKeys = Set(root.role("targets")?.keyids ?? [])
        do {
            let writer = RegistryPublisher.writer(configuration.repository)
            if let version = try writer.state().snapshot?.meta["targets.json"]?.version {
                for role in try writer.readTargets(role: "targets", version: version).targets.delegations?.roles ?? [] {
                    targetsKeys.formUnion(role.keys.keyids)
                }
            }
        } catch {
            throw RegistryError(.configurationInvalid, "the repository's targets role cannot be read", detail: "\(error)")
        }
        for key in configuration.publishKeys where !targetsKeys.contains(key.keyid) {
            throw RegistryError(
                .configurationInvalid, "a publish key is not a key of targets or of a role it delegates",
                detail: "key \(key.keyid.prefix(16))…")
        }
        let snapshot = root.role("snapshot")
        let snapshotKeys = Set(snapshot?.keyids ?? [])
        for key in configuration.snapshotKeys where !snapshotKeys.contains(key.keyid) {
            throw RegistryError(
                .configurationInvalid, "a snapshot key is not a snapshot key of root version \(root.common.version)",
                detail: "key \(key.keyid.prefix(16))…")
        }
        let held = Set(configuration.publicationSigners.map(\.keyid)).intersection(snapshotKeys).count
        guard let snapshot, held >= snapshot.threshold else {
            throw RegistryError(
                .configurationInvalid,
                "publishing signs a new snapshot, and the keys given hold \(held) of the \(snapshot?.threshold ?? 1) it needs: "
                    + "give --snapshot-key", detail: "snapshot-key")
        }
    }

    /// Carries out `request` (already validated) into its role, at `now`.
    public func apply(_ request: PublicationRequest, now: Date = Date()) async throws -> PublicationResult {
        let publisher = RegistryPublisher(repository: repository, signers: signers, role: request.role, expiry: expiry)
        return try await line.run {
            let outcome = try await Blocking.run { () -> Result<PublicationResult, SyncError> in
                Result { () throws(SyncError) -> PublicationResult in try Self.apply(request, with: publisher, now: now) }
            }
            switch outcome {
            case .success(let result): return result
            case .failure(let error): throw Self.refusal(error, request: request)
            }
        }
    }

    static func apply(_ request: PublicationRequest, with publisher: RegistryPublisher, now: Date) throws(SyncError) -> PublicationResult {
        let share = request.share ?? 1
        let publication: RegistryPublisher.Publication
        switch request.action {
        case .publish:
            guard let kind = request.kind, let label = request.label, let files = request.files else {
                throw SyncError(.targetInvalid, "a publish gives its kind, label and files", subject: request.target)
            }
            publication = try publisher.publishFiles(
                files, as: request.target, kind: kind, scope: request.scope, label: label, cursor: request.cursor, share: share, now: now)
        case .promote: publication = try publisher.promote(request.target, now: now)
        case .rollback: publication = try publisher.rollback(request.target, now: now)
        case .revoke: publication = try publisher.revoke(request.target, now: now)
        }
        var result = PublicationResult(publication, action: request.action, share: share, role: request.role)
        // Named as the command line names it before a local publication; never a reason to fail
        // one that is already published.
        if request.action == .publish, let scope = publication.target?.scope,
            let warning = try? publisher.scopeWarning(for: request.target, scope: scope)
        {
            result.warnings.append(warning)
        }
        return result
    }

    /// A publisher's refusal as the problem the client gets: what the repository as it stands
    /// refuses is the client's to change (409), a role the server holds no key of is the
    /// server's (503), and a repository it cannot write is its storage failing.
    static func refusal(_ error: SyncError, request: PublicationRequest) -> any Error {
        let detail = "\(error.code.rawValue): \(error.subject ?? request.target)"
        switch error.code {
        case .targetInvalid:
            return RegistryError(.publicationRefused, error.message, context: detail, underlying: error)
        case .signatureThreshold, .keyInvalid:
            return RegistryError(
                .signingUnavailable, "this server holds no key to sign \(request.role) with: \(error.message)", context: detail,
                underlying: error)
        case .io:
            return RegistryError(.storage, "the repository cannot be written: \(error.message)", context: detail, underlying: error)
        default:
            return error
        }
    }

    /// Runs one body at a time, in the order they came.
    private actor Line {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
            if busy {
                await withCheckedContinuation { waiting.append($0) }
            } else {
                busy = true
            }
            defer {
                if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
            }
            return try await body()
        }
    }
}
