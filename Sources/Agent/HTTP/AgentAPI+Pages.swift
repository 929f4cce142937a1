import Foundation
import HTTPTypes
import Hummingbird
import LanyardHTTP
import LanyardSupport

/// The pages people touch, served by the agent itself from the box: `/` is the attendee's kiosk
/// page. Assets are addressed by their content hash; one whose hash is not the current one is
/// not found, so a cache can never hold a mix of versions.
extension AgentAPI {
    static func addPageRoutes(to router: Router<APIRequestContext>, pages: WebPages) {
        router.get("/") { _, _ in try page("kiosk", pages) }
        router.get("/operator") { _, _ in try page("operator", pages) }
        router.get("/technician") { _, _ in try page("technician", pages) }
        router.get("/assets/:hash/**") { request, context in
            let hash = try context.parameters.require("hash")
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let asset = pages.assets[path], asset.hash == hash else {
                throw AgentError(.notFound, "no such asset", detail: request.uri.path)
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
    }

    static func page(_ name: String, _ pages: WebPages) throws -> Response {
        guard let page = pages.pages[name] else { throw AgentError(.notFound, "no page \(name)") }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: page.contentSecurityPolicy, HTTPField.Name("Referrer-Policy")!: "no-referrer",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: page.html)))
    }
}
