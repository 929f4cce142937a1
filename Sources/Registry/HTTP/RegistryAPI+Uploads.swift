import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Logging
import Sync

/// What kiosks send up: check-ins and print results in idempotent batches, and signed reports.
extension RegistryAPI {
    struct ReportAnswer: Encodable {
        var outcome: String
        var agentID: String
        var keyID: String
        /// The targets version the registry serves, so an agent can see at once that it lags.
        var targetsVersion: Int

        enum CodingKeys: String, CodingKey {
            case outcome, agentID = "agent_id", keyID = "key_id", targetsVersion = "targets_version"
        }
    }

    static func addUploadRoutes(to router: Router<APIRequestContext>, server: RegistryServer) {
        router.post("/v1/agents/:agent_id/check-ins") { request, context in
            try await authorize(request, .upload, server: server)
            let agentID = try agentParameter(context)
            let items = try UploadBatch<CheckInUpload>.decode(try await bodyData(request), what: "check-in batch") {
                (item, path) throws(RegistryError) in try item.validate(path)
            }
            let result = try await server.store.recordCheckIns(items, agentID: agentID, receivedAt: Date())
            for resolved in result.resolutions {
                await server.hub.attendeesChanged(event: resolved.event, cursor: resolved.cursor)
            }
            return json(.ok, result)
        }
        router.post("/v1/agents/:agent_id/print-results") { request, context in
            try await authorize(request, .upload, server: server)
            let agentID = try agentParameter(context)
            let items = try UploadBatch<PrintResultUpload>.decode(try await bodyData(request), what: "print result batch") {
                (item, path) throws(RegistryError) in try item.validate(path)
            }
            return json(
                .ok, try await server.store.recordPrintResults(items, agentID: agentID, receivedAt: Date()))
        }
        router.post("/v1/agents/:agent_id/report") { request, context in
            try await authorize(request, .upload, server: server)
            let agentID = try agentParameter(context)
            let envelope = try RegistryJSON.decode(SignedEnvelope.self, from: try await bodyData(request), what: "signed envelope")
            let now = Date()
            let report = try AgentReport.verify(
                envelope, agentID: agentID, now: now,
                maximumClockSkew: server.configuration.maximumClockSkew)
            let keyID = report.publicKeyEntry?.keyID ?? ""
            let recorded: Result<ReportOutcome, any Error>
            do {
                recorded = .success(try await server.store.recordReport(report, payload: envelope.payload, receivedAt: now))
            } catch {
                recorded = .failure(error)
            }
            if case .failure(let error as RegistryError) = recorded, error.code == .agentKeyMismatch {
                server.logger.warning(
                    "agent report signed by an unknown key refused",
                    metadata: [
                        "agent_id": "\(agentID)", "key_id": "\(keyID)", "correlation_id": "\(context.correlationID)",
                    ])
            }
            let outcome = try recorded.get()
            if outcome == .firstReport {
                server.logger.notice(
                    "first report of an agent: its key is now trusted for its reports",
                    metadata: [
                        "agent_id": "\(agentID)", "key_id": "\(keyID)",
                    ])
            }
            let versions = await server.hub.current
            return json(
                .ok,
                ReportAnswer(
                    outcome: outcome.rawValue, agentID: agentID, keyID: keyID,
                    targetsVersion: versions.targetsVersion))
        }
    }

    static func agentParameter(_ context: APIRequestContext) throws -> String {
        let agentID = try context.parameters.require("agent_id")
        try UploadField.agentID(agentID)
        return agentID
    }
}
