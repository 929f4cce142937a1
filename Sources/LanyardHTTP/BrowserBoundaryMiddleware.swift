import Foundation
import HTTPTypes
public import Hummingbird
public import LanyardSupport

/// A refusal at the browser boundary.
public typealias BrowserBoundaryError = CodedError<BrowserBoundaryErrorCode>

/// Keeps other sites' pages from using a server that a browser on the same box (the kiosk's
/// Chromium, a technician's laptop) can reach. Three checks, none of which an integrator calling
/// without a browser notices:
/// - **Host**: every request must name the server by a name it has (loopback, the box's host
///   name and addresses, or one configured). A DNS-rebinding page reaches 127.0.0.1 under its own
///   name, so its requests carry a foreign Host and are refused, reads included.
/// - **Origin**: a change (any method but GET, HEAD, OPTIONS) from a page of another origin is
///   refused, by `Origin` or, where a browser sends it, `Sec-Fetch-Site`.
/// - **Content type**: a change with a body must declare `application/json`, which another site's
///   page cannot send without a CORS preflight that this server never grants. A `text/plain` or
///   form body, the kind a plain `<form>` or `fetch` in no-cors mode sends, is refused. A route
///   whose body is not JSON (the kiosk camera's raw frames) is named with the one type it takes
///   instead, and that type must not be one a page may send without a preflight either.
public struct BrowserBoundaryMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Nil for a server known by names it cannot list (the registry behind DNS): no Host check.
    let allowedHosts: Set<String>?
    /// The body type of each path that takes another one than `application/json`.
    let bodyTypes: [String: String]

    /// `allowedHosts`: host names and addresses, without ports, compared case-insensitively.
    /// `bodyTypes`: the content type a request path's body must have where it is not JSON; a type
    /// a cross-origin page may send without a preflight (`text/plain`, a form's) is a programming
    /// error.
    public init(allowedHosts: some Sequence<String>, bodyTypes: [String: String] = [:]) {
        self.allowedHosts = Set(allowedHosts.map { BrowserBoundary.normalized($0) })
        self.bodyTypes = BrowserBoundary.checked(bodyTypes)
    }

    /// Only the Origin and content-type checks: for a public server, whose names are its DNS's.
    public init() {
        allowedHosts = nil
        bodyTypes = [:]
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try check(request)
        return try await next(request, context)
    }

    func check(_ request: Request) throws(BrowserBoundaryError) {
        let authority = request.head.authority ?? ""
        if let allowedHosts, !(BrowserBoundary.host(ofAuthority: authority).map(allowedHosts.contains) ?? false) {
            throw BrowserBoundaryError(
                .hostNotAllowed, "this server is not known by the name '\(authority)'; add it to allowed_hosts if it should be",
                context: authority)
        }
        guard ![.get, .head, .options].contains(request.method) else { return }
        if let site = request.headers[BrowserBoundary.fetchSite], site == "cross-site" || site == "same-site" {
            throw BrowserBoundaryError(.crossOrigin, "a page of another site may not change anything here", context: site)
        }
        if let origin = request.headers[.origin] {
            guard let originAuthority = BrowserBoundary.authority(ofOrigin: origin),
                BrowserBoundary.normalized(originAuthority) == BrowserBoundary.normalized(authority)
            else {
                throw BrowserBoundaryError(.crossOrigin, "a page of another origin may not change anything here", context: origin)
            }
        }
        if BrowserBoundary.hasBody(request) {
            let required = bodyTypes[request.uri.path] ?? "application/json"
            let type = request.headers[.contentType]?.split(separator: ";").first.map { BrowserBoundary.normalized(String($0)) }
            guard type == required else {
                throw BrowserBoundaryError(
                    .contentTypeRequired, "the body must be sent as \(required)", context: request.headers[.contentType] ?? "none")
            }
        }
    }
}

/// The parsing the boundary needs, kept apart from the generic middleware.
package enum BrowserBoundary {
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// The types a page of another origin may send without a CORS preflight (Fetch standard,
    /// "CORS-safelisted request-header").
    static let sentWithoutPreflight: Set<String> = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

    static func checked(_ bodyTypes: [String: String]) -> [String: String] {
        let types = bodyTypes.mapValues { normalized($0) }
        for (path, type) in types {
            precondition(!sentWithoutPreflight.contains(type), "\(path): a page of any site may send \(type) bodies")
        }
        return types
    }

    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }

    static func normalized(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `example.org:8080` -> `example.org`; `[::1]:8080` -> `::1`; nil for nothing usable.
    package static func host(ofAuthority authority: String) -> String? {
        let text = normalized(authority)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }

    /// `http://example.org:8080` -> `example.org:8080`; nil for `null` or anything without a scheme.
    package static func authority(ofOrigin origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        let rest = origin[range.upperBound...]
        return String(rest.prefix { $0 != "/" })
    }
}
