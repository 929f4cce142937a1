import Foundation
import Hummingbird

/// `GET /v1/notify?after=N&timeout=S`: a long-poll that answers as soon as the repository's
/// timestamp version is above N, or after S seconds (default 30, at most 60) with the versions
/// as they are (then at most N). Always 200 with the same body, so a client has one case to
/// handle: compare `timestamp_version` with what it has.
extension RegistryAPI {
    static let defaultNotifyTimeout = 30.0
    static let maximumNotifyTimeout = 60.0

    struct NotifyAnswer: Encodable {
        var timestampVersion: Int
        var targetsVersion: Int

        enum CodingKeys: String, CodingKey {
            case timestampVersion = "timestamp_version", targetsVersion = "targets_version"
        }
    }

    static func addNotifyRoutes(to router: Router<BasicRequestContext>, server: RegistryServer) {
        router.get("/v1/notify") { request, _ in
            await handle(request) { _ in
                let query = request.uri.queryParameters
                guard let afterText = query.get("after"), let after = Int(afterText), after >= 0 else {
                    throw RegistryError(.requestInvalid, "after is the timestamp version the client has (0 for none)", detail: "after")
                }
                var timeout = defaultNotifyTimeout
                if let text = query.get("timeout") {
                    guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
                        throw RegistryError(.requestInvalid, "timeout is a number of seconds", detail: "timeout")
                    }
                    timeout = min(seconds, maximumNotifyTimeout)
                }
                let versions = await server.hub.next(after: after, timeout: .milliseconds(Int64(timeout * 1000)))
                return json(.ok, NotifyAnswer(timestampVersion: versions.timestampVersion, targetsVersion: versions.targetsVersion))
            }
        }
    }
}
