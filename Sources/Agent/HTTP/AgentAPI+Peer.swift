import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport

/// The routes a peer kiosk hands badges over by (docs/handover.md). Every one needs a token with
/// the `peer` scope, on either listener.
extension AgentAPI {
    static func addPeerRoutes(to router: Router<APIRequestContext>, core: AgentCore) {
        router.post("/v1/peer/handovers") { request, context in
            try requirePeer(request, core: core)
            let offer = try decode(PeerOffer.self, from: try await bodyData(request))
            let (status, created) = try await Blocking.run { try core.receiveHandover(offer, correlationID: context.correlationID) }
            return json(created ? .created : .ok, status)
        }
        router.get("/v1/peer/handovers/:key") { request, context in
            try requirePeer(request, core: core)
            let key = try handoverKey(context)
            guard let status = try await Blocking.run({ try core.handoverStatus(idempotencyKey: key) }) else {
                throw AgentError(.notFound, "no badge was handed over here with that key", detail: "key")
            }
            return json(.ok, status)
        }
        router.post("/v1/peer/handovers/:key/withdraw") { request, context in
            try requirePeer(request, core: core)
            let key = try handoverKey(context)
            let body = try decode(PeerWithdrawalRequest.self, from: try await bodyData(request), expecting: "{\"from\": \"<kiosk id>\"}")
            return json(.ok, try await Blocking.run { try core.withdrawHandover(idempotencyKey: key, from: body.from) })
        }
    }

    /// The key as the peer wrote it: percent-encoded in the path (`PeerClient.segment`).
    static func handoverKey(_ context: APIRequestContext) throws -> String {
        let raw = try context.parameters.require("key")
        return raw.removingPercentEncoding ?? raw
    }

    /// A peer's token, whichever listener: handing a badge over is never anonymous.
    static func requirePeer(_ request: Request, core: AgentCore) throws(AgentError) {
        guard let held = try credential(request, core: core) else { throw tokenRequired }
        guard held.allows(.peer) else { throw scopeMissing(.peer, held) }
    }
}
