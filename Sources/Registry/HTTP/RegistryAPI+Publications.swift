import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging
import Sync

/// Publications through the server, signed with the keys it holds (`--publish-key`):
///
/// - `POST /v1/publications`: a `PublicationRequest` (publish, promote, rollback or revoke of one
///   unit in one targets role), with a publisher's token and a `Lanyard-Reason`; answers the
///   `PublicationResult` once the new timestamp is written, and records who, why and what in the
///   audit log.
extension RegistryAPI {
    /// A release travels whole in one body, base64 in JSON: about 48 MiB of files.
    static let maximumPublicationBytes = 64 << 20

    static func addPublicationRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.post("/v1/publications") { request, context in
            let principal = try await accountable(request, .publish, server: server)
            guard let reason = try reason(request) else {
                throw RegistryError(
                    .requestInvalid, "say why in a Lanyard-Reason header: the audit log keeps it with every publication",
                    detail: "Lanyard-Reason")
            }
            guard let publications = server.publications else {
                throw RegistryError(
                    .signingUnavailable,
                    "this server holds no publication keys (lanyard registry serve --publish-key): publish with "
                        + "'lanyard registry publish --repository' where the keys are",
                    detail: "publish-key")
            }
            let publication = try decodePublication(try await bodyData(request, upTo: maximumPublicationBytes))
            var result = try await publications.apply(publication)
            // Kiosks long-polling this replica hear of the new timestamp now, not at the next look.
            server.watcher.wake()
            let entry = AuditEntry.publication(
                result, actor: principal.name, tokenID: principal.tokenID, reason: reason, correlationID: context.correlationID)
            var metadata: Logger.Metadata = [
                "action": "\(publication.action.rawValue)", "target": "\(publication.target)", "role": "\(publication.role)",
                "role_version": "\(result.roleVersion)", "snapshot_version": "\(result.snapshotVersion)",
                "actor": "\(principal.name)", "correlation_id": "\(context.correlationID)",
            ]
            // The publication stands whatever happens next: a failure here is told, not turned
            // into an error that would have the client publish the same release again.
            if let error = await record(entry, in: server.store) {
                metadata["reason"] = "\(reason)"
                metadata["error"] = "\(error)"
                server.logger.error("published, but the audit log could not be written", metadata: metadata)
                result.warnings.append("published, but the registry could not write its audit log: \(error.message)")
            } else {
                server.logger.notice("publication signed", metadata: metadata)
            }
            return json(.ok, result)
        }
    }

    /// Writes `entry`; the failure, if any, for the caller to tell.
    static func record(_ entry: AuditEntry, in store: any RegistryStore) async -> RegistryError? {
        do {
            _ = try await store.recordAudit(entry)
            return nil
        } catch { return error }
    }

    /// The request, checked whole before anything is signed: a body that does not decode, or a
    /// unit, field or file path the catalog would refuse, is a 400 naming the field or path.
    static func decodePublication(_ body: Data) throws(RegistryError) -> PublicationRequest {
        let publication = try RegistryJSON.decode(PublicationRequest.self, from: body, what: "publication")
        do { try publication.validate() } catch {
            throw RegistryError(.requestInvalid, error.message, detail: error.subject)
        }
        return publication
    }
}
